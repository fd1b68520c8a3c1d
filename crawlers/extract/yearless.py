"""Dates written without a year beside the headline (``5月5日 10:23``, ``05-05 10:23``, always
with a time of day), as portals and social sites show recent posts.

Input: the page's visible lines, the headline's line, the dates already found and the URL.
Output: one :class:`DateFinding` (source ``headline:no-year``, confidence 0.5) when no date
with a year stands beside the headline; the year comes from the other dates of the page, a
year in the URL or the copyright line, else from the clock (the latest such day not after
tomorrow), which is right for the fresh articles a crawler fetches.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta

from crawlers.extract.published import HEADLINE_WINDOW, DateFinding

_MONTH_DAY = re.compile(
    r"(?<![\d年/.-])(\d{1,2})月(\d{1,2})日\s*(\d{1,2}):(\d{2})"
    r"|(?<![\d/.:-])(\d{1,2})-(\d{1,2})\s+(\d{1,2}):(\d{2})(?![\d-])")
_URL_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_COPYRIGHT = re.compile(r"(?:©|copyright|版权所有)[^\n]{0,40}?((?:19|20)\d{2})(?:\s*[-–]\s*"
                        r"((?:19|20)\d{2}))?", re.I)
_SENTENCE = re.compile(r"[。，；！？]|[,;!?]\s")
CONFIDENCE = 0.5


def _year(findings: list[DateFinding], url: str, lines: list[str]) -> int | None:
    years = Counter(int(f.value[:4]) for f in findings)
    if years:
        return years.most_common(1)[0][0]
    path = re.sub(r"^[a-z]+://[^/]+", "", url or "", flags=re.I)
    m = _URL_YEAR.search(path)
    if m:
        return int(m.group(1))
    for line in reversed(lines[-40:]):
        c = _COPYRIGHT.search(line)
        if c:
            return int(c.group(2) or c.group(1))
    return None


def _stamp(found: date, hour: str | None, minute: str | None) -> str:
    if hour is not None and minute is not None and int(hour) < 24 and int(minute) < 60:
        return f"{found.isoformat()}T{int(hour):02d}:{int(minute):02d}"
    return found.isoformat()


def _day(year: int | None, month: int, day: int) -> date | None:
    latest = datetime.now().date() + timedelta(days=1)
    for y in ([year] if year else [latest.year, latest.year - 1]):
        try:
            found = date(y, month, day)
        except ValueError:
            return None
        if year or found <= latest:
            return found
    return None


def month_day_date(lines: list[str], headline: int, findings: list[DateFinding],
                   url: str) -> list[DateFinding]:
    """A year-less date on a short byline-like line beside the headline, when no date with
    a year is there (dates in the article's sentences are not its publication date)."""
    if headline < 0 or any(f.source.startswith("headline:") for f in findings):
        return []
    for line in lines[headline:headline + HEADLINE_WINDOW]:
        short = len(line) <= 60 and not _SENTENCE.search(line)  # a byline, not the text
        m = _MONTH_DAY.search(line) if short else None
        if not m:
            continue
        g = m.groups()
        month, day, hour, minute = (g[0], g[1], g[2], g[3]) if g[0] else (g[4], g[5], g[6], g[7])
        found = _day(_year(findings, url, lines), int(month), int(day))
        if found:
            return [DateFinding(_stamp(found, hour, minute), "headline:no-year", CONFIDENCE)]
    return []
