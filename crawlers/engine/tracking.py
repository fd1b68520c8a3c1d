"""Which job each request and item belongs to, and when it is finished with.

Input: the spider's callbacks and errbacks (generator methods taking the ``JobRun`` first).
Output: wrapped callbacks that find the job from the request's meta, hold the job for every
request and item they yield, and release it once they are done, so a job ends exactly when
its last request was answered and its last item left the pipelines. Callbacks of a job that
already ended (deadline) do nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.engine.job import JobRun

RUN_KEY = "cgtwatch_run"


class Tracks(Protocol):
    runs: dict[str, JobRun]

    def count_response(self, run: JobRun, response: Response) -> None: ...


def prepare(run: JobRun, request: Request) -> Request:
    """Tie ``request`` to ``run`` and hold the run until its callback or errback ran."""
    request.meta[RUN_KEY] = run.key
    run.hold()
    return request


def _tracked(run: JobRun, produced: Iterator[Any]) -> Iterator[Any]:
    try:
        for out in produced:
            if isinstance(out, Request):
                prepare(run, out)
            elif out is not None:
                run.hold()  # released by the item_scraped/dropped/error signal
            yield out
    finally:
        run.release()


def callback(method: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """A response callback ``method(self, run, response, **kwargs)``."""
    @functools.wraps(method)
    def wrapper(self: Tracks, response: Response, **kwargs: Any) -> Iterator[Any]:
        run = self.runs.get(response.meta.get(RUN_KEY, ""))
        if run is None or run.closed:
            return iter(())
        self.count_response(run, response)
        return _tracked(run, method(self, run, response, **kwargs))
    return wrapper


def errback(method: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """A request errback ``method(self, run, failure)``."""
    @functools.wraps(method)
    def wrapper(self: Tracks, failure: Failure) -> Iterator[Any]:
        request = getattr(failure, "request", None)
        key = request.meta.get(RUN_KEY, "") if request is not None else ""
        run = self.runs.get(key)
        if run is None or run.closed:
            return iter(())
        response = getattr(failure.value, "response", None)
        if isinstance(response, Response):
            self.count_response(run, response)
        return _tracked(run, method(self, run, failure))
    return wrapper
