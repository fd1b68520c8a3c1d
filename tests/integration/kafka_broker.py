"""A real Apache Kafka broker (KRaft, one node) for the integration tests.

Input: the broker's jars, fetched from Maven Central by ``make kafka`` (``tests/kafka/``) into
``.cache/kafka/<version>/jars`` (or ``CGTWATCH_TEST_KAFKA_JARS``), and Java 17. Output: a
running ``kafka.Kafka`` child process with broker and controller roles on free loopback ports,
its data in a temporary directory, stopped by PID (SIGTERM, then SIGKILL). ``missing()`` says
why no broker can start here (no java, no jars), so the tests that need one skip with it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from cgtwatch.devstack.localstack import free_port, port_open

ROOT = Path(__file__).resolve().parents[2]
POM = ROOT / "tests" / "kafka" / "pom.xml"


def kafka_version() -> str:
    """The broker version of ``tests/kafka/pom.xml`` (deploy/ runs the same)."""
    found = re.search(r"<kafka.version>([^<]+)</kafka.version>", POM.read_text("utf-8"))
    assert found is not None, f"no <kafka.version> in {POM}"
    return found.group(1)


KAFKA_VERSION = kafka_version()
JARS = ROOT / ".cache" / "kafka" / KAFKA_VERSION / "jars"
START_TIMEOUT_S = 90.0


def jars_dir() -> Path:
    return Path(os.environ.get("CGTWATCH_TEST_KAFKA_JARS", JARS))


def missing() -> str | None:
    """Why a broker cannot start here, or None."""
    if shutil.which("java") is None:
        return "no java on PATH (real Kafka needs Java 17): install a JRE, then `make kafka`"
    if not any(jars_dir().glob("kafka_2.13-*.jar")):
        return f"no Kafka jars in {jars_dir()}: run `make kafka` (needs mvn)"
    return None


def server_properties(data_dir: Path, port: int, controller_port: int) -> str:
    """One KRaft node: broker and controller; single replicas; no delay before rebalances."""
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.bootstrap.servers": f"127.0.0.1:{controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(data_dir / "logs"),
        "num.partitions": "3",
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "3",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "3",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "group.min.session.timeout.ms": "1000",
        "log.flush.interval.messages": "1000000",
    }
    return "".join(f"{key}={value}\n" for key, value in props.items())


def log4j2_config() -> str:
    return ("Configuration:\n  Appenders:\n    Console:\n      name: STDOUT\n"
            "      PatternLayout:\n        Pattern: \"[%d] %p %m (%c)%n\"\n"
            "  Loggers:\n    Root:\n      level: WARN\n      AppenderRef:\n"
            "        - ref: STDOUT\n    Logger:\n      - name: kafka.server.KafkaRaftServer\n"
            "        level: INFO\n")


@dataclass
class KafkaBroker:
    """One broker process; ``address`` is its PLAINTEXT ``host:port``."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    started_in_s: float = 0.0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _java(self, main: str, *args: str) -> list[str]:
        return ["java", "-Xmx512m", "-Xms128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.yaml'}",
                "-cp", f"{jars_dir()}/*", main, *args]

    def start(self) -> KafkaBroker:
        began = time.monotonic()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "server.properties"
        config.write_text(server_properties(self.data_dir, self.port, self.controller_port))
        (self.data_dir / "log4j2.yaml").write_text(log4j2_config())
        log_path = self.data_dir / "kafka.log"
        with log_path.open("ab") as log:
            subprocess.run(self._java("kafka.tools.StorageTool", "format", "--standalone",
                                      "-t", str(uuid.uuid4()), "-c", str(config)),
                           stdout=log, stderr=subprocess.STDOUT, check=True, timeout=60)
            self.process = subprocess.Popen(self._java("kafka.Kafka", str(config)), stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self._wait_ready(log_path)
        self.started_in_s = time.monotonic() - began
        return self

    def _wait_ready(self, log_path: Path) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                tail = log_path.read_text("utf-8", "replace")[-3000:]
                raise RuntimeError(f"kafka exited with {self.process.returncode}:\n{tail}")
            if port_open("127.0.0.1", self.port) and self._answers():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"kafka not ready after {START_TIMEOUT_S:.0f}s; see {log_path}")

    def _answers(self) -> bool:
        try:
            admin = KafkaAdminClient(bootstrap_servers=[self.address], client_id="probe",
                                     request_timeout_ms=5000)
        except KafkaError:
            return False
        try:
            admin.list_topics()
            return True
        except KafkaError:
            return False
        finally:
            admin.close()

    def stop(self, grace_s: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
