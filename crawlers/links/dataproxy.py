"""Paging of Hanweb ``jpage`` data-proxy requests (pure).

Input: the URL of one data-proxy request (``startrecord``, ``endrecord``, ``perpage`` in its
query), the number of ``<record>`` items its XML answer held, and that XML (which may carry
``<totalrecord>``). Output: the URL of the next request, or None when the column is
exhausted. The POST form stays the same from page to page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)


def total_records(xml: str) -> int | None:
    match = _TOTAL.search(xml)
    return int(match.group(1)) if match else None


def _int(query: dict[str, str], key: str) -> int | None:
    value = query.get(key, "")
    return int(value) if value.isdigit() else None


def next_dataproxy_url(url: str, n_records: int, xml: str) -> str | None:
    """The request for the records after this answer's, or None at the end of the column."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    start, end = _int(query, "startrecord"), _int(query, "endrecord")
    if start is None or end is None or end < start:
        return None
    span = end - start + 1
    total = total_records(xml)
    if n_records < span or (total is not None and end >= total):
        return None
    query.update(startrecord=str(end + 1), endrecord=str(end + span))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
