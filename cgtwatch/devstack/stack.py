"""The whole local pipeline as one object: servers, setup, supervised services, status.

Input: ``Settings`` and optional environment overrides for the children. Output: a running
stack (``start``), a status table with pipeline counts, and a clean ``stop`` (services
first, then the local servers). Every service gets its own health port (``/metrics`` feeds
the live view): ``CGTWATCH_HEALTH_PORT`` + 0, 1, 2 … when set, else free ports. Used by
``cgtwatch up``, ``cgtwatch demo`` and the integration tests.
"""

from __future__ import annotations

from elasticsearch import Elasticsearch
from rich.console import Group
from rich.table import Table

from cgtwatch.devstack.localstack import LocalStack, free_port
from cgtwatch.devstack.supervisor import Supervisor
from cgtwatch.runtime import preflight
from cgtwatch.runtime.bootstrap import setup_all
from cgtwatch.runtime.reconcile import ReconcileResult, reconcile_configured
from config.clients import elastic
from config.settings import Settings
from indexer.documents import articles_alias

SERVICE_ORDER = ["streams", "indexer", "alerter", "crawler", "scheduler"]


def health_ports(services: list[str], base: int | None) -> dict[str, int]:
    """One port per service: ``base`` + its position, or a free port each."""
    if base:
        return {name: base + n for n, name in enumerate(services)}
    return {name: free_port() for name in services}


class Stack:
    def __init__(self, settings: Settings, env: dict[str, str] | None = None,
                 services: list[str] | None = None) -> None:
        self.settings = settings
        self.log_dir = settings.paths.data_dir / "logs"
        self.local = LocalStack(settings) if settings.embedded else None
        names = services or SERVICE_ORDER
        self.health_ports = health_ports(names, settings.health_port)
        self.supervisor = Supervisor(names, env or {}, self.log_dir, self.health_ports)
        self._es: Elasticsearch | None = None
        self.reconciled: ReconcileResult | None = None
        self.reconcile_error = ""

    def start(self) -> None:
        """Check the configuration (``cgtwatch.preflight``), then start the local servers,
        set up topics and indices, and start every service."""
        preflight.check(self.settings)  # nothing runs half-configured
        self.settings.paths.data_dir.mkdir(parents=True, exist_ok=True)
        if self.local is not None:
            self.local.start()
        setup_all(self.settings)
        self.supervisor.start_all()
        if self.local is not None and self.local.unclean:
            self._reconcile()

    def _reconcile(self) -> None:
        """The local servers were killed: find what they lost and bring it back."""
        try:
            self.reconciled = reconcile_configured(self.settings, all_sources=True)
        except Exception as exc:  # the pipeline still runs; the operator can run it again
            self.reconcile_error = (f"reconcile after an unclean stop failed "
                                    f"({type(exc).__name__}); run `cgtwatch reconcile "
                                    "--all-sources`")

    def stop(self) -> None:
        self.supervisor.stop_all()
        if self._es is not None:
            self._es.close()
        if self.local is not None:
            self.local.stop()

    @property
    def es(self) -> Elasticsearch:
        if self._es is None:
            options = {**elastic(self.settings), "max_retries": 0, "request_timeout": 5}
            self._es = Elasticsearch(**options)
        return self._es

    def counts(self) -> dict[str, int]:
        """Documents in the articles and alert-history indices (best effort)."""
        prefix = self.settings.elastic.index_prefix
        out: dict[str, int] = {}
        for name, index in (("indexed", articles_alias(prefix)), ("alerts", f"{prefix}-alerts")):
            try:
                out[name] = int(self.es.count(index=index)["count"])
            except Exception:
                out[name] = -1
        return out

    def table(self) -> Group:
        counts = self.counts()
        summary = Table(show_header=False, box=None)
        summary.add_row("articles indexed", str(counts["indexed"]))
        summary.add_row("alert deliveries", str(counts["alerts"]))
        return Group(self.supervisor.table(), summary)
