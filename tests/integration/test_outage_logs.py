"""A 20 s outage of Kafka and Elasticsearch (noida-db stopped under running services) writes a
few lines per service, not thousands: repeated connection errors are folded into one line per
10 s with a count (``config.logsetup.RepeatFilter``), and the pipeline carries on afterwards.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.integration.conftest import Env, make_article, wait_for

pytestmark = pytest.mark.integration

SERVICES = ("streams", "indexer", "alerter", "crawler")
OUTAGE_S = 20.0
MAX_ERROR_LINES = 20  # per service, for the whole outage


def sizes(logs: Path) -> dict[str, int]:
    return {name: (logs / f"{name}.log").stat().st_size for name in SERVICES}


def written_since(logs: Path, before: dict[str, int]) -> dict[str, list[str]]:
    out = {}
    for name in SERVICES:
        with (logs / f"{name}.log").open("rb") as f:
            f.seek(before[name])
            out[name] = f.read().decode("utf-8", "replace").splitlines()
    return out


def test_an_outage_is_a_few_lines_per_service(stack: Env) -> None:
    assert stack.local is not None
    logs = stack.data_dir / "logs"
    stack.start(*SERVICES)
    first = [make_article(i, i % 2 == 0) for i in range(20)]
    stack.publish(first)
    wait_for(lambda: stack.indexed_ids() >= {a.article_id for a in first}, 90,
             f"articles indexed before the outage\n{stack.logs()}")
    time.sleep(2)
    before = sizes(logs)
    stack.local.stop()
    time.sleep(OUTAGE_S)
    stack.local.start()
    time.sleep(8)  # reconnecting is part of the outage
    during = written_since(logs, before)
    errors = {name: sum(" ERROR " in line for line in lines) for name, lines in during.items()}
    total = {name: len(lines) for name, lines in during.items()}
    print(f"ERROR lines during the outage: {errors}; all lines: {total}")
    assert max(errors.values()) <= MAX_ERROR_LINES, "\n".join(
        f"===== {n}\n" + "\n".join(lines[-40:]) for n, lines in during.items())
    assert max(total.values()) <= 10 * MAX_ERROR_LINES, total

    after = [make_article(100 + i, True) for i in range(5)]
    stack.publish(after)
    wait_for(lambda: stack.indexed_ids() >= {a.article_id for a in after}, 120,
             f"articles indexed after the outage\n{stack.logs()}")
