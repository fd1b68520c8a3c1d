"""Kubernetes manifests (deploy/k8s): kustomization, operator-file ConfigMaps, settings and
secrets are consistent with the code's Settings and config/ files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from config.settings import CONFIG_DIR, Settings
from tests.unit.deploy.k8s_support import (
    _ENV_NAME,
    CONFIG_MOUNT,
    COPIES,
    DATA_DIR,
    ENV_CONFIGMAP,
    HEALTH_PORT,
    K8S,
    PHASE_LABEL,
    SECRET_NAME,
    SETTINGS_ENV,
    _container,
    _deployments,
    _env,
    _env_values,
    _generators,
    _is_secret,
    _kustomization,
    _load_all,
    _of_kind,
    _pod_specs,
    _setting_fields,
    _settings_env,
    _valid_env_names,
)


# ----------------------------------------------------------------------------------------------
# kustomization and files
# ----------------------------------------------------------------------------------------------
def test_kustomization_lists_every_manifest_file() -> None:
    kustomization = _kustomization()
    assert kustomization["namespace"] == "cgtwatch"
    listed = set(kustomization["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    examples = {n for n in on_disk if n.endswith(".example.yaml")}
    assert examples == {"secret.example.yaml", "hpa.example.yaml"}
    assert listed == on_disk - examples, "every manifest is listed; examples are not"
    assert not listed & examples, "the example Secret must never be applied by `apply -k`"
    (image,) = kustomization["images"]
    assert image["name"] == "cgtwatch" and image["newName"] and image["newTag"]


def test_namespace_enforces_the_restricted_pod_security_standard() -> None:
    (namespace,) = _of_kind("Namespace").values()
    labels = namespace["metadata"]["labels"]
    assert namespace["metadata"]["name"] == _kustomization()["namespace"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_operator_file_copies_equal_config() -> None:
    """kustomize cannot read ../../config: deploy/k8s/config/ must mirror it exactly."""
    wanted = sorted([*CONFIG_DIR.glob("*.yaml"), *CONFIG_DIR.glob("gazetteers/*.yaml")])
    assert wanted, "config/ has no operator files"
    copies = sorted(p for p in COPIES.rglob("*") if p.is_file())
    expected = [COPIES / p.relative_to(CONFIG_DIR) for p in wanted]
    hint = "run deploy/k8s/sync-config.sh"
    assert copies == expected, f"deploy/k8s/config/ has other files than config/: {hint}"
    for src, copy in zip(wanted, expected, strict=True):
        assert copy.read_bytes() == src.read_bytes(), f"{copy} differs from {src}: {hint}"


def test_generators_cover_every_operator_file() -> None:
    generators = _generators()
    assert generators[ENV_CONFIGMAP]["envs"] == [SETTINGS_ENV.name]
    files = [*generators["cgtwatch-operator-files"]["files"],
             *generators["cgtwatch-gazetteers"]["files"]]
    assert sorted(K8S / f for f in files) == sorted(p for p in COPIES.rglob("*.yaml"))
    top = {Path(f).name for f in generators["cgtwatch-operator-files"]["files"]}
    assert top == {"sources.yaml", "taxonomy.yaml", "alert_rules.yaml"}
    labels = _kustomization()["generatorOptions"]["labels"]
    assert labels[PHASE_LABEL] == "prerequisites"


# ----------------------------------------------------------------------------------------------
# settings: names, values, secrets
# ----------------------------------------------------------------------------------------------
def test_every_cgtwatch_name_is_a_real_setting() -> None:
    """Any CGTWATCH_* name in deploy/k8s (manifests, settings.env, README, comments included)."""
    valid = _valid_env_names()
    files = [p for p in K8S.rglob("*") if p.is_file() and COPIES not in p.parents]
    used: dict[str, set[str]] = {}
    for path in files:
        for name in _ENV_NAME.findall(path.read_text(encoding="utf-8")):
            used.setdefault(name, set()).add(path.name)
    unknown = {name: sorted(where) for name, where in used.items() if name not in valid}
    assert not unknown, f"not settings of config.settings.Settings: {unknown}"
    for name, pod in _pod_specs().items():
        for env in _env(_container(pod)):
            assert env in valid, f"{name}: {env}"


def test_settings_env_points_at_external_servers_and_holds_no_secret() -> None:
    env = _settings_env()
    fields = _setting_fields()
    assert env["CGTWATCH_KAFKA__BOOTSTRAP_SERVERS"]
    assert env["CGTWATCH_ELASTIC__URL"]
    assert env["CGTWATCH_KAFKA__SECURITY_PROTOCOL"]
    assert int(env["CGTWATCH_KAFKA__PARTITIONS"]) >= 12, "choose partitions generously"
    for key in env:
        name = key.removeprefix("CGTWATCH_").lower()
        assert not _is_secret(fields.get(name)), f"{key} is a secret: use the Secret"
    fixed = {"CGTWATCH_WORKER__INSTANCE_ID", "CGTWATCH_SECRETS_DIR", "CGTWATCH_HEALTH_PORT"}
    fixed |= {k for k in _valid_env_names() if k.startswith("CGTWATCH_PATHS__")}
    assert not fixed & set(env), "paths, health port and instance id are set per Deployment"


def test_settings_validate_with_the_pod_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """settings.env plus a Deployment's env (instance id = pod name) is a valid ``Settings``."""
    monkeypatch.chdir(tmp_path)  # no .env file is read
    for key in list(os.environ):
        if key.startswith("CGTWATCH_"):
            monkeypatch.delenv(key)
    container = _container(_deployments()["streams"]["spec"]["template"]["spec"])
    env = {**_settings_env(), **_env_values(container)}
    env["CGTWATCH_WORKER__INSTANCE_ID"] = "cgtwatch-streams-5d9c7b6f8-x2k4q"
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert not settings.embedded
    assert settings.kafka.partitions == int(env["CGTWATCH_KAFKA__PARTITIONS"])
    assert str(settings.paths.data_dir) == DATA_DIR
    assert settings.worker.instance_id == env["CGTWATCH_WORKER__INSTANCE_ID"]
    assert settings.health_port == HEALTH_PORT
    # The classifier reads gazetteers from the taxonomy's directory.
    assert str(settings.paths.taxonomy.parent) == CONFIG_MOUNT


def test_example_secret_keys_are_secret_settings() -> None:
    (secret,) = _load_all(K8S / "secret.example.yaml")
    assert secret["kind"] == "Secret" and secret["metadata"]["name"] == SECRET_NAME
    fields = _setting_fields()
    secret_fields = {name for name, annotation in fields.items() if _is_secret(annotation)}
    data = secret["stringData"]
    assert set(data) == secret_fields, "document every secret setting, and only those"
    for key, value in data.items():
        assert "CHANGE" in value, f"{key}: placeholder values only"


def test_kubernetes_secret_volume_layout_is_read(tmp_path: Path) -> None:
    """A Secret volume holds ``key -> ..data/key`` links and hidden ``..<timestamp>`` dirs."""
    stamp = tmp_path / "..2026_01_01_00_00_00.000000000"
    stamp.mkdir()
    (stamp / "smtp__password").write_text("s3cret", encoding="utf-8")
    (stamp / "kafka_ca.crt").write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    (tmp_path / "..data").symlink_to(stamp.name)
    for key in ("smtp__password", "kafka_ca.crt"):
        (tmp_path / key).symlink_to(f"..data/{key}")
    settings = Settings(_secrets_dir=tmp_path)
    assert settings.smtp.password is not None
    assert settings.smtp.password.get_secret_value() == "s3cret"


