"""Logging: text by default, valid JSON lines with CGTWATCH_LOG_FORMAT=json, secrets redacted,
repeated warnings and errors folded into one line per interval with a count."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from cgtwatch.runtime import logs
from config.settings import BadSettingsError, Settings


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
    others = [h for h in root.handlers if not isinstance(h, logs.OurHandler)]
    logs.configure_logging("INFO")
    logs.configure_logging("WARNING", "json")  # what a service does after the command line
    ours = [h for h in root.handlers if isinstance(h, logs.OurHandler)]
    assert len(ours) == 1 and isinstance(ours[0].formatter, logs.JsonFormatter)
    assert [h for h in root.handlers if h not in ours] == others
    assert root.level == logging.WARNING
    assert logging.getLogger("kafka").level == logging.WARNING


def test_the_setting(clean_env: pytest.MonkeyPatch) -> None:
    assert Settings().log_format == "text"
    clean_env.setenv("CGTWATCH_LOG_FORMAT", "json")
    assert Settings().log_format == "json"
    clean_env.setenv("CGTWATCH_LOG_FORMAT", "yaml")
    with pytest.raises(BadSettingsError):
        Settings()


def test_json_lines_stay_valid_whatever_is_logged(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure_logging("INFO", "json")
    log = logging.getLogger("odd")
    log.warning("line one\nline two\r\n\ttab 细胞治疗 \u2028 \x85 end")
    log.warning("score %s", float("nan"), extra={"score": float("nan"), "inf": float("-inf")})
    log.warning("keys", extra={"ids": {("a", 1): {1, 2}, 3: b"\xff"}})
    log.warning("surrogate \udcff in a message", extra={"path": "/tmp/\udce9.html"})
    (ours,) = [h for h in logging.getLogger().handlers if isinstance(h, logs.OurHandler)]
    ours.handle(logging.LogRecord("lib", logging.WARNING, __file__, 1, "bad format %d",
                                  ("not a number",), None))  # a library's broken %-format
    circular: dict[str, object] = {}
    circular["self"] = circular
    log.warning("circular", extra={"loop": circular})
    try:
        raise RuntimeError("first line\nsecond line 基因")
    except RuntimeError:
        log.exception("crawl failed\nwith detail")
    raw = capsys.readouterr().err
    records = lines(raw)
    assert len(records) == len(raw.strip().split("\n")) == 7
    assert records[0]["message"] == "line one\nline two\r\n\ttab 细胞治疗 \u2028 \x85 end"
    assert records[1]["score"] == "nan" and records[1]["inf"] == "-inf"
    assert "bad format" in str(records[4]["message"])
    assert "second line 基因" in str(records[6]["exc_info"])


def test_repeats_fold_into_one_line_per_interval_with_a_count() -> None:
    now = [0.0]
    folding = logs.RepeatFilter(10.0, clock=lambda: now[0])

    def passed(name: str, msg: str, *args: object, level: int = logging.ERROR) -> str | None:
        record = logging.LogRecord(name, level, __file__, 1, msg, args, None)
        return record.getMessage() if folding.filter(record) else None

    out = []
    for i in range(1601):  # 20 s of a broker outage, 80 errors a second
        now[0] = i * 0.0125
        out.append(passed("kafka.conn", "%s: Connect attempt returned error %s.", "node", 111))
        out.append(passed("ours", f"retry {i} after error: connection refused"))  # an f-string
    shown = [m for m in out if m is not None]
    assert len(shown) == 6  # 0 s, 10 s, 20 s for each of the two templates
    assert shown[0] == "node: Connect attempt returned error 111."
    assert shown[2] == ("node: Connect attempt returned error 111. [799 more like this in the "
                        "last 10s]")
    assert shown[3] == "retry 800 after error: connection refused [799 more like this in the " \
        "last 10s]"
    now[0] = 20.5
    assert passed("kafka.conn", "%s: Connect attempt returned error %s.", "node", 111) is None
    assert passed("kafka.conn", "other template") == "other template"
    assert passed("kafka.conn", "%s: Connect attempt returned error %s.", "n", 1,
                  level=logging.WARNING) is not None  # the level is part of the key
    now[0] += 0.001
    assert all(passed("info", "indexed %d", i, level=logging.INFO) for i in range(50))
    now[0] = 100.0
    assert passed("kafka.conn", "%s: Connect attempt returned error %s.", "node", 111) == (
        "node: Connect attempt returned error 111. [1 more like this in the last 80s]")


def test_the_handler_folds_records_of_every_logger(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure_logging("INFO")
    for name in ("kafka.conn", "aiokafka", "elastic_transport.node_pool", "cgtwatch.waits"):
        for _ in range(100):
            logging.getLogger(name).error("connection to %s refused", "127.0.0.1:9092")
    assert len(capsys.readouterr().err.strip().splitlines()) == 4


ELASTIC = "http://elastic:S3cret-pw@es.internal:9200"
HOOK = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX"


def test_redact() -> None:
    assert logs.redact(f"connect {ELASTIC}/_bulk") == (
        "connect http://elastic:***@es.internal:9200/_bulk")
    assert logs.redact(f"url: {HOOK}, body") == "url: https://hooks.slack.com/services/*** body"
    assert logs.redact("token xoxb-123-abc here", ["xoxb-123-abc"]) == "token *** here"
    assert logs.redact("http://host:9200/x and a:b@c") == "http://host:9200/x and a:b@c"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_secrets_never_reach_the_log(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    logs.configure_logging("DEBUG", fmt, secrets=["smtp-pass-abc", "xoxb-secret-token"])
    logging.getLogger("slack_sdk.webhook.async_client").debug(
        f"Sending a request - url: {HOOK}, body: {{}}, headers: {{}}")
    logging.getLogger("elastic_transport").warning("node %s failed", ELASTIC)
    try:
        raise ConnectionError(f"login with smtp-pass-abc to {ELASTIC} failed")
    except ConnectionError:
        logging.getLogger("alerts.mail").exception("xoxb-secret-token rejected")
    err = capsys.readouterr().err
    for secret in ("XXXXSECRETXXXX", "S3cret-pw", "smtp-pass-abc", "xoxb-secret-token"):
        assert secret not in err
    assert "hooks.slack.com/services/***" in err and "elastic:***@es.internal" in err


def test_chat_robot_keys_are_redacted_from_any_url() -> None:
    from cgtwatch.runtime.logs import redact

    line = redact("POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=WKEY "
                  "https://oapi.dingtalk.com/robot/send?access_token=DTOK&timestamp=1&sign=DSIG "
                  "https://open.feishu.cn/open-apis/bot/v2/hook/FHOOK "
                  "https://p.logic.azure.com/workflows/w/triggers/manual/paths/invoke?"
                  "api-version=1&sig=TSIG \"HTTP/1.1 200 OK\"")
    for secret in ("WKEY", "DTOK", "DSIG", "FHOOK", "TSIG"):
        assert secret not in line
    assert line.endswith('"HTTP/1.1 200 OK"') and "timestamp=1" in line


def test_records_of_a_self_paced_loop_are_never_folded() -> None:
    folding = logs.RepeatFilter(10.0, clock=lambda: 0.0)
    shown = 0
    for attempt in range(1, 4):  # a start-up wait logs each failed attempt, spaced by backoff
        record = logging.LogRecord("waits", logging.WARNING, __file__, 1,
                                   "waiting for Kafka (attempt %d)", (attempt,), None)
        record.paced = True
        shown += folding.filter(record)
    assert shown == 3
