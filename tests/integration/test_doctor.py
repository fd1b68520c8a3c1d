"""``cgtwatch doctor`` against a real local stack: all green after setup, and a broken
setup is reported with how to fix it."""

from __future__ import annotations

import pytest

from cgtwatch.runtime.doctor import run_checks
from tests.integration.conftest import Env

pytestmark = pytest.mark.integration


def test_doctor_passes_on_a_set_up_stack(stack: Env) -> None:
    checks = {c.name: c for c in run_checks(stack.settings)}
    failed = [c for c in checks.values() if c.status == "fail"]
    assert not failed, failed
    assert checks["topic articles.raw"].found.endswith("partitions")
    assert checks["smtp"].status == "ok"


def test_doctor_names_what_is_missing_and_the_fix(stack: Env) -> None:
    stack.es.indices.delete(index="cgtwatch-articles-v2")
    checks = {c.name: c for c in run_checks(stack.settings)}
    assert checks["alias cgtwatch-articles"].status == "fail"
    assert "cgtwatch setup" in checks["alias cgtwatch-articles"].fix
