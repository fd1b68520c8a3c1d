"""Failures of downloads and crawls are named in words an operator can act on."""

from __future__ import annotations

import pytest
from OpenSSL.SSL import Error as SSLError
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx
from twisted.python.failure import Failure
from twisted.web.client import ResponseNeverReceived

from crawlers.engine.causes import (
    NO_LINKS,
    UNCHANGED,
    UNCHANGED_LINKS,
    Outcome,
    crawl_outcome,
    failure_cause,
)


def http_error(status: int) -> HttpError:
    url = "http://site.test/list.html"
    return HttpError(Response(url, status=status, request=Request(url)), "ignored")


@pytest.mark.parametrize(("error", "cause"), [
    (tx.DNSLookupError("no such host"), "DNS failure"),
    (tx.ConnectionRefusedError(), "connection refused"),
    (tx.TimeoutError(), "timeout"),
    (tx.TCPTimedOutError(), "timeout"),
    (DownloadTimeoutError("took longer than 2 seconds"), "timeout"),
    (http_error(403), "HTTP 403"),
    (http_error(500), "HTTP 500"),
    (IgnoreRequest("Forbidden by robots.txt"), "disallowed by robots.txt"),
    (ResponseNeverReceived([Failure(SSLError([("SSL routines", "", "bad cert")]))]),
     "TLS error"),
    (ResponseNeverReceived([Failure(tx.ConnectionLost())]), "connection lost"),
    (IgnoreRequest("max redirections reached"), "ignored: max redirections reached"),
    (ValueError("odd"), "ValueError: odd"),
])
def test_failure_causes(error: BaseException, cause: str) -> None:
    assert failure_cause(error) == cause
    assert failure_cause(Failure(error)) == cause


def test_crawl_outcomes() -> None:
    assert crawl_outcome(0, ["DNS failure"], 0, 0) == Outcome(False, "DNS failure")
    assert crawl_outcome(1, [], 1, 0) == Outcome(True, UNCHANGED)
    assert crawl_outcome(1, [], 0, 20, unchanged_links=1) == Outcome(True, UNCHANGED_LINKS)
    assert crawl_outcome(1, [], 0, 0) == Outcome(True, NO_LINKS)
    assert crawl_outcome(2, ["HTTP 404"], 0, 0) == Outcome(False, "HTTP 404")
    assert crawl_outcome(2, ["HTTP 404"], 0, 5) == Outcome(True, "HTTP 404")
    assert crawl_outcome(1, [], 0, 5) == Outcome(True, "")
    assert crawl_outcome(1, [], 0, 5, deadline=True).ok is False
