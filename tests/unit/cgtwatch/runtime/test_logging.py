"""Log formats: text by default, JSON lines with CGTWATCH_LOG_FORMAT=json."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from cgtwatch.runtime import logs
from config.settings import Settings


@pytest.fixture(autouse=True)
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)


def lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines() if line.strip()]


def test_json_lines_carry_the_article_fields(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure_logging("INFO", "json")
    log = logging.getLogger("indexer.agent")
    log.info("indexed article %s", "abc", extra={"article_id": "abc", "source": "demo-gd-sci",
                                                  "stage": "indexer"})
    log.debug("not at INFO")
    (line,) = lines(capsys.readouterr().err)
    assert set(line) == {"time", "level", "logger", "message", "article_id", "source", "stage"}
    assert line["message"] == "indexed article abc" and line["level"] == "INFO"
    assert line["logger"] == "indexer.agent"
    assert (line["article_id"], line["source"], line["stage"]) == ("abc", "demo-gd-sci",
                                                                   "indexer")
    assert str(line["time"]).endswith("+00:00")


def test_json_exceptions_and_odd_values_stay_one_line(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    logs.configure_logging("INFO", "json")
    try:
        raise ValueError("bad 细胞")
    except ValueError:
        logging.getLogger("x").exception("failed", extra={"article_id": object()})
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    (line,) = lines(err)
    assert "ValueError: bad 细胞" in str(line["exc_info"]) and line["level"] == "ERROR"
    assert str(line["article_id"]).startswith("<object")


def test_text_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure_logging("INFO")
    logging.getLogger("alerts.agent").warning("alert %s failed", "k", extra={"stage": "alerter"})
    err = capsys.readouterr().err
    assert " WARNING alerts.agent: alert k failed" in err and not err.startswith("{")


def test_reconfiguring_replaces_only_our_handler(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    others = [h for h in root.handlers if not isinstance(h, logs._OurHandler)]
    logs.configure_logging("INFO")
    logs.configure_logging("WARNING", "json")  # what a service does after the command line
    ours = [h for h in root.handlers if isinstance(h, logs._OurHandler)]
    assert len(ours) == 1 and isinstance(ours[0].formatter, logs.JsonFormatter)
    assert [h for h in root.handlers if h not in ours] == others
    assert root.level == logging.WARNING
    assert logging.getLogger("kafka").level == logging.WARNING


def test_the_setting(clean_env: pytest.MonkeyPatch) -> None:
    assert Settings().log_format == "text"
    clean_env.setenv("CGTWATCH_LOG_FORMAT", "json")
    assert Settings().log_format == "json"
    clean_env.setenv("CGTWATCH_LOG_FORMAT", "yaml")
    with pytest.raises(ValidationError):
        Settings()
