"""Source health: the pure decision after each crawl of a source.

Input: the source's previous ``SourceHealth`` (or None), the crawl's ``CrawlStats`` and the
number of failed runs in a row that makes a source unhealthy. Output: the new
``SourceHealth`` and, when the health changes to or from unhealthy, an ``OpsEvent`` for
operators. A source is unhealthy when its list pages yielded no article links (and were not
merely answered 304 Not Modified), or when it failed ``fail_after`` runs in a row.
"""

from __future__ import annotations

from config.contracts.crawl import CrawlStats, SourceHealth
from config.contracts.ops import OpsEvent


def is_empty(stats: CrawlStats) -> bool:
    """The crawl ran but its list pages showed no article links."""
    return stats.ok and stats.links_found == 0 and stats.not_modified == 0


def _reason(stats: CrawlStats, failures: int, fail_after: int) -> str:
    if is_empty(stats):
        return f"list pages yielded no article links ({stats.list_pages} fetched)"
    if failures >= fail_after:
        return f"{failures} failed crawls in a row; last: {stats.error or 'failed'}"
    return ""


def next_health(previous: SourceHealth | None, stats: CrawlStats, fail_after: int
                ) -> tuple[SourceHealth, OpsEvent | None]:
    """The source's state after ``stats``, and the operator event it calls for (if any)."""
    prev = previous or SourceHealth(source_id=stats.source_id)
    failures = 0 if stats.ok else prev.consecutive_failures + 1
    reason = _reason(stats, failures, fail_after)
    if reason:
        health = "unhealthy"
    elif stats.ok:
        health = "healthy"
    else:  # failed, but fewer times in a row than the threshold
        health = prev.health
    succeeded = stats.ok and not is_empty(stats)
    state = SourceHealth(
        source_id=stats.source_id, health=health, reason=reason, last_run=stats.finished_at,
        last_success=stats.finished_at if succeeded else prev.last_success,
        last_new_items=stats.articles_published,
        new_items_total=prev.new_items_total + stats.articles_published,
        last_links_found=stats.links_found, consecutive_failures=failures,
        last_error=None if stats.ok else stats.error, last_cause=stats.cause,
        last_job_id=stats.job_id,
        worker=stats.worker)
    return state, _event(prev, state)


def _event(prev: SourceHealth, state: SourceHealth) -> OpsEvent | None:
    details = {"health": state.health, "previous": prev.health,
               "consecutive_failures": state.consecutive_failures,
               "last_success": state.last_success.isoformat() if state.last_success else None,
               "job_id": state.last_job_id}
    if state.health == "unhealthy" and prev.health != "unhealthy":
        return OpsEvent(kind="source_unhealthy", subject=state.source_id, severity="error",
                        message=f"source {state.source_id} is unhealthy: {state.reason}",
                        details=details)
    if state.health == "healthy" and prev.health == "unhealthy":
        return OpsEvent(kind="source_recovered", subject=state.source_id, severity="info",
                        message=f"source {state.source_id} is healthy again", details=details)
    return None
