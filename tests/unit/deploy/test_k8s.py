"""Static checks of deploy/k8s: the Kubernetes manifests and their kustomization.

Input: deploy/k8s/*.yaml, deploy/k8s/settings.env, deploy/k8s/config/ (copies of config/) and
config.settings.Settings. No cluster is needed. The manifests are parsed with PyYAML and their
structure is asserted; ``kubectl kustomize`` renders them when kubectl is installed, and
``deploy/validate.sh k8s`` (offline schema validation with the PyPI package
kubernetes-validate) runs when that is installed. Both are skipped otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, SecretStr

from config.settings import CONFIG_DIR, Settings

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


# ----------------------------------------------------------------------------------------------
# Deployments and the setup Job
# ----------------------------------------------------------------------------------------------
def test_one_deployment_per_worker_kind_from_one_image() -> None:
    deployments = _deployments()
    assert set(deployments) == KINDS
    for kind, dep in deployments.items():
        assert dep["metadata"]["name"] == f"cgtwatch-{kind}"
        selector = dep["spec"]["selector"]["matchLabels"]
        labels = dep["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), kind
        assert selector["app.kubernetes.io/component"] == kind
        container = _container(dep["spec"]["template"]["spec"])
        assert container["image"] == "cgtwatch", "the image comes from kustomization `images`"
        assert container["args"] == [kind], kind
        assert "command" not in container, "ENTRYPOINT is cgtwatch"
    assert _container(_pod_specs()["setup"])["args"] == ["setup"]


def test_scheduler_runs_once_and_workers_scale_within_partitions() -> None:
    deployments = _deployments()
    scheduler = deployments["scheduler"]["spec"]
    assert scheduler["replicas"] == 1
    assert scheduler["strategy"] == {"type": "Recreate"}
    partitions = int(_settings_env()["CGTWATCH_KAFKA__PARTITIONS"])
    for kind in WORKERS:
        replicas = deployments[kind]["spec"]["replicas"]
        assert 2 <= replicas <= partitions, f"{kind}: 2 <= replicas <= partitions"
        assert deployments[kind]["spec"]["strategy"]["type"] == "RollingUpdate"
    hpa = _load_all(K8S / "hpa.example.yaml")[0]
    assert hpa["spec"]["maxReplicas"] <= partitions


def test_probes_on_the_health_port() -> None:
    for kind, dep in _deployments().items():
        container = _container(dep["spec"]["template"]["spec"])
        assert _env_values(container)["CGTWATCH_HEALTH_PORT"] == str(HEALTH_PORT), kind
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            get = container[probe]["httpGet"]
            assert get["path"] == path, f"{kind}: {probe}"
            assert _port(container, get["port"]) == HEALTH_PORT, f"{kind}: {probe}"
    assert "livenessProbe" not in _container(_pod_specs()["setup"]), "one-shot: no probes"


def test_resources_per_kind() -> None:
    limits: dict[str, dict[str, float]] = {}
    requests: dict[str, dict[str, float]] = {}
    for name, pod in _pod_specs().items():
        res = _container(pod)["resources"]
        for what in ("cpu", "memory"):
            assert _quantity(res["requests"][what]) <= _quantity(res["limits"][what]), name
        limits[name] = {k: _quantity(v) for k, v in res["limits"].items()}
        requests[name] = {k: _quantity(v) for k, v in res["requests"].items()}
    workers = set(_deployments())
    assert max(workers, key=lambda k: limits[k]["memory"]) == "crawler"
    assert max(workers, key=lambda k: requests[k]["memory"]) in {"crawler", "streams"}
    assert max(workers, key=lambda k: requests[k]["cpu"]) == "streams"
    assert max(workers, key=lambda k: limits[k]["cpu"]) == "streams"


def test_security_context() -> None:
    for name, pod in _pod_specs().items():
        ctx = pod["securityContext"]
        assert ctx["runAsNonRoot"] is True, name
        assert ctx["runAsUser"] == 10001 and ctx["runAsGroup"] == 10001, name
        assert ctx["fsGroup"] == 10001, f"{name}: secret files are group-readable"
        assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False, name
        assert pod.get("hostNetwork") is not True and pod.get("hostPID") is not True, name
        container = _container(pod)
        cctx = container["securityContext"]
        assert cctx["readOnlyRootFilesystem"] is True, name
        assert cctx["allowPrivilegeEscalation"] is False, name
        assert cctx["capabilities"] == {"drop": ["ALL"]}, name
        assert cctx.get("privileged") is not True, name
        # Writable: the data directory and /tmp, both emptyDir.
        volumes, mounts = _volumes(pod), _mounts(container)
        assert _env_values(container)["CGTWATCH_PATHS__DATA_DIR"] == DATA_DIR, name
        for path in (DATA_DIR, "/tmp"):
            assert path in mounts and not mounts[path].get("readOnly"), f"{name}: {path}"
            assert "emptyDir" in volumes[mounts[path]["name"]], f"{name}: {path}"


def test_instance_id_is_the_pod_name() -> None:
    for name, pod in _pod_specs().items():
        env = _env(_container(pod))["CGTWATCH_WORKER__INSTANCE_ID"]
        assert env == {"name": "CGTWATCH_WORKER__INSTANCE_ID",
                       "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}, name
    assert "CGTWATCH_WORKER__INSTANCE_ID" not in _settings_env()


def test_settings_come_from_the_env_configmap() -> None:
    for name, pod in _pod_specs().items():
        refs = [e["configMapRef"]["name"] for e in _container(pod)["envFrom"]]
        assert refs == [ENV_CONFIGMAP], name


def test_operator_files_mounted_read_only_from_configmaps() -> None:
    generators = _generators()
    top_keys = {Path(f).name for f in generators["cgtwatch-operator-files"]["files"]}
    gazetteer_keys = {Path(f).name for f in generators["cgtwatch-gazetteers"]["files"]}
    for name, pod in _pod_specs().items():
        container = _container(pod)
        mount = _mounts(container)[CONFIG_MOUNT]
        assert mount["readOnly"] is True, name
        sources = _volumes(pod)[mount["name"]]["projected"]["sources"]
        by_name = {s["configMap"]["name"]: s["configMap"] for s in sources}
        assert set(by_name) == {"cgtwatch-operator-files", "cgtwatch-gazetteers"}, name
        assert "items" not in by_name["cgtwatch-operator-files"], f"{name}: every key"
        items = {i["key"]: i["path"] for i in by_name["cgtwatch-gazetteers"]["items"]}
        assert items == {k: f"gazetteers/{k}" for k in gazetteer_keys}, name
        env = _env_values(container)
        for key in ("SOURCES", "TAXONOMY", "ALERT_RULES"):
            path = Path(env[f"CGTWATCH_PATHS__{key}"])
            assert str(path.parent) == CONFIG_MOUNT and path.name in top_keys, f"{name}: {key}"


def test_secret_mounted_as_files_at_the_secrets_dir() -> None:
    for name, pod in _pod_specs().items():
        container = _container(pod)
        assert _env_values(container)["CGTWATCH_SECRETS_DIR"] == SECRETS_DIR, name
        mount = _mounts(container)[SECRETS_DIR]
        assert mount["readOnly"] is True, name
        secret = _volumes(pod)[mount["name"]]["secret"]
        assert secret["secretName"] == SECRET_NAME, name
        assert secret["defaultMode"] & 0o007 == 0, f"{name}: not world-readable"


def test_setup_job() -> None:
    job = _setup_job()
    spec = job["spec"]
    assert spec["backoffLimit"] >= 1
    assert spec["ttlSecondsAfterFinished"] > 0
    assert spec["template"]["spec"]["restartPolicy"] in {"Never", "OnFailure"}
    assert job["metadata"]["labels"][PHASE_LABEL] == "prerequisites"


def test_pod_disruption_budgets_for_the_scaled_workers() -> None:
    pdbs = list(_of_kind("PodDisruptionBudget").values())
    deployments = _deployments()
    covered: set[str] = set()
    for pdb in pdbs:
        selector = pdb["spec"]["selector"]["matchLabels"]
        kind = selector["app.kubernetes.io/component"]
        assert selector == deployments[kind]["spec"]["selector"]["matchLabels"]
        assert pdb["spec"].get("maxUnavailable") == 1, kind
        covered.add(kind)
    assert covered == WORKERS, "one budget per scaled worker kind; none for the scheduler"
    assert len(pdbs) == len(WORKERS)


# ----------------------------------------------------------------------------------------------
# rendered output (kubectl kustomize) and schema validation, when the tools are installed
# ----------------------------------------------------------------------------------------------
def _render() -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("needs kubectl (kubectl kustomize) to render deploy/k8s")
    done = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    docs = [d for d in yaml.safe_load_all(done.stdout) if d]
    assert all(isinstance(d, dict) for d in docs)
    return docs


def test_rendered_output_references_the_generated_configmaps() -> None:
    docs = _render()
    configmaps = {d["metadata"]["name"] for d in docs if d["kind"] == "ConfigMap"}
    for base in _generators():
        assert any(re.fullmatch(rf"{base}-[a-z0-9]{{10}}", n) for n in configmaps), base
    image = _kustomization()["images"][0]
    for doc in docs:
        if doc["kind"] not in {"Namespace"}:
            assert doc["metadata"]["namespace"] == "cgtwatch", doc["metadata"]["name"]
        if doc["kind"] in {"Deployment", "Job"}:
            pod = doc["spec"]["template"]["spec"]
            container = _container(pod)
            assert container["image"] == f"{image['newName']}:{image['newTag']}"
            (ref,) = container["envFrom"]
            assert ref["configMapRef"]["name"] in configmaps
            for volume in pod["volumes"]:
                for source in volume.get("projected", {}).get("sources", []):
                    assert source["configMap"]["name"] in configmaps
    # First-install step: `kubectl apply -k deploy/k8s -l cgtwatch/phase=prerequisites`.
    first = {(d["kind"], d["metadata"]["name"]) for d in docs
             if d["metadata"].get("labels", {}).get(PHASE_LABEL) == "prerequisites"}
    assert {k for k, _ in first} == {"Namespace", "ServiceAccount", "ConfigMap", "Job"}


def test_validate_script_k8s() -> None:
    found = shutil.which("kubernetes-validate") or str(ROOT / ".venv" / "bin" /
                                                       "kubernetes-validate")
    if not Path(found).exists():
        pytest.skip("needs kubernetes-validate (pip install kubernetes-validate)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CGTWATCH_")}
    env["KUBERNETES_VALIDATE"] = found
    result = subprocess.run(["bash", str(ROOT / "deploy" / "validate.sh"), "k8s"],
                            capture_output=True, text=True, env=env, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout
    assert "ok: kubernetes-validate" in result.stdout
