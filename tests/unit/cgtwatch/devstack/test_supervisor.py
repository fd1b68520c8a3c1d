"""The supervisor restarts dead children after a backoff and stops live ones cleanly."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from cgtwatch.devstack.supervisor import MAX_BACKOFF_S, Supervisor

EXIT_3 = [sys.executable, "-c", "import sys; print('bye', flush=True); sys.exit(3)"]
SLEEP = [sys.executable, "-c", "import time; time.sleep(30)"]


@pytest.fixture
def supervisor(tmp_path: Path) -> Iterator[Supervisor]:
    sup = Supervisor(["crasher", "sleeper"], {"CGTWATCH_TEST": "1"}, tmp_path / "logs")
    sup.children["crasher"].argv = EXIT_3
    sup.children["sleeper"].argv = SLEEP
    yield sup
    sup.stop_all(grace_s=2.0)


def wait_for_exit(sup: Supervisor, name: str) -> None:
    process = sup.children[name].process
    assert process is not None
    process.wait(timeout=10)


def test_children_default_to_cgtwatch_services(tmp_path: Path) -> None:
    sup = Supervisor(["streams", "indexer"], {}, tmp_path / "logs")
    assert sup.children["streams"].argv == [sys.executable, "-m", "cgtwatch.devstack.launch",
                                                "streams"]
    assert sup.children["indexer"].log_path == tmp_path / "logs" / "indexer.log"
    assert (tmp_path / "logs").is_dir()
    assert {c.state for c in sup.children.values()} == {"stopped"}


def test_dead_child_is_restarted_after_backoff(supervisor: Supervisor) -> None:
    supervisor.start_all()
    crasher = supervisor.children["crasher"]
    wait_for_exit(supervisor, "crasher")
    assert crasher.state == "restarting"

    before = time.monotonic()
    assert supervisor.poll() == []  # the exit is noticed, the restart is scheduled
    assert crasher.last_exit == 3
    assert 0.9 <= crasher.next_start - before <= 1.5  # first backoff: 1 s
    assert supervisor.poll() == []  # still backing off

    crasher.next_start = time.monotonic()  # let the backoff pass without sleeping
    assert supervisor.poll() == ["crasher"]
    assert crasher.restarts == 1
    assert supervisor.children["sleeper"].restarts == 0
    wait_for_exit(supervisor, "crasher")
    assert "bye\nbye\n" in crasher.log_path.read_text()  # type: ignore[union-attr]


def test_backoff_grows_and_is_capped(supervisor: Supervisor) -> None:
    supervisor.start_all()
    crasher = supervisor.children["crasher"]
    wait_for_exit(supervisor, "crasher")
    crasher.restarts = 3
    now = time.monotonic()
    supervisor.poll()
    assert 7.5 <= crasher.next_start - now <= 8.5
    crasher.next_start, crasher.restarts = 0.0, 20
    now = time.monotonic()
    supervisor.poll()
    assert MAX_BACKOFF_S - 0.5 <= crasher.next_start - now <= MAX_BACKOFF_S + 0.5


def test_long_running_child_restarts_quickly(supervisor: Supervisor) -> None:
    supervisor.start_all()
    crasher = supervisor.children["crasher"]
    wait_for_exit(supervisor, "crasher")
    crasher.restarts, crasher.started_at = 5, time.monotonic() - MAX_BACKOFF_S - 1
    now = time.monotonic()
    supervisor.poll()
    assert crasher.next_start - now <= 0.6


def test_environment_reaches_the_children(tmp_path: Path) -> None:
    sup = Supervisor(["env"], {"CGTWATCH_TEST": "from-supervisor"}, tmp_path)
    sup.children["env"].argv = [sys.executable, "-c",
                                "import os; print(os.environ['CGTWATCH_TEST'])"]
    sup.start_all()
    wait_for_exit(sup, "env")
    assert (tmp_path / "env.log").read_text().strip() == "from-supervisor"


def test_stop_all_terminates_running_children(supervisor: Supervisor) -> None:
    supervisor.start_all()
    sleeper = supervisor.children["sleeper"]
    process = sleeper.process
    assert process is not None and sleeper.state == "running"
    supervisor.stop_all(grace_s=5.0)
    assert process.returncode is not None and process.returncode < 0  # ended by a signal
    assert sleeper.process is None and sleeper.state == "stopped"
    assert supervisor.poll() == []  # stopped children are not restarted


def test_kill_simulates_a_crash(supervisor: Supervisor) -> None:
    supervisor.start_all()
    supervisor.kill("sleeper")
    sleeper = supervisor.children["sleeper"]
    assert sleeper.state == "restarting"
    supervisor.poll()
    assert sleeper.last_exit == -9


def test_table_renders_every_child(supervisor: Supervisor) -> None:
    supervisor.start_all()
    wait_for_exit(supervisor, "crasher")
    supervisor.poll()
    console = Console(width=200, file=io.StringIO())
    console.print(supervisor.table(title="local"))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "local" in text
    sleeper_row = next(line for line in text.splitlines() if "sleeper" in line)
    assert "running" in sleeper_row
    assert str(supervisor.children["sleeper"].process.pid) in sleeper_row  # type: ignore
    crasher_row = next(line for line in text.splitlines() if "crasher" in line)
    assert "restarting" in crasher_row and " 3 " in crasher_row


def test_each_child_gets_its_own_health_port(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """CGTWATCH_HEALTH_PORT set for `cgtwatch up` must not make every service bind one port."""
    from cgtwatch.devstack.stack import SERVICE_ORDER, health_ports

    monkeypatch.setenv("CGTWATCH_HEALTH_PORT", "39500")
    ports = health_ports(SERVICE_ORDER, 39500)
    assert sorted(ports.values()) == list(range(39500, 39505))
    assert len(set(health_ports(SERVICE_ORDER, None).values())) == len(SERVICE_ORDER)
    sup = Supervisor(["a", "b"], {}, tmp_path, {"a": 39500, "b": 39501})
    for child in sup.children.values():
        child.argv = [sys.executable, "-c", "import os; print(os.environ['CGTWATCH_HEALTH_PORT'])"]
    sup.start_all()
    wait_for_exit(sup, "a")
    wait_for_exit(sup, "b")
    assert [(tmp_path / f"{n}.log").read_text().strip() for n in "ab"] == ["39500", "39501"]


def test_table_says_why_a_child_keeps_exiting(tmp_path: Path) -> None:
    sup = Supervisor(["crasher"], {}, tmp_path)
    sup.children["crasher"].argv = [
        sys.executable, "-c",
        "import sys; print('starting'); print('OSError: [Errno 98] Address already in use');"
        " sys.exit(1)"]
    sup.start_all()
    wait_for_exit(sup, "crasher")
    sup.poll()
    out = io.StringIO()
    Console(width=100, file=out).print(sup.table())
    assert "Addressalreadyinuse" in "".join(out.getvalue().replace("│", "").split())
    sup.stop_all(grace_s=1.0)
