"""Scrapy downloader middleware: Scrapy's retries, with exponential backoff between tries.

Input: responses with retryable statuses (500, 502, 503, 504, 522, 524, 408, 429) and network
errors, as Scrapy's ``RetryMiddleware`` decides. Output: the same retry requests, released
after ``CGTWATCH_RETRY_BACKOFF`` seconds, doubled per try and capped at
``CGTWATCH_RETRY_BACKOFF_MAX`` (``config.backoff``'s schedule, without jitter), so a
struggling site gets room to recover. Enabled in place of Scrapy's middleware by
``crawlers.engine.config.engine_settings``.
"""

from __future__ import annotations

import asyncio
from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings

from config.backoff import Backoff, backoff_delay


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.policy = Backoff(first_s=settings.getfloat("CGTWATCH_RETRY_BACKOFF", 1.0),
                              cap_s=settings.getfloat("CGTWATCH_RETRY_BACKOFF_MAX", 30.0),
                              jitter=0.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        return middleware

    async def _after_backoff(self, result: Any) -> Any:
        if isinstance(result, Request):
            delay = backoff_delay(max(int(result.meta.get("retry_times", 1)), 1), 0.0,
                                  self.policy)
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("cgtwatch/retry_backoff_ms", int(delay * 1000))
            await asyncio.sleep(delay)
        return result

    async def process_response(  # type: ignore[override]
            self, request: Request, response: Response) -> Request | Response:
        result: Request | Response = await self._after_backoff(
            super().process_response(request, response))
        return result

    async def process_exception(  # type: ignore[override]
            self, request: Request, exception: Exception) -> Request | Response | None:
        result: Request | Response | None = await self._after_backoff(
            super().process_exception(request, exception))
        return result
