# cgtwatch developer and operator entry points. `make run` and `make test` work on a fresh
# machine: they create .venv and install everything first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run demo test lint typecheck unit integration quality bench deploy-check clean kafka

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,local]'
	touch $(STAMP)

run: install           ## the main job: the whole pipeline on the embedded local stack
	$(BIN)/cgtwatch up

demo: install          ## the pipeline end to end on the bundled demo site
	$(BIN)/cgtwatch demo

kafka:                 ## the Apache Kafka broker jars the integration tests run (needs mvn, Java 17)
	bash tests/kafka/fetch.sh

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -q tests/unit

integration: install
	$(BIN)/pytest -q tests/integration

quality: install
	$(BIN)/pytest -q tests/quality

test: lint typecheck   ## everything CI runs
	$(BIN)/pytest -q

bench: install
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

deploy-check:
	bash deploy/validate.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .cache
