"""Static checks of deploy/Dockerfile (multi-stage, pinned base, non-root runtime with only the
venv) and ``deploy/validate.sh`` (compose schema and hadolint), which runs when docker-compose
and hadolint are installed and is skipped otherwise.

Input: deploy/Dockerfile, deploy/Dockerfile.dockerignore and pyproject.toml, read through
``tests.unit.deploy.deploy_support``. No Docker engine is needed.
"""

from __future__ import annotations

import os
import subprocess
import tomllib

import pytest

from tests.unit.deploy.deploy_support import (
    DEPLOY,
    DOCKERFILE,
    ROOT,
    _compose_tool,
    _expand_args,
    _global_args,
    _hadolint,
    _stages,
)


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
