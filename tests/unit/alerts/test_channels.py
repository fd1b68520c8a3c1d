"""Delivery channels report failures instead of raising, and never leak their secrets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

import alerts.channels.mail
from alerts.channels import (
    ConsoleSender,
    Delivery,
    FileSender,
    MisconfiguredSender,
    Sender,
    build_sender,
    build_senders,
    check_channels,
)
from alerts.channels.mail import EmailSender, message_id
from alerts.channels.slack import SlackSender
from config.contracts.articles import ClassifiedArticle
from config.rules import ConsoleChannel, EmailChannel, FileChannel, Rule, SlackChannel
from config.sections import SlackSettings, SmtpSettings
from config.settings import PathSettings, Settings

Make = Callable[..., ClassifiedArticle]
RULE = Rule(name="cgt-main", channels=["c"])
HOOK = "https://hooks.slack.com/services/T000/B000/very-secret-token"


@pytest.fixture
def settings(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    return Settings(paths=PathSettings(data_dir=tmp_path / "data"),
                    slack=SlackSettings(webhooks={"team": HOOK}),
                    smtp=SmtpSettings(host="smtp.example.org", sender="alerts@example.org"))


def send(sender: Sender, article: ClassifiedArticle, key: str = "cgt-main:s1:c") -> Delivery:
    return asyncio.run(sender.deliver(key, sender.render(RULE, article)))


def test_file_sender_appends_json_lines(tmp_path: Path, make_article: Make) -> None:
    path = tmp_path / "out" / "alerts.jsonl"
    sender = FileSender(path)
    first, second = make_article(title="细胞治疗一"), make_article(title="细胞治疗二")
    assert send(sender, first) == Delivery(True)
    assert send(sender, second) == Delivery(True)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["title"] for line in lines] == ["细胞治疗一", "细胞治疗二"]
    assert "细胞治疗一" in lines[0]  # readable UTF-8, not \\u escapes
    assert json.loads(lines[0])["rule"] == "cgt-main"
    assert json.loads(lines[0])["delivery"] == "cgt-main:s1:c"


def test_file_sender_finds_a_delivery_already_written(tmp_path: Path, make_article: Make
                                                      ) -> None:
    sender = FileSender(tmp_path / "alerts.jsonl")
    since = datetime(2026, 1, 1, tzinfo=UTC)
    assert asyncio.run(sender.delivered("r:s1:f", since)) is False  # no file yet
    send(sender, make_article(), key="r:s1:f")
    assert asyncio.run(sender.delivered("r:s1:f", since)) is True
    assert asyncio.run(sender.delivered("r:s2:f", since)) is False


def test_file_sender_reports_an_unwritable_path(tmp_path: Path, make_article: Make) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    outcome = send(FileSender(blocker / "alerts.jsonl"), make_article())
    assert not outcome.ok and outcome.error.startswith("file: ")


def test_console_sender_prints_one_line(capsys: pytest.CaptureFixture[str],
                                        make_article: Make) -> None:
    assert send(ConsoleSender(), make_article(title="基因治疗")).ok
    out = capsys.readouterr().out
    assert out.startswith("ALERT {") and "基因治疗" in out and out.count("\n") == 1
    assert asyncio.run(ConsoleSender().delivered("k", datetime.now(UTC))) is None


def test_unknown_webhook_gives_a_misconfigured_sender(settings: Settings,
                                                      make_article: Make) -> None:
    sender = build_sender(SlackChannel(type="slack", name="ops", webhook="ops"), settings)
    assert isinstance(sender, MisconfiguredSender)
    outcome = send(sender, make_article())
    assert not outcome.ok
    assert "no Slack webhook named 'ops'" in outcome.error
    assert "CGTWATCH_SLACK__WEBHOOKS" in outcome.error


def test_build_senders_for_every_channel_type(settings: Settings) -> None:
    channels = [SlackChannel(type="slack", name="s", webhook="team"),
                EmailChannel(type="email", name="e", to=["a@example.org"]),
                FileChannel(type="file", name="f", path="x/alerts.jsonl"),
                ConsoleChannel(type="console", name="c")]
    senders = build_senders(channels, settings)
    assert isinstance(senders["s"], SlackSender)
    assert isinstance(senders["e"], EmailSender)
    assert isinstance(senders["f"], FileSender)
    assert isinstance(senders["c"], ConsoleSender)
    assert senders["f"]._path == settings.paths.data_dir / "x" / "alerts.jsonl"
    assert (senders["s"].min_interval_s, senders["e"].min_interval_s) == (1.0, 0.0)
    assert {s.on_interrupted for s in senders.values()} == {"resend"}


def test_channel_policies_come_from_the_rules_file(settings: Settings) -> None:
    channel = SlackChannel(type="slack", name="s", webhook="team", on_interrupted="skip",
                           min_interval_s=0.5)
    sender = build_sender(channel, settings)
    assert (sender.on_interrupted, sender.min_interval_s) == ("skip", 0.5)


def test_check_lists_configuration_problems_per_channel(settings: Settings) -> None:
    channels = [SlackChannel(type="slack", name="s", webhook="team"),
                SlackChannel(type="slack", name="bot", slack_channel="C1"),
                EmailChannel(type="email", name="e", to=["a@example.org"])]
    problems = check_channels(channels, settings)
    assert problems["s"] == [] and problems["e"] == []
    assert "CGTWATCH_SLACK__BOT_TOKEN" in problems["bot"][0]


def test_email_without_smtp_host_fails_clearly(make_article: Make) -> None:
    outcome = send(EmailSender(SmtpSettings(), ["a@example.org"]), make_article())
    assert outcome == Delivery(False, "email: CGTWATCH_SMTP__HOST is not set", retryable=False)


def test_email_message_headers_and_parts(monkeypatch: pytest.MonkeyPatch, make_article: Make
                                         ) -> None:
    sent: list[EmailMessage] = []
    monkeypatch.setattr(alerts.channels.mail, "_smtp_send",
                        lambda smtp, message: sent.append(message))
    smtp = SmtpSettings(host="smtp.example.org", sender="alerts@example.org")
    article = make_article(title="细胞治疗\r\nBcc: victim@example.org")
    sender = EmailSender(smtp, ["a@example.org", "b@example.org"])
    assert send(sender, article).ok and send(sender, article).ok
    assert send(sender, article, key="cgt-main:s2:c").ok
    message, again, other = sent
    assert message["From"] == "alerts@example.org"
    assert message["To"] == "a@example.org, b@example.org"
    assert message["Bcc"] is None
    assert "\n" not in str(message["Subject"])
    assert message["X-Cgtwatch-Delivery"] == "cgt-main:s1:c"
    assert message["Message-ID"] == again["Message-ID"] == message_id("cgt-main:s1:c",
                                                                       smtp.sender)
    assert message["Message-ID"] != other["Message-ID"]
    assert str(message["Message-ID"]).endswith("@example.org>")
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    from email.utils import parsedate_to_datetime

    sent_at = parsedate_to_datetime(str(message["Date"]))
    assert sent_at.utcoffset() is not None and abs(
        (datetime.now(UTC) - sent_at).total_seconds()) < 60


def test_email_transport_errors_are_reported(monkeypatch: pytest.MonkeyPatch,
                                             make_article: Make) -> None:
    def refuse(smtp: SmtpSettings, message: EmailMessage) -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(alerts.channels.mail, "_smtp_send", refuse)
    outcome = send(EmailSender(SmtpSettings(host="smtp.example.org"), ["a@x.org"]),
                   make_article())
    assert not outcome.ok and outcome.ambiguous  # the session had started: may have arrived
    assert outcome.error.startswith("email: ConnectionRefusedError")


@dataclass
class FakeResponse:
    status_code: int
    headers: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeWebhook:
    """Stands in for slack_sdk's webhook client."""

    answer: FakeResponse | Exception
    posted: list[dict[str, Any]] = field(default_factory=list)

    async def send_dict(self, body: dict[str, Any]) -> FakeResponse:
        self.posted.append(body)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def slack_with(answer: FakeResponse | Exception) -> tuple[SlackSender, FakeWebhook]:
    sender = SlackSender(HOOK, timeout=5)
    fake = FakeWebhook(answer)
    sender._client = fake  # type: ignore[assignment]
    return sender, fake


def test_slack_success_posts_the_rendered_message(make_article: Make) -> None:
    sender, fake = slack_with(FakeResponse(200))
    assert send(sender, make_article(title="基因治疗")) == Delivery(True)
    assert fake.posted[0]["text"] == "[cgtwatch] 基因治疗"


@pytest.mark.parametrize("headers", [{"retry-after": "7"}, {"Retry-After": ["7"]}])
def test_slack_rate_limit_carries_retry_after(make_article: Make, headers: dict[str, Any]
                                              ) -> None:
    sender, _ = slack_with(FakeResponse(429, headers))
    assert send(sender, make_article()) == Delivery(False, "slack: HTTP 429", 7.0)


def test_slack_server_error_without_retry_after(make_article: Make) -> None:
    sender, _ = slack_with(FakeResponse(500))
    assert send(sender, make_article()) == Delivery(False, "slack: HTTP 500", None)


def test_slack_network_error_does_not_leak_the_webhook(make_article: Make) -> None:
    sender, _ = slack_with(ConnectionError(f"cannot connect to {HOOK}"))
    outcome = send(sender, make_article())
    assert outcome == Delivery(False, "slack: ConnectionError", retryable=False, ambiguous=True)
    assert "very-secret-token" not in repr(outcome)


def test_a_refused_slack_connection_is_retryable_and_the_channels_fault(make_article: Make
                                                                        ) -> None:
    sender, _ = slack_with(ConnectionRefusedError(111, f"cannot connect to {HOOK}"))
    outcome = send(sender, make_article())
    assert (outcome.retryable, outcome.ambiguous, outcome.unreachable) == (True, False, True)


@dataclass
class FakeHistory:
    """Stands in for slack_sdk's web client: pages of ``conversations.history``."""

    pages: list[dict[str, Any]]
    asked: list[dict[str, Any]] = field(default_factory=list)

    async def conversations_history(self, **params: Any) -> dict[str, Any]:
        self.asked.append(params)
        return self.pages[len(self.asked) - 1]


def bot_with(pages: list[dict[str, Any]], conversation: str = "C1"
             ) -> tuple[Any, FakeHistory]:
    from pydantic import SecretStr

    from alerts.channels.slack import SlackBotSender

    sender = SlackBotSender(SecretStr("xoxb-t"), conversation, SlackSettings())
    fake = FakeHistory(pages)
    sender._client = fake  # type: ignore[assignment]
    return sender, fake


def test_slack_bot_finds_a_delivery_by_its_metadata_across_pages() -> None:
    mine = {"event_type": "cgtwatch_alert", "event_payload": {"delivery": "r:s1:bot"}}
    other = {"event_type": "cgtwatch_alert", "event_payload": {"delivery": "r:s2:bot"}}
    sender, fake = bot_with([
        {"messages": [{"ts": "2", "metadata": other}, {"ts": "1"}],
         "response_metadata": {"next_cursor": "c2"}},
        {"messages": [{"ts": "0", "metadata": mine}]}])
    since = datetime(2026, 11, 18, 4, 0, tzinfo=UTC)
    assert asyncio.run(sender.delivered("r:s1:bot", since)) is True
    assert [p.get("cursor") for p in fake.asked] == [None, "c2"]
    assert fake.asked[0]["include_all_metadata"] is True
    assert float(fake.asked[0]["oldest"]) == since.timestamp() - 60
    sender, _ = bot_with([{"messages": [{"ts": "2", "metadata": other}]}])
    assert asyncio.run(sender.delivered("r:s1:bot", since)) is False


def test_slack_bot_cannot_check_a_channel_given_by_name() -> None:
    sender, fake = bot_with([], conversation="#cgt")
    assert asyncio.run(sender.delivered("k", datetime.now(UTC))) is None and fake.asked == []


def test_retry_chooses_deliveries_not_digest_items() -> None:
    from alerts.retry import retry_query

    query = retry_query("failed", None, "cgt", "slack")
    assert {"terms": {"kind": ["immediate", "digest"]}} in query["bool"]["filter"]
    assert {"term": {"channel": "slack"}} in query["bool"]["filter"]
    assert {"term": {"status": "failed"}} in query["bool"]["filter"]
