"""Entry points of the long-running services, one per process.

Input: ``Settings``. Output: a blocking run of the scheduler, crawler worker, Faust classifier
worker, indexer or alerter; each stops cleanly on SIGTERM/SIGINT. Each logs as
``CGTWATCH_LOG_FORMAT`` says, first waits for the servers it needs (``cgtwatch.runtime.probes``:
Kafka, and Elasticsearch for crawler, indexer and alerter; ``/readyz`` says what it waits
for), marks itself ready for ``/readyz`` once its consumer or agent has started, and (with a
health port) measures its consumer group's lag for ``/metrics``.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from types import FrameType

import faust
from elasticsearch import AsyncElasticsearch

from alerts.service import ALERTER_APP, alerter_app
from cgtwatch.runtime.health import mark_ready
from cgtwatch.runtime.logs import configure_logging
from cgtwatch.runtime.probes import await_dependencies
from config.clients import elastic
from config.labels import label_names
from config.rules import load_alert_rules
from config.settings import Settings
from indexer.agent import INDEXER_APP, register_indexer
from streams.agents import register_classifier
from streams.app import CLASSIFIER_APP, close_on_stop, create_app
from streams.process import ArticleClassifier
from streams.topics import agent_batching, handler_retry, stream_topics

log = logging.getLogger(__name__)


def on_stop(callback: Callable[[], None]) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: stopping", signum)
        callback()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def observe(settings: Settings, service: str, group: str | None) -> None:
    """Our log format (again: Faust must not replace it), a wait for the servers ``service``
    needs and, next to the health server, the consumer lag of ``group``."""
    configure_logging(settings.log_level, settings.log_format, settings.secret_values())
    await_dependencies(settings, service)
    if group is not None and settings.health_port:
        from cgtwatch.runtime.lag import watch_lag

        watch_lag(settings, group)


async def faust_ready() -> None:
    """A Faust app task: tasks start once the consumer, agents and table recovery are up."""
    mark_ready()


def run_faust(app: faust.App, settings: Settings) -> None:
    app.task(faust_ready)
    worker = faust.Worker(app, loglevel=settings.log_level.lower(), quiet=True,
                          redirect_stdouts=False, override_logging=False)
    worker.execute_from_commandline()


def load_classifier(settings: Settings) -> ArticleClassifier:
    from streams.classify import default_classifier

    return default_classifier(settings.paths.taxonomy.parent)


def run_streams(settings: Settings) -> None:
    observe(settings, "streams", CLASSIFIER_APP)  # a Faust app's consumer group is its id
    app = create_app(settings, CLASSIFIER_APP)
    register_classifier(app, stream_topics(app), load_classifier(settings),
                        settings.kafka.partitions, handler_retry(settings),
                        agent_batching(settings))
    run_faust(app, settings)


def run_indexer(settings: Settings) -> None:
    observe(settings, "indexer", INDEXER_APP)
    app = create_app(settings, INDEXER_APP)
    es = AsyncElasticsearch(**elastic(settings))
    close_on_stop(app, es.close)
    register_indexer(app, stream_topics(app), es, settings)
    run_faust(app, settings)


def run_alerter(settings: Settings) -> None:
    # a bad file fails before any wait; rules may name any label of the taxonomy
    rules = load_alert_rules(settings.paths.alert_rules, label_names(settings.paths.taxonomy))
    observe(settings, "alerter", ALERTER_APP)
    run_faust(alerter_app(settings, rules), settings)


def run_crawler(settings: Settings) -> None:
    from crawlers.jobs.worker import GROUP, CrawlerWorker

    observe(settings, "crawler", GROUP)
    worker = CrawlerWorker(settings)
    on_stop(worker.stop)
    worker.run(on_ready=mark_ready)  # its Kafka consumer and producer exist


def run_scheduler(settings: Settings) -> None:
    import threading

    from config.sources import load_sources
    from crawlers.jobs.scheduler import CrawlPlan, build_scheduler, kafka_publisher
    from crawlers.jobs.stats_listener import listen_to_stats

    sources = load_sources(settings.paths.sources)  # a bad file fails before any wait
    observe(settings, "scheduler", None)  # publishes only: no consumer group, no lag
    plan = CrawlPlan(sources, settings.crawler.first_run_spread_s)
    scheduler = build_scheduler(plan, kafka_publisher(settings))
    stopping = threading.Event()
    listen_to_stats(settings, plan.learned, stopping)
    log.info("scheduling %d sources", len(sources.enabled))
    mark_ready()  # its Kafka producer exists
    scheduler.start()


SERVICES: dict[str, Callable[[Settings], None]] = {
    "scheduler": run_scheduler,
    "crawler": run_crawler,
    "streams": run_streams,
    "indexer": run_indexer,
    "alerter": run_alerter,
}
