"""Shared readers for the compose and Dockerfile tests (deploy/compose.yaml, deploy/Dockerfile,
deploy/elasticsearch/Dockerfile, deploy/.env.example): compose services and their environment as
compose interpolates it with no .env file, Dockerfile instructions and stages, the valid setting
names and the optional validation tools."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

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
ES_VERSION = "8.19.9"  # Elasticsearch and Kibana: the 8.19 line
KAFKA_VERSION = "4.3.2"  # apache/kafka: the version the integration tests run
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
