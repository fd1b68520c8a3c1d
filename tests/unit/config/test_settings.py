"""Process settings come from ``CGTWATCH_*`` variables (nested with ``__``) and never leak
secrets when printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from config.settings import CONFIG_DIR, BadSettingsError, Settings

SECRETS = {
    "CGTWATCH_KAFKA__SASL_PASSWORD": "kafka-pass-123",
    "CGTWATCH_ELASTIC__API_KEY": "es-api-key-456",
    "CGTWATCH_ELASTIC__PASSWORD": "es-pass-789",
    "CGTWATCH_SMTP__PASSWORD": "smtp-pass-abc",
    "CGTWATCH_SLACK__WEBHOOKS": json.dumps({"team": "https://hooks.slack.com/services/T/B/XYZ"}),
    "CGTWATCH_SLACK__BOT_TOKEN": "xoxb-secret-token",
}


def test_defaults_mean_embedded_local_servers(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.embedded
    assert settings.kafka_bootstrap == "127.0.0.1:9092"
    assert settings.elastic_url == "http://127.0.0.1:9200"
    assert settings.paths.sources == CONFIG_DIR / "sources.yaml"
    assert settings.kafka.security_protocol == "PLAINTEXT"


def test_nested_sections_from_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CGTWATCH_KAFKA__BOOTSTRAP_SERVERS", "k1:9092,k2:9092")
    clean_env.setenv("CGTWATCH_KAFKA__PARTITIONS", "6")
    clean_env.setenv("CGTWATCH_ELASTIC__URL", "https://es.internal:9200")
    clean_env.setenv("CGTWATCH_CRAWLER__AUTOTHROTTLE", "false")
    clean_env.setenv("CGTWATCH_WORKER__INSTANCE_ID", "crawler-7")
    clean_env.setenv("CGTWATCH_PATHS__DATA_DIR", "/var/lib/cgtwatch")
    clean_env.setenv("CGTWATCH_LOG_LEVEL", "DEBUG")
    settings = Settings()
    assert settings.kafka.bootstrap_servers == "k1:9092,k2:9092"
    assert settings.kafka_bootstrap == "k1:9092,k2:9092"
    assert settings.kafka.partitions == 6
    assert settings.elastic_url == "https://es.internal:9200"
    assert settings.crawler.autothrottle is False
    assert settings.worker.instance_id == "crawler-7"
    assert settings.paths.data_dir == Path("/var/lib/cgtwatch")
    assert settings.log_level == "DEBUG"
    assert not settings.embedded


@pytest.mark.parametrize("external", ["CGTWATCH_KAFKA__BOOTSTRAP_SERVERS", "CGTWATCH_ELASTIC__URL"])
def test_embedded_unless_both_servers_are_external(clean_env: pytest.MonkeyPatch,
                                                   external: str) -> None:
    clean_env.setenv(external, "somewhere:1234" if "KAFKA" in external else "http://somewhere:1234")
    settings = Settings()
    assert settings.embedded
    assert settings.embedded_kafka is (external != "CGTWATCH_KAFKA__BOOTSTRAP_SERVERS")
    assert settings.embedded_elastic is (external != "CGTWATCH_ELASTIC__URL")


def test_local_ports_move_the_embedded_addresses(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CGTWATCH_LOCAL__KAFKA_PORT", "19092")
    clean_env.setenv("CGTWATCH_LOCAL__ELASTIC_PORT", "19200")
    settings = Settings()
    assert settings.kafka_bootstrap == "127.0.0.1:19092"
    assert settings.elastic_url == "http://127.0.0.1:19200"


def test_slack_webhooks_are_a_json_map_of_secrets(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CGTWATCH_SLACK__WEBHOOKS", SECRETS["CGTWATCH_SLACK__WEBHOOKS"])
    hook = Settings().slack.webhooks["team"]
    assert hook.get_secret_value() == "https://hooks.slack.com/services/T/B/XYZ"


def test_secrets_are_hidden_in_repr_and_str(clean_env: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        clean_env.setenv(name, value)
    clean_env.setenv("CGTWATCH_ELASTIC__USERNAME", "elastic")
    settings = Settings()
    shown = repr(settings) + str(settings) + repr(settings.slack) + str(settings.kafka)
    for secret in ("kafka-pass-123", "es-api-key-456", "es-pass-789", "smtp-pass-abc",
                   "XYZ", "xoxb-secret-token"):
        assert secret not in shown
    assert "**********" in shown
    assert settings.smtp.password is not None
    assert settings.smtp.password.get_secret_value() == "smtp-pass-abc"


def test_container_secret_files_fill_nested_fields(clean_env: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "smtp__password").write_text("smtp-from-file", encoding="utf-8")
    (secrets / "elastic__api_key").write_text("key-from-file", encoding="utf-8")
    settings = Settings(_secrets_dir=secrets)
    assert settings.smtp.password is not None
    assert settings.smtp.password.get_secret_value() == "smtp-from-file"
    assert settings.elastic.api_key is not None
    assert settings.elastic.api_key.get_secret_value() == "key-from-file"
    assert "smtp-from-file" not in repr(settings)


def test_environment_wins_over_secret_files(clean_env: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    (tmp_path / "smtp__password").write_text("from-file", encoding="utf-8")
    clean_env.setenv("CGTWATCH_SMTP__PASSWORD", "from-env")
    settings = Settings(_secrets_dir=tmp_path)
    assert settings.smtp.password is not None
    assert settings.smtp.password.get_secret_value() == "from-env"


def test_typo_in_a_nested_name_is_an_error(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CGTWATCH_KAFKA__BOOTSTRAP_SERVER", "k1:9092")
    with pytest.raises(BadSettingsError) as caught:
        Settings()
    assert str(caught.value) == (
        "setting CGTWATCH_KAFKA__BOOTSTRAP_SERVER: no such setting (did you mean "
        "CGTWATCH_KAFKA__BOOTSTRAP_SERVERS?); rename or unset it")


def test_invalid_values_are_rejected(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CGTWATCH_KAFKA__SECURITY_PROTOCOL", "TLS")
    with pytest.raises(BadSettingsError, match="CGTWATCH_KAFKA__SECURITY_PROTOCOL: Input should "
                       "be 'PLAINTEXT', 'SSL', 'SASL_PLAINTEXT' or 'SASL_SSL'; fix or unset it"):
        Settings()


@pytest.mark.parametrize(("name", "value", "why"), [
    ("CGTWATCH_SMTP__PASSWROD", "smtp-pass-abc", "no such setting (did you mean "
     "CGTWATCH_SMTP__PASSWORD?)"),
    ("CGTWATCH_SLACK__WEBHOOKS", '{"team": "hooks.slack.com/services/T/B/XYZ"}',
     "(entry 'team'): not a URL"),
    ("CGTWATCH_SLACK__WEBHOOKS__TEAM", "htps://hooks.slack.com/services/T/B/XYZ", "not a URL"),
    ("CGTWATCH_SLACK__WEBHOOKS", "https://hooks.slack.com/services/T/B/XYZ", "not valid JSON"),
    ("CGTWATCH_ELASTIC__URL", "elastic:es-pass-789@es.internal:9200", "not a URL"),
    ("CGTWATCH_SMTP__SENDER", "ops@example.org\r\nBcc: XYZ@example.org", "line breaks"),
    ("CGTWATCH_SMTP__SENDER", "XYZ at example.org", "not an e-mail address"),
    ("CGTWATCH_KAFKA__PARTITIONS", "XYZ", "valid integer"),
])
def test_bad_values_are_named_never_shown(clean_env: pytest.MonkeyPatch, name: str,
                                          value: str, why: str) -> None:
    clean_env.setenv(name, value)
    with pytest.raises(BadSettingsError) as caught:
        Settings()
    message = str(caught.value)
    assert message.startswith(f"setting {name}") and why in message, message
    assert "\n" not in message and caught.value.__cause__ is None
    for secret in ("smtp-pass-abc", "XYZ", "es-pass-789"):
        assert secret not in message


def test_good_addresses_pass(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CGTWATCH_SMTP__SENDER", "监测@例子.中国")
    clean_env.setenv("CGTWATCH_SLACK__WEBHOOKS__TEAM", "https://hooks.slack.com/services/T/B/X")
    clean_env.setenv("CGTWATCH_ELASTIC__URL", "https://elastic:pw@es.internal:9200")
    settings = Settings()
    assert settings.smtp.sender == "监测@例子.中国"
    assert settings.elastic_url == "https://elastic:pw@es.internal:9200"


def test_secret_values_for_log_redaction(clean_env: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        clean_env.setenv(name, value)
    assert sorted(Settings().secret_values()) == sorted([
        "kafka-pass-123", "es-api-key-456", "es-pass-789", "smtp-pass-abc",
        "https://hooks.slack.com/services/T/B/XYZ", "xoxb-secret-token"])


def test_dotenv_file_in_working_directory_is_read(clean_env: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CGTWATCH_LOG_LEVEL=WARNING\n", encoding="utf-8")
    assert Settings().log_level == "WARNING"
    clean_env.setenv("CGTWATCH_LOG_LEVEL", "ERROR")
    assert Settings().log_level == "ERROR"  # the environment wins over .env


def test_settings_are_frozen(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.log_level = "DEBUG"  # type: ignore[misc]
