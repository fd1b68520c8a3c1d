"""Kubernetes manifests (deploy/k8s): Deployments, probes, resources, security, the setup Job,
disruption budgets, and the offline schema validation of the rendered output."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.deploy.k8s_support import (
    CONFIG_MOUNT,
    DATA_DIR,
    ENV_CONFIGMAP,
    HEALTH_PORT,
    K8S,
    KINDS,
    PHASE_LABEL,
    ROOT,
    SECRET_NAME,
    SECRETS_DIR,
    WORKERS,
    _container,
    _deployments,
    _env,
    _env_values,
    _generators,
    _kustomization,
    _load_all,
    _mounts,
    _of_kind,
    _pod_specs,
    _port,
    _quantity,
    _settings_env,
    _setup_job,
    _volumes,
)


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
