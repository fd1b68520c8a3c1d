"""Rule silencing: ``silence_until`` in the rules file, or ``cgtwatch rules silence``.

Input: rules (``silence_until``, a time with its zone) and silences stored durably in the
alert-history index (one document per rule, ``_id`` = ``silence:<rule>``, ``kind=silence``,
``silenced_until``), written by the CLI. Output: until when a rule is silenced, if it is.
A silenced match is still recorded in the alert history (``status=silenced`` with the reason)
and never sent, so it is neither lost from history nor sent later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elasticsearch import AsyncElasticsearch, Elasticsearch, NotFoundError

from config.contracts.wire import utcnow
from config.rules import Rule

KIND = "silence"


def silence_id(rule: str) -> str:
    return f"{KIND}:{rule}"


def silenced_until(rule: Rule, stored: dict[str, datetime], now: datetime) -> datetime | None:
    """The later of the file's and the stored silence of ``rule``, if still in force."""
    ends = [t for t in (rule.silence_until, stored.get(rule.name)) if t is not None and t > now]
    return max(ends) if ends else None


def silenced_fields(until: datetime, cause: str = "") -> dict[str, Any]:
    """The fields of an alert-history record silenced until ``until`` (recorded, never
    queued); ``cause``: what was silenced, before the reason (a notice's kind)."""
    reason = f"silenced until {until.isoformat()}"
    return {"status": "silenced", "silenced_until": until.isoformat(),
            "reason": f"{cause}; {reason}" if cause else reason}


def silence_doc(rule: str, until: datetime, by: str = "cli") -> dict[str, Any]:
    now = utcnow().isoformat()
    return {"key": silence_id(rule), "kind": KIND, "rule": rule, "status": "silenced",
            "silenced_until": until.isoformat(), "reason": f"silenced by {by}",
            "created_at": now, "updated_at": now}


_QUERY = {"term": {"kind": KIND}}


def _parse(hits: list[dict[str, Any]]) -> dict[str, datetime]:
    return {h["_source"]["rule"]: datetime.fromisoformat(h["_source"]["silenced_until"])
            for h in hits if h["_source"].get("silenced_until")}


class SilenceStore:
    """The stored silences, read by the alerter (async)."""

    def __init__(self, es: AsyncElasticsearch, index: str) -> None:
        self._es, self._index = es, index

    async def load(self) -> dict[str, datetime]:
        try:
            response = await self._es.search(index=self._index, query=_QUERY, size=1000)
        except NotFoundError:
            return {}
        return _parse(response["hits"]["hits"])


def set_silence(es: Elasticsearch, index: str, rule: str, until: datetime) -> None:
    """Silence ``rule`` until ``until`` (the CLI; replaces an earlier silence)."""
    es.index(index=index, id=silence_id(rule), document=silence_doc(rule, until), refresh=True)


def clear_silence(es: Elasticsearch, index: str, rule: str) -> bool:
    """Lift the stored silence of ``rule``; ``False`` if there was none."""
    try:
        es.delete(index=index, id=silence_id(rule), refresh=True)
    except NotFoundError:
        return False
    return True


def stored_silences(es: Elasticsearch, index: str) -> dict[str, datetime]:
    try:
        response = es.search(index=index, query=_QUERY, size=1000)
    except NotFoundError:
        return {}
    return _parse(response["hits"]["hits"])
