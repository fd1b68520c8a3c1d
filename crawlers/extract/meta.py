"""Metadata of article pages: meta tags, title, language and attachment links.

Input: a parsed lxml document (before pruning) and the page URL.  Output: a dict of meta
tags (lower-cased names), the headline chosen by agreement between government meta tags
(ArticleTitle), Open Graph titles, visible headings and ``<title>`` segments
("headline_column_site"), the page language, and attachment links (PDF/DOC/WPS/...).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawlers.extract.text import KANA_RE, cjk_count, is_cjk_text, norm_space
from crawlers.extract.titles import (
    heading_text,
    looks_like_site,
    name_penalty,
    strip_labels,
    without_tag,
)

_BARE_DASH = re.compile(r"(?<=\S)(?:-{1,2}|—{1,2})(?=\S)")
_TITLE_SEP = re.compile(r"\s*(?:_|\||｜|\s[-–—]\s|\s::\s|\s·\s|\s»\s|--)\s*")
_HEADING_XPATH = etree.XPath("//h1|//h2|//h3|//*[@class or @id]")
_HEADING_WEIGHTS = {"h1": 1.0, "h2": 0.5, "h3": 0.3}
_TITLE_METAS = ("articletitle", "og:title", "twitter:title", "headline", "title",
                "dc.title", "sharetitle")
ATTACHMENT_KINDS = ("pdf", "docx", "doc", "wps", "xlsx", "xls", "et", "pptx", "ppt", "ofd",
                    "zip", "rar", "7z", "txt", "csv")
_ATTACH_RE = re.compile(r"\.(" + "|".join(ATTACHMENT_KINDS) + r")(?:$|[?#])", re.I)
_NORM_DROP = re.compile(r"[\W_]+")
_PAGE_SUFFIX = re.compile(r"\s*[(（]\s*(?:页|第)\s*\d+\s*页?\s*[)）]\s*$")
_TAGS = re.compile(r"<[^>]+>")
CRUMB_HEADLINE = 8  # characters a last breadcrumb item needs to stand for the headline
_NOT_HEADLINE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}|\d{1,2}:\d{2}|[:：|。]")


def meta_tags(root: etree._Element) -> dict[str, str]:
    """``<meta name|property|itemprop=... content=...>`` as a dict (first value wins)."""
    found: dict[str, str] = {}
    for el in root.iter("meta"):
        key = el.get("name") or el.get("property") or el.get("itemprop") or ""
        value = norm_space(_TAGS.sub("", el.get("content") or ""))
        if key and value and key.strip().lower() not in found:
            found[key.strip().lower()] = value
    return found


def squash(text: str) -> str:
    """Lower-cased text without punctuation or spaces, for comparing titles."""
    return _NORM_DROP.sub("", text.lower())


def _headings(root: etree._Element) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for el in _HEADING_XPATH(root):
        weight = _HEADING_WEIGHTS.get(el.tag)
        if weight is None:
            label = f"{el.get('class') or ''} {el.get('id') or ''}"
            if "itle" not in label and "title" not in label.lower():
                continue
            weight = 0.4
        text = el.xpath("string()")
        if len(text) < 2000:
            text = heading_text(el) if len(el) else norm_space(text)
            if 4 <= len(text) <= 160:
                out.append((text, weight))
    return out


def page_title(root: etree._Element) -> str:
    """Text of ``<title>`` (or of a CleanEval ``<text title=...>`` wrapper)."""
    el = root.find(".//title")
    title = norm_space("".join(el.itertext())) if el is not None else ""
    if not title:
        wrapped = root.xpath("//text[@title]")
        title = norm_space(wrapped[0].get("title")) if wrapped else ""
    return title


def _segments(title: str) -> list[str]:
    parts = [p for p in _TITLE_SEP.split(title) if len(squash(p)) >= 2]
    if len(parts) == 1:  # "headline-column-site" without spaces: only before a site name
        dashed = [p for p in _BARE_DASH.split(title) if len(squash(p)) >= 2]
        if len(dashed) > 1 and looks_like_site(dashed[-1]):
            parts = dashed
    return parts if len(parts) > 1 else []


def _segment_weight(index: int, count: int) -> float:
    """``<title>`` segments: the first is most often the headline, the last the site."""
    if index == count - 1:
        return -1.0
    return 0.3 if index == 0 else 0.1


def title_candidates(root: etree._Element, meta: dict[str, str],
                     crumbs: list[str] | None = None) -> list[tuple[str, float]]:
    """(text, source weight) for meta titles, headings, ``<title>`` segments and the last
    breadcrumb item, without status labels such as 原创/转载."""
    found = [(meta[k], 1.0 if ":" in k else 0.5) for k in _TITLE_METAS[1:] if k in meta]
    found += _headings(root)
    whole = page_title(root)
    segments = _segments(whole)
    found += [(seg, _segment_weight(i, len(segments))) for i, seg in enumerate(segments)]
    if crumbs:
        found.append((crumbs[-1], 0.3))
    found = [(strip_labels(_PAGE_SUFFIX.sub("", t)), w) for t, w in found
             if len(squash(t)) >= 2]
    found += [(rest, w) for t, w in found if (rest := without_tag(t))]
    return [*found, (strip_labels(whole), 0.0)]


def page_title_text(candidates: list[tuple[str, float]]) -> str:
    """The whole ``<title>`` text (the last, zero-weight candidate)."""
    return candidates[-1][0] if candidates and candidates[-1][1] == 0.0 else ""


def _closeness(pos: int | None, body_start: int) -> float:
    if pos is None:
        return 0.0
    if body_start < 0 or pos > body_start + 1:
        return 1.5
    return 1.5 + 2.5 * max(0.0, 1.0 - max(0, body_start - pos) / 25.0)


def _near_lines(page_lines: list[str], body_start: int, squashed_title: str,
                anywhere: bool) -> list[tuple[str, float]]:
    """Short lines just above the body as headline candidates: those in ``<title>``, or
    (``anywhere``, when ``<title>`` only names the site) any short line without a date."""
    if body_start < 0:
        return []
    if not anywhere:  # a line that is only part of a longer one (a wrapped headline) is not
        near = {squash(line): line for line in page_lines[max(0, body_start - 25):body_start + 1]
                if len(squash(line)) >= 6 and len(line) <= 100 and squash(line) in squashed_title}
        return [(line, 0.3) for key, line in near.items()
                if not any(key != other and key in other for other in near)]
    return [(line, 0.2) for line in page_lines[max(0, body_start - 6):body_start]
            if len(squash(line)) >= 6 and len(line) <= 60 and not _NOT_HEADLINE.search(line)]


def _agreeing(candidates: list[tuple[str, float]], squashed_title: str,
              segments: set[str]) -> list[str]:
    """Candidates (other than ``<title>``'s own ``segments``) that ``<title>`` contains."""
    return [t for t, w in candidates if w > 0 and len(key := squash(t)) >= 4
            and key in squashed_title and key not in segments]


def _names_only(squashed_title: str, segments: set[str],
                names: tuple[set[str], set[str]]) -> bool:
    """True when every long part of ``<title>`` names the site or a column."""
    parts = [p for p in segments if len(p) >= 4] or [squashed_title]
    return all(name_penalty(p, *names) > 0 for p in parts)


def choose_title(candidates: list[tuple[str, float]], page_lines: list[str],
                 line_pos: dict[str, int], body_start: int,
                 names: tuple[set[str], set[str]] = (set(), set()),
                 crumb: str = "") -> str | None:
    """Headline by agreement: in ``<title>``, shown as a line just above the body, a heading;
    ``names`` (squashed column and site names) are penalised; a ``<title>`` that only names
    the site or a column is no evidence, and a headline-long last breadcrumb item stands in
    for it."""
    whole = page_title_text(candidates)
    segments = {squash(p) for p in _segments(whole)}
    squashed_title = squash(whole)
    agreeing = _agreeing(candidates, squashed_title, set())
    site = {squash(_segments(whole)[-1])} if segments else set()  # the last segment
    extra = [] if agreeing else [(t, w) for t, w in _near_lines(
        page_lines, body_start, squashed_title, False)
        if not name_penalty(squash(t), names[0], names[1] | site)]
    if not extra and not _agreeing(candidates, squashed_title, segments) and _names_only(
            squashed_title, segments, names):
        squashed_title = squash(crumb) if len(squash(crumb)) >= CRUMB_HEADLINE else ""
        segments = set()
        agreeing = _agreeing(candidates, squashed_title, segments)
        extra = [] if agreeing else _near_lines(page_lines, body_start, squashed_title,
                                                not squashed_title)
    if not agreeing and not extra and not segments:  # <title> is no headline: the line
        extra = _near_lines(page_lines, body_start, squashed_title, True)  # above the body
    best: tuple[float, str] | None = None
    for text, weight in candidates + extra:
        key = squash(text)
        score = weight + (3.0 if key and key in squashed_title else 0.0)
        score += _closeness(line_pos.get(key), body_start) + min(len(key), 40) / 200.0
        score -= name_penalty(key, *names)
        if best is None or score > best[0]:
            best = (score, text)
    return best[1] if best else None


def detect_language(root: etree._Element, body: str) -> str | None:
    """Primary language subtag: zh/ja by script, else the ``<html lang>`` attribute."""
    sample = body[:5000]
    if is_cjk_text(sample):
        return "ja" if len(KANA_RE.findall(sample)) > 0.1 * cjk_count(sample) else "zh"
    declared = (root.get("lang") or root.get("xml:lang") or "").strip().lower()
    lang = re.split(r"[-_]", declared)[0] if declared else ""
    if lang and lang not in ("zh", "ja", "ko"):
        return lang
    ascii_letters = sum(1 for ch in sample if "a" <= ch.lower() <= "z")
    return "en" if sample and ascii_letters > 0.5 * len(sample) else (lang or None)


def _kind(href: str, name: str) -> str | None:
    m = None
    if _ATTACH_RE.search(href):
        m = _ATTACH_RE.search(urlsplit(href).path)
    m = m or _ATTACH_RE.search(name + "#")
    return m.group(1).lower() if m else None


def attachments(root: etree._Element, url: str) -> list[dict[str, str]]:
    """Links to downloadable documents, with absolute URLs, link text and file kind."""
    found: list[dict[str, str]] = []
    seen: set[str] = set()
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        raw_name = "".join(a.itertext()) or a.get("title") or ""
        if "." not in href and "." not in raw_name:
            continue
        name = norm_space(raw_name)
        kind = _kind(href, name)
        if not kind:
            continue
        absolute = urljoin(url, href) if url else href
        if absolute not in seen:
            seen.add(absolute)
            found.append({"url": absolute, "name": name, "kind": kind})
    return found
