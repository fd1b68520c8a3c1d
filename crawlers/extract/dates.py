"""Publication-date finding for article pages.

Input: date-bearing strings (meta values, page lines, URLs).  Output: ISO 8601 strings
``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM`` (None when no plausible date is found).
Handles ``2020-04-19``, ``2020/4/19``, ``2020.04.19``, ``2020年4月19日 10:30``, ISO
timestamps, compact ``20200419`` in URLs (TRS ``t20200419_…``), ``/2020/04/19/``, Hanweb
``/art/2020/4/19/`` and English ``November 20, 2019`` / ``20 Nov 2019``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_TIME = r"(?:\s*T?\s*(\d{1,2})\s*[:：时]\s*(\d{2}))?"
_YMD = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?" + _TIME)
_YMD_SHORT = re.compile(r"(?<![\d.])(\d{2})[-/](\d{1,2})[-/](\d{1,2})(?!\d)" + _TIME)
_MDY = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})(?!\d)" + _TIME
                  + r"(?::\d{2})?\s*([ap]m)?", re.I)
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MON = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_EN_MDY = re.compile(_MON + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{2})", re.I)
_EN_DMY = re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+" + _MON + r",?\s+((?:19|20)\d{2})",
                     re.I)
_URL_PATTERNS = (
    re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)"),
    re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|_|\.|-)"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})/(\d{2})/"),
)
LABELS = re.compile(
    r"(发布时间|发布日期|发表时间|发表日期|发稿时间|发文日期|发布于|发表于|成文日期|印发日期|"
    r"日期|时间|更新时间|published|posted|updated)\s*[:：]?\s*", re.I)
WRITTEN_LABEL = "成文日期"
PREFERRED_LABELS = ("发布", "发表", "发稿", "发文", "published", "posted")


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    latest = datetime.now().date() + timedelta(days=2)
    return found if date(1990, 1, 1) <= found <= latest else None


def _iso(found: date, hour: str | None, minute: str | None) -> str:
    if hour is not None and minute is not None and int(hour) < 24 and int(minute) < 60:
        return f"{found.isoformat()}T{int(hour):02d}:{int(minute):02d}"
    return found.isoformat()


def _hour24(hour: str | None, ampm: str | None) -> str | None:
    if hour is None or not ampm:
        return hour
    value = int(hour) % 12 + (12 if ampm.lower() == "pm" else 0)
    return str(value)


def parse_date(text: str | None, dayfirst: bool = False) -> str | None:
    """First plausible date in ``text`` as an ISO string.

    ``dayfirst`` reads an ambiguous ``5/7/2005`` as 5 July (the convention of the Chinese
    pages that use this form); otherwise it is read the US way, as 7 May.
    """
    if not text:
        return None
    for m in _YMD.finditer(text):
        found = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found:
            return _iso(found, m.group(4), m.group(5))
    for m in _MDY.finditer(text):
        first, second = int(m.group(1)), int(m.group(2))
        swap = first > 12 or (dayfirst and second <= 12)
        month, day = (second, first) if swap else (first, second)
        found = _valid(int(m.group(3)), month, day)
        if found:
            return _iso(found, _hour24(m.group(4), m.group(6)), m.group(5))
    for m in _EN_MDY.finditer(text):
        found = _valid(int(m.group(3)), _MONTHS[m.group(1).lower()[:3]], int(m.group(2)))
        if found:
            return found.isoformat()
    for m in _EN_DMY.finditer(text):
        found = _valid(int(m.group(3)), _MONTHS[m.group(2).lower()[:3]], int(m.group(1)))
        if found:
            return found.isoformat()
    for m in _YMD_SHORT.finditer(text):
        found = _valid(2000 + int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found:
            return _iso(found, m.group(4), m.group(5))
    return None


def parse_compact(text: str) -> str | None:
    """Dates written as ``20200419`` (optionally with digits of time after them)."""
    m = re.search(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)", text)
    if m:
        found = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return found.isoformat() if found else None
    return None


def date_from_url(url: str) -> str | None:
    """Date encoded in an article URL path (t20200419, /2020/04/19/, /art/2020/4/19/)."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url or "", flags=re.I)
    for rx in _URL_PATTERNS:
        for m in rx.finditer(path):
            found = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if found:
                return found.isoformat()
    return None


def written_date(lines: list[str]) -> str | None:
    """Date of a ``成文日期`` field (the date a government document was signed).

    The value may stand on the label's line or, in two-column metadata tables, on the next.
    """
    for i, line in enumerate(lines):
        at = line.find(WRITTEN_LABEL) if len(line) < 200 else -1
        if at >= 0:
            rest = line[at + len(WRITTEN_LABEL):].lstrip(" :：")
            return parse_date(rest[:30] or (lines[i + 1][:30] if i + 1 < len(lines) else ""))
    return None
