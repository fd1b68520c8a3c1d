"""Publication date of an article page, chosen among sources by confidence and agreement.

Input: the parsed page (before pruning), its meta tags, visible lines, headline, URL and
body start.  Output: a :class:`DateFinding` (ISO value, source, confidence) or None.
Sources and base confidences: JSON-LD ``datePublished`` (0.95), a ``成文日期`` field
(0.92), meta tags (0.9), a labelled date beside the headline such as ``发布时间``, ``发表于``
or "Posted" (0.85), inline script variables (``publish_time``, ``pubDate``, ``var ct = …``;
0.8, less when they differ), ``<time>`` (0.7), an unlabelled date with a time beside the
headline (0.65), the URL (0.6), a plain date beside the headline (0.55), a labelled date
anywhere (0.45), the first date on the page (0.3).  Candidates are grouped by day; a day's
score is its best confidence plus 0.05 per other agreeing kind of source (dates read from
the visible text count as one kind).  The value keeps a time of day
and the page's own UTC offset when a source of that day gives them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from lxml import etree

from crawlers.extract.dates import LABELS, PREFERRED_LABELS, date_from_url, parse_date
from crawlers.extract.meta import squash
from crawlers.extract.titles import strip_labels

_DATE_METAS = ("article:published_time", "og:article:published_time", "datepublished",
               "og:published_time", "pubdate", "publishdate", "publish_date", "publishtime",
               "pubtime", "article_date_original", "publication_date", "dc.date.issued",
               "dcterms.issued", "dc.date", "dcterms.created", "sailthru.date",
               "parsely-pub-date", "publish-date", "firstpublishedtime", "og:release_date",
               "article.published", "weibo:article:create_at", "date")
_SCRIPT_WORDS = ("publish", "pubdate", "pub_date", "pubtime", "pub_time", "datepublished",
                 "date_published", "release", "newstime", "news_time", "ptime", "p_time",
                 "createtime", "create_time", "posttime", "post_time", "ct", "first")
# A key, then ``:`` or ``=``, then the value; quotes may be escaped (JSON held in a string).
_SCRIPT_KEY = re.compile(
    r"((?:first_?)?publish(?:ed)?_?(?:time|date|at)|pub_?date|pub_?time|date_?published|"
    r"release_?(?:time|date)|news_?time|p_?time|ct|create_?time|post_?(?:time|date))"
    r"\\?[\"']?\s*[:=]\s*\\?[\"']?([^\"'\\,;}\n<]{6,40})", re.I)
_EPOCH = re.compile(r"^\s*(1\d{9})(\d{3})?\s*$")
_OFFSET = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})(?![\d:])")
_DIGITS = re.compile(r"\d{4}|\d{1,2}[-/]\d{1,2}[-/]\d{2}")
_TODAY = re.compile(r"今天|今日|星期|周[一二三四五六日]|today", re.I)
_RELATIVE = re.compile(r"\d+\s*(?:秒|分钟|小时|天|周|个月)前|昨天|前天|\bago\b|yesterday", re.I)
_RELATIVE_XPATH = etree.XPath("//*[@title and string-length(@title) < 40]")
CHINA = timezone(timedelta(hours=8))
AGREEMENT_BONUS = 0.05
HEADLINE_WINDOW = 12


@dataclass(frozen=True)
class DateFinding:
    """One candidate publication date: ISO value, where it came from, how sure."""

    value: str
    source: str
    confidence: float

    @property
    def day(self) -> str:
        return self.value[:10]


def _with_offset(raw: str, found: str | None) -> str | None:
    """``found`` plus the UTC offset written in ``raw`` (when ``found`` has a time)."""
    if not found or "T" not in found:
        return found
    m = _OFFSET.search(raw)
    if not m:
        return found
    off = m.group(1)
    off = "+00:00" if off == "Z" else f"{off[:3]}:{off[-2:]}"
    return found + off


def parse_stamp(raw: str | None, zone: timezone = UTC) -> str | None:
    """A date value as ISO text with its own offset; epoch seconds/ms are shown in ``zone``."""
    if not raw:
        return None
    m = _EPOCH.match(raw)
    if m:
        when = datetime.fromtimestamp(int(m.group(1)), tz=zone)
        return when.isoformat(timespec="minutes") if when.year >= 1990 else None
    return _with_offset(raw, parse_date(raw[:60]))


def _jsonld_dates(root: etree._Element) -> list[DateFinding]:
    found: list[DateFinding] = []
    for script in root.xpath("//script[@type='application/ld+json']/text()"):
        for m in re.finditer(r'"datePublished"\s*:\s*"([^"]+)"', script):
            value = parse_stamp(m.group(1))
            if value:
                found.append(DateFinding(value, "json-ld", 0.95))
                break
    return found


def _meta_dates(meta: dict[str, str]) -> list[DateFinding]:
    for key in _DATE_METAS:
        value = parse_stamp(meta.get(key))
        if value:
            return [DateFinding(value, f"meta:{key}", 0.9 if key != "date" else 0.75)]
    return []


def _key_positions(script: str) -> list[int]:
    """Offsets in ``script`` where a date variable name starts (a word boundary before it)."""
    low = script.lower()
    found: list[int] = []
    for word in _SCRIPT_WORDS:
        at = low.find(word)
        while at >= 0 and len(found) < 200:
            before = low[at - 1] if at else " "
            if not (before.isalnum() or before in "_$"):
                found.append(at)
            at = low.find(word, at + 1)
    return sorted(found)


def _script_dates(root: etree._Element, zone: timezone) -> list[DateFinding]:
    """Date variables of inline scripts; a list of differing dates (related articles)
    lowers the confidence, and its most frequent day wins."""
    values: list[tuple[str, str]] = []
    for script in root.xpath("//script[not(@src) and not(@type='application/ld+json')]/text()"):
        for at in _key_positions(script[:300_000]):
            m = _SCRIPT_KEY.match(script, at)
            value = parse_stamp(m.group(2).strip(), zone) if m else None
            if m and value:
                values.append((value, m.group(1)))
    if not values:
        return []
    counts = Counter(v[:10] for v, _ in values)
    day, hits = counts.most_common(1)[0]
    value, key = next(v for v in values if v[0][:10] == day)
    confidence = 0.8 if len(counts) == 1 else (0.6 if hits * 2 > len(values) else 0.4)
    if key.lower().startswith("create"):  # when the record was made, often not published
        confidence -= 0.3
    return [DateFinding(value, f"script:{key}", confidence)]


def _time_dates(root: etree._Element) -> list[DateFinding]:
    """The first ``<time>``; when the page has several of different days (a list of other
    articles) it is weak evidence.  A relative time (``3 天前``, "2 hours ago") whose
    ``title`` holds the date counts like a ``<time>``."""
    values = [v for el in root.iter("time")
              if (v := parse_stamp(el.get("datetime") or el.get("pubdate") or ""))]
    values += [v for el in _RELATIVE_XPATH(root)
               if _RELATIVE.search(el.text or "") and (v := parse_stamp(el.get("title")))]
    if not values:
        return []
    days = {v[:10] for v in values}
    return [DateFinding(values[0], "time", 0.7 if len(days) == 1 else 0.45)]


def headline_index(lines: list[str], title: str | None) -> int:
    """Index of the (first exact, else last short) line that shows the headline, or -1."""
    key = squash(title or "")
    if len(key) < 4:
        return -1
    hits = [i for i, line in enumerate(lines)
            if len(line) < 3 * len(title or "") + 20 and key in squash(line)]
    exact = [i for i in hits if squash(lines[i]) == key
             or squash(strip_labels(lines[i], squashed=True)) == key]
    return exact[0] if exact else (hits[-1] if hits else -1)


def _line_date(line: str, dayfirst: bool) -> tuple[str, str] | None:
    """(value, kind) of a date on one line: kind 'preferred', 'label', 'timed' or 'plain'."""
    if len(line) > 300:
        return None
    for m in LABELS.finditer(line):
        value = parse_date(line[m.end():m.end() + 40], dayfirst)
        if value:
            preferred = m.group(1).lower().startswith(PREFERRED_LABELS)
            return _with_offset(line, value) or value, "preferred" if preferred else "label"
    value = parse_date(line, dayfirst)
    if not value or _TODAY.search(line):
        return None
    return value, "timed" if "T" in value else "plain"


_NEAR = {"preferred": 0.85, "label": 0.75, "timed": 0.65, "plain": 0.55}


def _line_dates(lines: list[str], start: int, dayfirst: bool) -> list[DateFinding]:
    """A date beside the headline (first of the best kind), and page-wide fallbacks."""
    found: list[DateFinding] = []
    if start >= 0:
        near = [hit for line in lines[start:start + HEADLINE_WINDOW]
                if (hit := _line_date(line, dayfirst))]
        for kind in ("preferred", "label", "timed", "plain"):
            pick = next((v for v, k in near if k == kind), None)
            if pick:
                found.append(DateFinding(pick, f"headline:{kind}", _NEAR[kind]))
                break
    first: str | None = None
    labelled: str | None = None
    for line in lines[:400]:
        hit = _line_date(line, dayfirst) if _DIGITS.search(line) else None
        if hit:
            first = first or hit[0]
            if hit[1] in ("preferred", "label"):
                labelled = hit[0]
                break
    if labelled:
        found.append(DateFinding(labelled, "page:label", 0.45))
    if first:
        found.append(DateFinding(first, "page:first", 0.3))
    return found


def _precise(findings: list[DateFinding]) -> str:
    """The most precise value of one day (offset > time > date), from the surest source."""
    ranked = sorted(findings, key=lambda f: (("+" in f.value[10:] or "-" in f.value[10:]),
                                             "T" in f.value, f.confidence), reverse=True)
    return ranked[0].value


def _family(finding: DateFinding) -> str:
    """Independent evidence: all dates read from the visible text count as one source."""
    family = finding.source.split(":")[0]
    return "text" if family in ("headline", "page") else family


def choose(findings: list[DateFinding]) -> DateFinding | None:
    """Best day by confidence plus agreement of other sources; its most precise value."""
    days: dict[str, list[DateFinding]] = {}
    for f in findings:
        days.setdefault(f.day, []).append(f)
    if not days:
        return None
    scored = {day: max(f.confidence for f in group)
              + AGREEMENT_BONUS * (len({_family(f) for f in group}) - 1)
              for day, group in days.items()}
    day = max(scored, key=lambda d: scored[d])
    group = days[day]
    best = max(group, key=lambda f: f.confidence)
    return DateFinding(_precise(group), best.source, round(min(0.99, scored[day]), 2))


def structured_dates(root: etree._Element, meta: dict[str, str],
                     cjk: bool) -> list[DateFinding]:
    """Dates of JSON-LD, meta tags, inline scripts and ``<time>`` (call before pruning)."""
    zone = CHINA if cjk else UTC
    return [*_jsonld_dates(root), *_meta_dates(meta), *_script_dates(root, zone),
            *_time_dates(root)]


def text_dates(lines: list[str], title: str | None, url: str, body_start: int,
               written: str | None, cjk: bool) -> list[DateFinding]:
    """Dates of a 成文日期 field, the URL, the lines beside the headline and the page."""
    findings = [DateFinding(written, "written", 0.92)] if written else []
    from_url = date_from_url(url)
    if from_url:
        findings.append(DateFinding(from_url, "url", 0.6))
    start = headline_index(lines, title)
    if start < 0 and body_start >= 0:
        start = max(0, body_start - 8)
    return findings + _line_dates(lines, start, dayfirst=cjk)


def as_dict(finding: DateFinding | None) -> dict[str, Any]:
    """JSON-ready form of a finding (``{}`` when None)."""
    if finding is None:
        return {}
    return {"value": finding.value, "source": finding.source, "confidence": finding.confidence}
