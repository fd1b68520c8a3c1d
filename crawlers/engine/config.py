"""Scrapy settings of the long-lived engine, from ``CrawlerSettings``.

Input: ``Settings``. Output: the Scrapy settings dict. Politeness is Scrapy's own machinery:
robots.txt (cached per host by ``RobotsTxtMiddleware``), downloader slots per host shared by
every source on that host, AutoThrottle, timeouts, retries with backoff
(``crawlers.engine.retry``), a redirect limit, a maximum response size and a descriptive User-Agent.
No duplicate filter (a long-lived spider would remember every URL it ever fetched; a job
dedupes its own article links). ``publish=False`` (a preview) runs no pipelines at all.
"""

from __future__ import annotations

from typing import Any

from config.settings import Settings

_RETRY = "scrapy.downloadermiddlewares.retry.RetryMiddleware"
_BACKOFF = "crawlers.engine.retry.BackoffRetryMiddleware"
PIPELINES = {"crawlers.engine.pipelines.RevisionPipeline": 100,
             "crawlers.engine.pipelines.KafkaPublishPipeline": 900}


def engine_settings(settings: Settings, publish: bool = True) -> dict[str, Any]:
    c = settings.crawler
    return {
        "CGTWATCH_SETTINGS": settings,
        "USER_AGENT": c.user_agent,
        "ROBOTSTXT_OBEY": c.obey_robots,
        "CONCURRENT_REQUESTS": c.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrent_requests_per_domain,
        "DOWNLOAD_DELAY": c.download_delay,
        "DOWNLOAD_TIMEOUT": c.download_timeout,
        "DOWNLOAD_MAXSIZE": c.download_maxsize,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_TIMES": c.retry_times,
        "CGTWATCH_RETRY_BACKOFF": c.retry_backoff_s,
        "CGTWATCH_RETRY_BACKOFF_MAX": c.retry_backoff_max_s,
        "DOWNLOADER_MIDDLEWARES": {_RETRY: None, _BACKOFF: 550},
        "REDIRECT_MAX_TIMES": c.redirect_max_times,
        "AUTOTHROTTLE_ENABLED": c.autothrottle,
        "AUTOTHROTTLE_START_DELAY": c.autothrottle_start_delay,
        "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
        "ITEM_PIPELINES": PIPELINES if publish else {},
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOGSTATS_INTERVAL": 300.0,
        "LOG_LEVEL": settings.log_level,
        "LOG_INSTALL_ROOT_HANDLER": False,  # the process's own logging stays
        "HTTPCACHE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "MEMUSAGE_ENABLED": False,
    }
