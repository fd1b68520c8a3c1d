"""Shared readers for the Kubernetes manifest tests (deploy/k8s): rendered resources,
pod specs, env, volumes and the valid setting names."""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, SecretStr

from config.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "deploy" / "k8s"
KUSTOMIZATION = K8S / "kustomization.yaml"
SETTINGS_ENV = K8S / "settings.env"
COPIES = K8S / "config"

WORKERS = {"crawler", "streams", "indexer", "alerter"}  # scaled consumer groups
KINDS = WORKERS | {"scheduler"}
HEALTH_PORT = 8080
DATA_DIR = "/var/lib/cgtwatch"
CONFIG_MOUNT = "/etc/cgtwatch"
SECRETS_DIR = "/run/secrets/cgtwatch"
SECRET_NAME = "cgtwatch-secrets"
ENV_CONFIGMAP = "cgtwatch-env"
PHASE_LABEL = "cgtwatch/phase"
# Read from os.environ by config/settings.py itself (model_config), not a Settings field.
EXTRA_ENV_NAMES = {"CGTWATCH_SECRETS_DIR"}
_ENV_NAME = re.compile(r"\bCGTWATCH_[A-Z0-9_]*[A-Z0-9]\b")


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
def _load_all(path: Path) -> list[dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    assert all(isinstance(d, dict) for d in docs), path
    return docs


def _kustomization() -> dict[str, Any]:
    data = yaml.safe_load(KUSTOMIZATION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _resources() -> list[dict[str, Any]]:
    """Every object listed in kustomization.yaml ``resources`` (files only, as written)."""
    out: list[dict[str, Any]] = []
    for name in _kustomization()["resources"]:
        out.extend(_load_all(K8S / name))
    return out


def _of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in _resources() if o["kind"] == kind}


def _deployments() -> dict[str, dict[str, Any]]:
    """Deployments by component (``scheduler``, ``crawler``, ...)."""
    deps = _of_kind("Deployment")
    return {d["metadata"]["labels"]["app.kubernetes.io/component"]: d for d in deps.values()}


def _setup_job() -> dict[str, Any]:
    jobs = _of_kind("Job")
    assert set(jobs) == {"cgtwatch-setup"}, sorted(jobs)
    return jobs["cgtwatch-setup"]


def _pod_specs() -> dict[str, dict[str, Any]]:
    specs = {k: d["spec"]["template"]["spec"] for k, d in _deployments().items()}
    specs["setup"] = _setup_job()["spec"]["template"]["spec"]
    return specs


def _container(pod: dict[str, Any]) -> dict[str, Any]:
    containers = pod["containers"]
    assert len(containers) == 1, "one container per pod"
    container = containers[0]
    assert isinstance(container, dict)
    return container


def _env(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


def _env_values(container: dict[str, Any]) -> dict[str, str]:
    return {name: e["value"] for name, e in _env(container).items() if "value" in e}


def _volumes(pod: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in pod.get("volumes", [])}


def _mounts(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["mountPath"]: m for m in container.get("volumeMounts", [])}


def _settings_env() -> dict[str, str]:
    """settings.env as kustomize reads it: KEY=VALUE lines, ``#`` lines are comments."""
    out: dict[str, str] = {}
    for raw in SETTINGS_ENV.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"settings.env: not KEY=VALUE: {raw!r}"
        assert key not in out, f"settings.env: {key} twice"
        out[key] = value
    return out


def _generators() -> dict[str, dict[str, Any]]:
    return {g["name"]: g for g in _kustomization()["configMapGenerator"]}


def _model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _setting_fields(model: type[BaseModel] = Settings, prefix: str = "") -> dict[str, Any]:
    """Every leaf setting as ``section__field`` (lower case) -> its annotation, recursively."""
    out: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        nested = _model(field.annotation)
        if nested is not None:
            out.update(_setting_fields(nested, f"{prefix}{name}__"))
        else:
            out[f"{prefix}{name}"] = field.annotation
    return out


def _valid_env_names() -> set[str]:
    return {f"CGTWATCH_{name}".upper() for name in _setting_fields()} | EXTRA_ENV_NAMES


def _is_secret(annotation: Any) -> bool:
    if annotation is SecretStr:
        return True
    return any(_is_secret(arg) for arg in typing.get_args(annotation))


def _quantity(value: str | int | float) -> float:
    """A Kubernetes quantity (``250m``, ``1``, ``512Mi``, ``1Gi``) as a number."""
    text = str(value)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    for suffix, factor in sorted(units.items(), key=lambda kv: -len(kv[0])):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def _port(container: dict[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    named = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    assert port in named, f"probe port {port!r} is not a container port"
    value = named[port]
    assert isinstance(value, int)
    return value


