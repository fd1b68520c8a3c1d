"""Dates beside list-page links: find one publication date in a short text or a URL.

Input: the text of one list item (with the link title removed), optionally the item's URL and
today's date. Output: an ISO ``YYYY-MM-DD`` string or ``None``. Understands ``2020-04-19``,
``2020/04/19``, ``2020.04.19``, ``2020年4月19日``, ``[04-19]`` (year taken from the URL, else
the most recent past occurrence), ``Apr 19, 2020`` and ``19 April 2020``, and the split forms
of date badges whose day and month are printed apart (``19 2020-04``, ``2020-04 19``,
``04-19 2020``, joined from their ``<span>`` elements by a space); URLs in the TRS
(``t20200419_``), Hanweb (``/art/2020/4/19/``) and ``/202004/`` forms.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {name: i + 1 for i, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MON = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"

_YMD = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_MDY = re.compile(_MON + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)", re.I)
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s+" + _MON + r",?\s+((?:19|20)\d\d)", re.I)
_D_YM = re.compile(r"^(\d{1,2})\s*日?\s+((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*月?$")
_YM_D = re.compile(r"^((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*月?\s+(\d{1,2})\s*日?$")
_MD_Y = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s+((?:19|20)\d\d)\s*年?$")
_MD = re.compile(r"(?<![\d.:/-])(\d{1,2})\s*[-/月]\s*(\d{1,2})(?:日)?(?![\d:/-])")

_URL_DATES = (
    re.compile(r"/t((?:19|20)\d\d)(\d\d)(\d\d)_\d+"),
    re.compile(r"/art/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d\d)-?(\d\d)-?(\d\d)/"),
)
_URL_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:[-/]?[01]\d)(?!\d)")


def _make(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def date_from_url(url: str) -> str | None:
    """A full date encoded in an article URL (TRS, Hanweb, ``/20200419/``), if any."""
    for pattern in _URL_DATES:
        match = pattern.search(url)
        if match:
            found = _make(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            if found:
                return found
    return None


def _year_hint(url: str) -> int | None:
    match = _URL_YEAR.search(url)
    return int(match.group(1)) if match else None


def _infer_year(month: int, day: int, url: str, today: date) -> str | None:
    hinted = _year_hint(url)
    if hinted is not None:
        return _make(hinted, month, day)
    found = _make(today.year, month, day)
    if found is not None and found > today.isoformat():
        return _make(today.year - 1, month, day)
    return found


def _month(name: str) -> int:
    return _MONTHS[name[:3].lower()]


def _split_date(text: str) -> str | None:
    """A date badge whose parts were printed apart: ``21 2024-05``, ``2024-05 21``,
    ``05-21 2024`` (the whole text, so a number beside a year in a title is never taken)."""
    match = _D_YM.match(text)
    if match:
        return _make(int(match.group(2)), int(match.group(3)), int(match.group(1)))
    match = _YM_D.match(text)
    if match:
        return _make(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _MD_Y.match(text)
    if match:
        return _make(int(match.group(3)), int(match.group(1)), int(match.group(2)))
    return None


def find_date(text: str, url: str = "", today: date | None = None) -> str | None:
    """The first plausible date in ``text``; a missing year comes from ``url`` or ``today``."""
    match = _YMD.search(text)
    if match:
        return _make(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _MDY.search(text)
    if match:
        return _make(int(match.group(3)), _month(match.group(1)), int(match.group(2)))
    match = _DMY.search(text)
    if match:
        return _make(int(match.group(3)), _month(match.group(2)), int(match.group(1)))
    split = _split_date(text.strip())
    if split:
        return split
    match = _MD.search(text)
    if match:
        return _infer_year(int(match.group(1)), int(match.group(2)), url, today or date.today())
    return None


def iso_date(value: str) -> str | None:
    """The date part of an ISO-8601 timestamp such as ``2020-04-19T10:30:00Z``."""
    match = re.match(r"\s*((?:19|20)\d\d)-(\d\d)-(\d\d)", value)
    if not match:
        return find_date(value)
    return _make(int(match.group(1)), int(match.group(2)), int(match.group(3)))


_DATE_LABEL = re.compile(r"^(?:发布时间|发布日期|更新时间|日期|时间|date|posted)\s*[:：]?\s*", re.I)
_DATE_CHARS = re.compile(r"^[\d\s\-/.:年月日\[\]【】()（）]{4,24}$")


def date_text(text: str, url: str = "", today: date | None = None) -> str | None:
    """The date when ``text`` is nothing but a date (a date badge or a ``<span>`` beside a
    title, optionally labelled 发布时间：), else ``None``."""
    bare = _DATE_LABEL.sub("", text.strip())
    if not _DATE_CHARS.match(bare):
        return None
    return find_date(bare.strip("[]【】()（） "), url, today)
