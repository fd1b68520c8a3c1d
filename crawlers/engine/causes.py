"""Why a request or a crawl failed, in words (pure).

Input: the exception of a failed download (Twisted's, Scrapy's, pyOpenSSL's, possibly wrapped
in Twisted's ``ResponseFailed``/``ResponseNeverReceived``), or the counts of a finished crawl.
Output: a short cause an operator can act on: ``DNS failure``, ``connection refused``,
``timeout``, ``TLS error``, ``HTTP 403``, ``disallowed by robots.txt``, ``no article links
found``, ``unchanged (304)``. Used by the spider's errbacks, ``crawl.stats``, the sources
index, ``cgtwatch sources status`` and ``cgtwatch crawl``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from OpenSSL.SSL import Error as SSLError
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed

DNS = "DNS failure"
REFUSED = "connection refused"
TIMEOUT = "timeout"
TLS = "TLS error"
ROBOTS = "disallowed by robots.txt"
NO_LINKS = "no article links found"
UNCHANGED = "unchanged (304)"
UNCHANGED_LINKS = "unchanged (same article links)"
CANCELLED = "download cancelled (larger than the maximum size?)"
CONNECTION_LOST = "connection lost"
DEADLINE = "job deadline passed"

_BY_TYPE: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((tx.DNSLookupError, CannotResolveHostError), DNS),
    ((tx.ConnectionRefusedError, DownloadConnectionRefusedError), REFUSED),
    ((tx.TimeoutError, tx.TCPTimedOutError, DownloadTimeoutError), TIMEOUT),
    ((SSLError,), TLS),
    ((DownloadCancelledError, CancelledError), CANCELLED),
    ((tx.ConnectionLost, tx.ConnectionDone, ResponseDataLossError), CONNECTION_LOST),
)


def _unwrapped(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps (Twisted's ``reasons`` lists, ``__cause__``), outer first."""
    yield exc
    if isinstance(exc, ResponseFailed):
        for reason in exc.reasons:
            inner = reason.value if isinstance(reason, Failure) else reason
            if isinstance(inner, BaseException):
                yield from _unwrapped(inner)
    if exc.__cause__ is not None:
        yield from _unwrapped(exc.__cause__)


def failure_cause(error: BaseException | Failure) -> str:
    """The cause of one failed request, in words."""
    exc = error.value if isinstance(error, Failure) else error
    if not isinstance(exc, BaseException):
        return "unknown error"
    for inner in _unwrapped(exc):
        if isinstance(inner, HttpError):
            return f"HTTP {inner.response.status}"
        for types, cause in _BY_TYPE:
            if isinstance(inner, types):
                return cause
        if "robots.txt" in str(inner) and isinstance(inner, IgnoreRequest):
            return ROBOTS
    if isinstance(exc, IgnoreRequest):
        return f"ignored: {exc}" if str(exc) else "ignored"
    name = type(exc).__name__
    return f"{name}: {exc}" if str(exc) else name


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a crawl ended: ok or not, and why (``cause`` is empty for an ordinary success)."""

    ok: bool
    cause: str


def crawl_outcome(list_pages: int, list_failures: list[str], not_modified: int,
                  links_found: int, unchanged_links: int = 0, deadline: bool = False
                  ) -> Outcome:
    """The outcome of one crawl from its counts: the first list-page failure wins."""
    if deadline:
        return Outcome(False, DEADLINE)
    if list_failures and list_pages == 0:
        return Outcome(False, list_failures[0])
    if list_pages and not_modified >= list_pages:
        return Outcome(True, UNCHANGED)
    if list_pages and unchanged_links + not_modified >= list_pages:
        return Outcome(True, UNCHANGED_LINKS)
    if links_found == 0:
        if list_failures:
            return Outcome(False, list_failures[0])
        return Outcome(True, NO_LINKS)
    return Outcome(True, list_failures[0] if list_failures else "")
