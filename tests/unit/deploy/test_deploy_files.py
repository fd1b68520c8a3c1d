"""Static checks of deploy/: compose structure, the Dockerfiles, documented variables.

Input: deploy/compose.yaml, deploy/Dockerfile, deploy/elasticsearch/Dockerfile, deploy/.env.example
and config.settings.Settings. No Docker engine is needed. ``deploy/validate.sh`` (compose schema and
hadolint) runs when docker-compose and hadolint are installed, and is skipped otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from config.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
COMPOSE_FILE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
ES_DOCKERFILE = DEPLOY / "elasticsearch" / "Dockerfile"
ENV_EXAMPLE = DEPLOY / ".env.example"

CGTWATCH_SERVICES = {"scheduler", "crawler", "streams", "indexer", "alerter"}
ONE_SHOT = {"setup"}
INFRA = {"kafka", "elasticsearch", "kibana"}
KIBANA_SETUP = {"kibana-setup"}  # one-shot curl import of deploy/kibana (not our image)
MONITORING = {"prometheus", "grafana"}  # see tests/unit/deploy/test_observability.py
ES_VERSION = "8.15.3"
DATA_DIR = "/var/lib/cgtwatch"
# Settings that compose deliberately does not pass through (see compose.yaml / .env.example).
NOT_PASSED = {
    "CGTWATCH_WORKER__INSTANCE_ID",  # defaults to the hostname: distinct per replica
    "CGTWATCH_LOCAL__KAFKA_PORT",  # embedded dev servers only
    "CGTWATCH_LOCAL__ELASTIC_PORT",
}
_VAR = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
_VAR_NAMES = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
def _compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _services() -> dict[str, dict[str, Any]]:
    services = _compose()["services"]
    assert isinstance(services, dict)
    return services


def _interpolate(value: str) -> str:
    """Substitute ``${VAR:-default}`` with its default, as compose does with no .env file."""
    return _VAR.sub(lambda m: m.group(3) or "", value).replace("$$", "$")


def _env(service: dict[str, Any]) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {k: (None if v is None else _interpolate(str(v))) for k, v in env.items()}


def _healthcheck_text(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else str(test)


def _instructions(path: Path) -> list[tuple[str, str]]:
    """Dockerfile instructions as (KEYWORD, arguments), comments and continuations folded."""
    out: list[tuple[str, str]] = []
    buf = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if buf and line.startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        keyword, _, args = buf.partition(" ")
        out.append((keyword.upper(), args.strip()))
        buf = ""
    return out


def _stages(path: Path) -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, args in _instructions(path):
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, args))
    return stages


def _global_args(path: Path) -> dict[str, str]:
    args: dict[str, str] = {}
    for keyword, rest in _instructions(path):
        if keyword == "FROM":
            break
        if keyword == "ARG" and "=" in rest:
            name, _, default = rest.partition("=")
            args[name] = default
    return args


def _expand_args(text: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), ""), text)


def _settings_env_names() -> set[str]:
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names.update(f"CGTWATCH_{name}__{sub}".upper() for sub in annotation.model_fields)
        else:
            names.add(f"CGTWATCH_{name}".upper())
    return names


def _compose_tool() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def _hadolint() -> str | None:
    found = shutil.which("hadolint")
    if found:
        return found
    local = ROOT / ".venv" / "bin" / "hadolint"
    return str(local) if local.exists() else None


# ----------------------------------------------------------------------------------------------
# compose.yaml
# ----------------------------------------------------------------------------------------------
def test_compose_has_the_expected_services() -> None:
    assert set(_services()) == CGTWATCH_SERVICES | ONE_SHOT | INFRA | KIBANA_SETUP | MONITORING


def test_every_service_has_a_healthcheck_or_is_one_shot() -> None:
    for name, svc in _services().items():
        hc = svc.get("healthcheck") or {}
        if name in ONE_SHOT | KIBANA_SETUP:
            assert svc.get("restart") == "no", f"{name}: a one-shot service must not restart"
            continue
        assert hc and not hc.get("disable"), f"{name}: no healthcheck"
        assert hc.get("test"), f"{name}: healthcheck without test"
        assert svc.get("restart") == "unless-stopped", f"{name}: restart policy"


def test_one_image_for_all_cgtwatch_services() -> None:
    services = _services()
    group = CGTWATCH_SERVICES | ONE_SHOT
    images = {services[n]["image"] for n in group}
    builds = {repr(services[n]["build"]) for n in group}
    assert len(images) == 1, images
    assert len(builds) == 1, builds
    build = services["setup"]["build"]
    assert build == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert {services[n]["command"][0] for n in group} == group, "one command per service"


def test_cgtwatch_services_depend_on_healthy_servers_and_setup() -> None:
    services = _services()
    for name in CGTWATCH_SERVICES:
        deps = services[name]["depends_on"]
        assert deps["kafka"]["condition"] == "service_healthy", name
        assert deps["elasticsearch"]["condition"] == "service_healthy", name
        assert deps["setup"]["condition"] == "service_completed_successfully", name
    setup = services["setup"]["depends_on"]
    assert setup == {
        "kafka": {"condition": "service_healthy"},
        "elasticsearch": {"condition": "service_healthy"},
    }
    assert services["kibana"]["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    for name, svc in services.items():
        deps = svc.get("depends_on", {})
        assert isinstance(deps, dict), f"{name}: depends_on must use conditions"
        assert all("condition" in d for d in deps.values()), name


def test_cgtwatch_healthcheck_probes_the_health_port_with_python() -> None:
    services = _services()
    for name in CGTWATCH_SERVICES:
        hc = services[name]["healthcheck"]
        assert hc["test"][0] == "CMD", name
        text = _healthcheck_text(services[name])
        assert "python" in text and "urllib.request" in text and "/healthz" in text, name
        assert "CGTWATCH_HEALTH_PORT" in text and "8080" in text, name
        assert _env(services[name])["CGTWATCH_HEALTH_PORT"] == "8080", name


def test_kafka_runs_kraft_without_zookeeper() -> None:
    services = _services()
    kafka = services["kafka"]
    env = _env(kafka)
    assert kafka["image"] == "apache/kafka:3.9.0"
    roles = {r.strip() for r in str(env["KAFKA_PROCESS_ROLES"]).split(",")}
    assert roles == {"broker", "controller"}
    assert env["KAFKA_NODE_ID"] == "1"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093"
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] == "CONTROLLER"
    assert "CONTROLLER://:9093" in str(env["KAFKA_LISTENERS"])
    assert "kafka:9092" in str(env["KAFKA_ADVERTISED_LISTENERS"])
    assert env["CLUSTER_ID"] and len(str(env["CLUSTER_ID"])) == 22
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert env["KAFKA_LOG_DIRS"] == "/var/lib/kafka/data"
    assert "kafka-data:/var/lib/kafka/data" in kafka["volumes"]
    assert "/opt/kafka/bin/kafka-broker-api-versions.sh" in _healthcheck_text(kafka)
    text = COMPOSE_FILE.read_text(encoding="utf-8").lower()
    for name, svc in services.items():
        assert "zookeeper" not in name and "zookeeper" not in str(svc.get("image", "")).lower()
        assert not any("ZOOKEEPER" in key for key in _env(svc)), name
    assert "zookeeper.connect" not in text
    app_env = _env(services["streams"])
    assert app_env["CGTWATCH_KAFKA__BOOTSTRAP_SERVERS"] == "kafka:9092"


def test_elasticsearch_single_node_with_smartcn_and_limits() -> None:
    services = _services()
    es = services["elasticsearch"]
    env = _env(es)
    assert es["build"]["context"] == "./elasticsearch"
    assert es["build"]["args"]["ES_VERSION"] == ES_VERSION
    assert env["discovery.type"] == "single-node"
    assert env["xpack.security.enabled"] == "false"
    assert re.fullmatch(r"-Xms(\S+) -Xmx\1", str(env["ES_JAVA_OPTS"]))
    assert es["ulimits"]["memlock"] == {"soft": -1, "hard": -1}
    assert es["ulimits"]["nofile"]["soft"] >= 65536
    assert "es-data:/usr/share/elasticsearch/data" in es["volumes"]
    hc = _healthcheck_text(es)
    assert "curl" in hc and "_cluster/health" in hc
    assert services["kibana"]["image"] == f"docker.elastic.co/kibana/kibana:{ES_VERSION}"
    assert _env(services["setup"])["CGTWATCH_ELASTIC__URL"] == "http://elasticsearch:9200"
    # The plugin image.
    args = _global_args(ES_DOCKERFILE)
    assert args.get("ES_VERSION") == ES_VERSION
    (stage,) = _stages(ES_DOCKERFILE)
    base = _expand_args(stage[0][1], args)
    assert base == f"docker.elastic.co/elasticsearch/elasticsearch:{ES_VERSION}"
    runs = " ".join(a for k, a in stage if k == "RUN")
    assert "elasticsearch-plugin install --batch analysis-smartcn" in runs
    assert not any(k == "USER" and a.split(":")[0] in {"root", "0"} for k, a in stage)


def test_ports_are_bound_to_loopback() -> None:
    for name, svc in _services().items():
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name}: {port} is published publicly"
        if name in CGTWATCH_SERVICES | ONE_SHOT:
            assert "ports" not in svc, name


def test_volumes_for_data_and_read_only_operator_files() -> None:
    compose = _compose()
    services = compose["services"]
    declared = set(compose["volumes"])
    assert {"kafka-data", "es-data"} <= declared
    for name in CGTWATCH_SERVICES:
        mounts = [_interpolate(str(v)) for v in services[name]["volumes"]]
        data = [m for m in mounts if m.endswith(f":{DATA_DIR}")]
        assert len(data) == 1, f"{name}: one data volume at {DATA_DIR}"
        assert data[0].split(":")[0] in declared, f"{name}: data volume must be a named volume"
        assert "../config:/etc/cgtwatch:ro" in mounts, name
        assert any(m.endswith(":/run/secrets/cgtwatch:ro") for m in mounts), name
        env = _env(services[name])
        assert env["CGTWATCH_PATHS__DATA_DIR"] == DATA_DIR
        assert env["CGTWATCH_SECRETS_DIR"] == "/run/secrets/cgtwatch"
        for key in ("SOURCES", "TAXONOMY", "ALERT_RULES"):
            assert str(env[f"CGTWATCH_PATHS__{key}"]).startswith("/etc/cgtwatch/"), name


def test_instance_id_is_left_to_the_hostname() -> None:
    """Scaled replicas need distinct static-membership ids: compose must not set one."""
    for name in CGTWATCH_SERVICES | ONE_SHOT:
        assert "CGTWATCH_WORKER__INSTANCE_ID" not in _env(_services()[name]), name


def test_compose_defaults_are_valid_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The environment compose gives a container (no .env) validates as ``Settings``."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("CGTWATCH_"):
            monkeypatch.delenv(key)
    env = {k: v for k, v in _env(_services()["streams"]).items() if v is not None}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings()  # cwd is tmp_path: no .env file is read
    assert settings.kafka.bootstrap_servers == "kafka:9092"
    assert settings.elastic.url == "http://elasticsearch:9200"
    assert str(settings.paths.data_dir) == DATA_DIR
    assert not settings.embedded


def test_every_setting_is_passed_through_and_documented() -> None:
    """A setting compose cannot pass is a setting operators cannot set: keep them in step."""
    compose_env = set(_env(_services()["streams"]))
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    documented = set(re.findall(r"\b[A-Z][A-Z0-9_]*[A-Z0-9]\b", example))
    settings = _settings_env_names()
    missing_in_compose = settings - compose_env - NOT_PASSED
    assert not missing_in_compose, (
        f"add to x-cgtwatch-env in deploy/compose.yaml: {sorted(missing_in_compose)}"
    )
    undocumented = (settings | compose_env) - documented
    assert not undocumented, f"document in deploy/.env.example: {sorted(undocumented)}"
    used = set(_VAR_NAMES.findall(COMPOSE_FILE.read_text(encoding="utf-8")))
    unexplained = sorted(used - documented)
    assert not unexplained, f"document in deploy/.env.example: {unexplained}"


# ----------------------------------------------------------------------------------------------
# deploy/Dockerfile
# ----------------------------------------------------------------------------------------------
def test_dockerfile_is_multi_stage_on_the_pinned_base() -> None:
    args = _global_args(DOCKERFILE)
    stages = _stages(DOCKERFILE)
    assert len(stages) >= 2
    for stage in stages:
        base = _expand_args(stage[0][1].split(" AS ")[0].split(" as ")[0], args).strip()
        assert base == "python:3.11-slim-bookworm", base


def test_dockerfile_runtime_stage() -> None:
    runtime = _stages(DOCKERFILE)[-1]
    keywords = [k for k, _ in runtime]
    args = {k: a for k, a in runtime}
    users = [a for k, a in runtime if k == "USER"]
    assert users, "runtime stage must switch to a non-root USER"
    assert users[-1].split(":")[0] not in {"root", "0"}
    env = " ".join(a for k, a in runtime if k == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env and "PYTHONUNBUFFERED=1" in env
    assert args["ENTRYPOINT"] == '["cgtwatch"]'
    assert args["CMD"] == '["--help"]'
    assert args["EXPOSE"] == "8080"
    assert "HEALTHCHECK" in keywords and "/healthz" in args["HEALTHCHECK"]
    copies = [a for k, a in runtime if k == "COPY"]
    assert any(a.startswith("--from=builder") and "/opt/venv" in a for a in copies)
    assert not any(not a.startswith("--from=") for a in copies), "runtime copies only the venv"
    runs = " ".join(a for k, a in runtime if k == "RUN")
    for tool in ("apt-get", "gcc", "build-essential", "pip install"):
        assert tool not in runs, f"no build tools in the runtime stage: {tool}"


def test_dockerfile_copies_every_wheel_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    builder = _stages(DOCKERFILE)[0]
    copied = {a.split()[0] for k, a in builder if k == "COPY"}
    for package in packages:
        assert package in copied, f"deploy/Dockerfile builder must COPY {package}"
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    for package in packages:
        assert f"!{package}/" in ignore, f"deploy/Dockerfile.dockerignore must admit {package}/"


# ----------------------------------------------------------------------------------------------
# deploy/validate.sh (compose schema + hadolint), when the tools are installed
# ----------------------------------------------------------------------------------------------
def test_validate_script() -> None:
    compose, hadolint = _compose_tool(), _hadolint()
    if compose is None or hadolint is None:
        pytest.skip("needs docker-compose (apt-get install docker-compose) and hadolint")
    env = {**os.environ, "HADOLINT": hadolint, "COMPOSE": " ".join(compose)}
    env = {k: v for k, v in env.items() if not k.startswith("CGTWATCH_")}
    result = subprocess.run(
        ["bash", str(DEPLOY / "validate.sh")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout
