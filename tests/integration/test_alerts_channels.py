"""Real channel protocols on loopback: SMTP with STARTTLS, implicit TLS and AUTH (aiosmtpd, a
self-signed certificate made here), Slack webhooks and ``chat.postMessage`` (slack_sdk against
a local receiver that answers 429 and 500): each outcome classified as sent, retryable,
permanent or ambiguous, as the delivery workers expect."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from alerts.channels import Delivery, Sender
from alerts.channels.mail import EmailSender
from alerts.channels.slack import SlackBotSender, SlackSender
from cgtwatch.devstack.localstack import free_port
from config.contracts.articles import Classification, ClassifiedArticle, LabelResult
from config.contracts.ids import article_id
from config.rules import Rule
from config.sections import SlackSettings, SmtpSettings
from tests.receivers.slack import SlackReceiver
from tests.receivers.smtp import SmtpReceiver

pytestmark = pytest.mark.integration
RULE = Rule(name="cgt", channels=["c"])
Make = Callable[..., ClassifiedArticle]


@pytest.fixture
def make_article() -> Make:
    def build(title: str = "细胞治疗新进展") -> ClassifiedArticle:
        url = "https://www.example.gov.cn/news/t1.html"
        return ClassifiedArticle(
            article_id=article_id(url), url=url, source_id="itest", title=title,
            text="CAR-T 细胞治疗", classification=Classification(
                labels=["cell_therapy"],
                results={"cell_therapy": LabelResult(score=0.9, salience="primary")}))

    return build


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(minutes=5))
                   .not_valid_after(now + dt.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName(
                       [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def server_tls(cert: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*cert)
    return context


def deliver(sender: Sender, article: ClassifiedArticle, attempts: int = 4
            ) -> tuple[Delivery, int]:
    """Try like a delivery worker would (without its backoff): until sent or not retryable."""
    payload = sender.render(RULE, article)
    outcome = Delivery(False, "not tried")
    for attempt in range(1, attempts + 1):
        outcome = asyncio.run(sender.deliver("cgt:s1:c", payload))
        if outcome.ok or not outcome.retryable:
            return outcome, attempt
    return outcome, attempts


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_over_tls_with_auth(cert: tuple[Path, Path], make_article: Make,
                                  security: str) -> None:
    port = free_port()
    smtp = SmtpReceiver(port, tls=server_tls(cert), implicit_tls=security == "ssl",
                        users={"alerts": "s3cret"}).start()
    try:
        settings = SmtpSettings(host="127.0.0.1", port=port, security=security,  # type: ignore
                                username="alerts", password=SecretStr("s3cret"),
                                ca_certs=cert[0], sender="alerts@example.org", timeout_s=10)
        outcome, attempts = deliver(EmailSender(settings, ["team@example.org"]),
                                    make_article(title="细胞治疗 <b>x</b>\r\nBcc: evil@x"))
        assert (outcome, attempts) == (Delivery(True), 1)
        (message,) = smtp.messages
        assert smtp.logins == ["alerts"]
        assert message["Bcc"] is None and "\n" not in str(message["Subject"])
        assert message.get_content_type() == "multipart/alternative"
    finally:
        smtp.stop()


def test_email_with_a_wrong_password_is_not_sent(cert: tuple[Path, Path],
                                                 make_article: Make) -> None:
    port = free_port()
    smtp = SmtpReceiver(port, tls=server_tls(cert), users={"alerts": "s3cret"}).start()
    try:
        settings = SmtpSettings(host="127.0.0.1", port=port, security="starttls",
                                username="alerts", password=SecretStr("wrong"),
                                ca_certs=cert[0], timeout_s=10)
        outcome, attempts = deliver(EmailSender(settings, ["t@example.org"]), make_article())
        assert not outcome.ok and "SMTPAuthenticationError" in outcome.error
        assert "wrong" not in outcome.error and attempts == 1 and smtp.messages == []
    finally:
        smtp.stop()


def test_email_to_a_closed_port_is_retried_then_failed(make_article: Make) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), security="none", timeout_s=2)
    outcome, attempts = deliver(EmailSender(settings, ["t@example.org"]), make_article(), 3)
    assert not outcome.ok and outcome.retryable and attempts == 3


def test_slack_webhook_429_and_500_are_retried_and_posted_once(make_article: Make) -> None:
    slack = SlackReceiver(statuses=[429, 500, 503], retry_after="0").start()
    try:
        article = make_article(title="<!channel> 基因治疗")
        outcome, attempts = deliver(SlackSender(slack.url, timeout=5), article)
        assert (outcome.ok, attempts, slack.attempts, len(slack.posts)) == (True, 4, 4, 1)
        assert "<!channel>" not in str(slack.posts[0])
    finally:
        slack.stop()


def test_slack_bot_token_posts_with_chat_post_message(make_article: Make) -> None:
    slack = SlackReceiver(statuses=[429], retry_after="0").start()
    try:
        settings = SlackSettings(bot_token=SecretStr("xoxb-test"), api_url=slack.api_url,
                                 timeout_s=5)
        sender = SlackBotSender(SecretStr("xoxb-test"), "#cgt", settings)
        outcome, attempts = deliver(sender, make_article(title="基因治疗"))
        assert (outcome.ok, attempts, len(slack.posts)) == (True, 2, 1)
        assert slack.paths == ["/api/chat.postMessage"]
        assert slack.tokens == ["Bearer xoxb-test"]
        assert slack.posts[0]["channel"] == "#cgt" and slack.posts[0]["blocks"]
        assert slack.posts[0]["metadata"] == {"event_type": "cgtwatch_alert",
                                              "event_payload": {"delivery": "cgt:s1:c"}}
    finally:
        slack.stop()


def test_slack_client_error_is_final(make_article: Make) -> None:
    slack = SlackReceiver(fail_first=5, fail_status=404).start()
    try:
        outcome, attempts = deliver(SlackSender(slack.url, timeout=5), make_article())
        assert (outcome.ok, outcome.retryable, attempts) == (False, False, 1)
    finally:
        slack.stop()


def test_slack_unreachable_is_retryable(make_article: Make) -> None:
    url = f"http://127.0.0.1:{free_port()}/services/x"
    outcome, attempts = deliver(SlackSender(url, timeout=2), make_article(), 2)
    assert (outcome.ok, outcome.retryable, attempts) == (False, True, 2)


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_doctor_checks_smtp_with_the_delivery_session_and_its_ca(cert: tuple[Path, Path],
                                                                 security: str) -> None:
    from cgtwatch.runtime.doctor import _smtp
    from config.settings import Settings

    port = free_port()
    smtp = SmtpReceiver(port, tls=server_tls(cert), implicit_tls=security == "ssl",
                        users={"alerts": "s3cret"}).start()
    try:
        values = {"host": "127.0.0.1", "port": port, "security": security,
                  "username": "alerts", "password": SecretStr("s3cret")}
        trusted = _smtp(Settings(smtp=SmtpSettings(**values, ca_certs=cert[0])))
        untrusted = _smtp(Settings(smtp=SmtpSettings(**values)))
        assert trusted.status == "ok", trusted
        assert untrusted.status == "fail" and "SSL" in untrusted.found, untrusted
        assert smtp.messages == []
    finally:
        smtp.stop()
