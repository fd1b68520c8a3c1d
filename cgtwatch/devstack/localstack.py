"""The embedded default: start the local Kafka-protocol and Elasticsearch-API servers.

Input: ``Settings`` (ports, data directory). Output: a running ``noida-db`` child process
serving Kafka and Elasticsearch on loopback, with data persisted under
``<data_dir>/noida``; ``stop()`` ends it with SIGTERM so its data survives. The server runs
in its own session: Ctrl-C in the terminal reaches ``cgtwatch up`` only, which stops the
services first and the servers last (else the services would log refused connections while
they stop). When the server exits at start, the error quotes its log (e.g. another
``cgtwatch up`` already uses this data directory). A marker file
``<data_dir>/noida/cgtwatch.running`` lives while the server runs and is removed only by a
clean stop: found at start, it means the server was killed (SIGKILL, power loss) and may have
lost the writes of its last second (``unclean``; ``cgtwatch up`` then runs reconcile).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from config.settings import Settings


class LocalStackError(RuntimeError):
    pass


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def noida_binary() -> str:
    """The server binary shipped in the ``noida-db`` wheel.

    Started directly, not through the package's Python wrapper: the wrapper does not forward
    SIGTERM, so stopping it would leave the server running.
    """
    try:
        from importlib.resources import files

        binary = Path(str(files("noida_db").joinpath("noida-db")))
    except ModuleNotFoundError as exc:
        raise LocalStackError(
            "noida-db (the embedded local server) is not installed: run `make install`, or "
            "`pip install 'cgtwatch[local]'`; or point CGTWATCH_KAFKA__BOOTSTRAP_SERVERS and "
            "CGTWATCH_ELASTIC__URL at running servers") from exc
    if not binary.is_file():
        raise LocalStackError(f"noida-db binary missing at {binary}: reinstall noida-db")
    if not os.access(binary, os.X_OK):
        binary.chmod(0o755)
    return str(binary)


class LocalStack:
    """One noida-db process providing both Kafka and Elasticsearch."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data_dir = settings.paths.data_dir / "noida"
        self.marker = self.data_dir / "cgtwatch.running"
        self.process: subprocess.Popen[bytes] | None = None
        self._log_start = 0
        self.unclean = False  # the last run of the server did not stop cleanly

    def _services(self) -> list[tuple[str, int]]:
        wanted = []
        if self.settings.embedded_kafka:
            wanted.append(("kafka", self.settings.local.kafka_port))
        if self.settings.embedded_elastic:
            wanted.append(("elasticsearch", self.settings.local.elastic_port))
        return wanted

    def start(self, timeout_s: float = 30.0) -> None:
        services = self._services()
        for _, port in services:
            if port_open("127.0.0.1", port):
                raise LocalStackError(f"port {port} is already in use: stop what uses it or "
                                      "set CGTWATCH_LOCAL__KAFKA_PORT / __ELASTIC_PORT")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.unclean = self.marker.exists()
        with self.log_path.open("ab") as log:
            self._log_start = log.tell()
            self.process = subprocess.Popen(
                [noida_binary(), "start", "--only", ",".join(name for name, _ in services),
                 *[arg for name, port in services for arg in (f"--{name}-port", str(port))],
                 "--data-dir", str(self.data_dir)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        self.marker.write_text(f"{self.process.pid}\n", "utf-8")
        self.wait_healthy(timeout_s)

    @property
    def log_path(self) -> Path:
        return self.settings.paths.data_dir / "noida.log"

    def exit_reason(self) -> str:
        """Why the server exited: the last line it logged since this start, with advice."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(self._log_start)
                lines = [x.strip() for x in log.read().decode("utf-8", "replace").splitlines()]
        except OSError:
            lines = []
        last = next((x for x in reversed(lines) if x), "")
        code = self.process.returncode if self.process is not None else None
        reason = f"noida-db exited with {code}: {last or 'no output'} (log: {self.log_path})"
        if "already running" in last:
            reason += (f"; another `cgtwatch up` uses {self.settings.paths.data_dir}: stop it, "
                       "or give this one its own CGTWATCH_PATHS__DATA_DIR and ports")
        return reason

    def wait_healthy(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        url = self.settings.elastic_url
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise LocalStackError(self.exit_reason())
            if self._healthy(url):
                return
            time.sleep(0.1)
        raise LocalStackError(f"local servers not healthy after {timeout_s:.0f}s")

    def _healthy(self, url: str) -> bool:
        if self.settings.embedded_kafka and not port_open("127.0.0.1",
                                                          self.settings.local.kafka_port):
            return False
        if not self.settings.embedded_elastic:
            return True
        try:
            return httpx.get(url, timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM and wait; the marker goes only if the server exited cleanly (Ctrl-C in a
        terminal reaches it directly: it may have exited, with 0, before this is called)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return  # killed: the marker stays, the next start reconciles
        if self.process.returncode in (0, -signal.SIGTERM, -signal.SIGINT):
            self.marker.unlink(missing_ok=True)
