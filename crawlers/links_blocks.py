"""Generic list-block detection: which links on a page are the column's article list.

Input: a parsed list page (lxml document), its URL and today's date. Output: the links of the
dominant repeated block as ``ListedLink`` values in page order. Every link is placed in a group
by the tag path from ``<body>`` to it (so repeated items of one list, even split over several
``<ul>`` or ``<table>`` blocks, share a group); each group is scored by how list-like its links
are (long titles, dates beside them, article-shaped URLs, not inside navigation) and the best
group wins. No per-site code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from crawlers.links_dates import date_from_url, find_date
from crawlers.links_model import (
    HtmlElement,
    ListedLink,
    absolute_url,
    clean_text,
    in_navigation,
    is_home_page,
    is_pager_text,
    link_title,
    looks_like_article,
    unique,
)

_DIGITS = re.compile(r"\d+")
_STATE_CLASSES = frozenset({"first", "last", "odd", "even", "on", "active", "current", "cur",
                            "selected", "hover", "clearfix", "clear", "fl", "fr", "left", "right"})
_BRACKETED = re.compile(r"^[\[【(（〔].{0,8}[\]】)）〕]$")
_ITEM_TAGS = frozenset({"li", "tr", "article", "dd", "dt", "p"})
_MAX_ITEM_LINKS = 4


@dataclass(frozen=True, slots=True)
class Candidate:
    link: ListedLink
    group: str
    weight: float


def item_of(anchor: HtmlElement) -> HtmlElement:
    """The repeated unit holding ``anchor``: a ``<li>``, ``<tr>`` or repeated ``<div>``."""
    node = anchor
    for _ in range(6):
        parent = node.getparent()
        if parent is None or node.tag in ("body", "html"):
            break
        if node.tag in ("td", "th"):
            return parent
        if node is not anchor and (node.tag in _ITEM_TAGS or _repeated(node, parent)):
            return node
        node = parent
    return anchor.getparent() if anchor.getparent() is not None else anchor


def _repeated(node: HtmlElement, parent: HtmlElement) -> bool:
    same = [c for c in parent if c.tag == node.tag and c.get("class") == node.get("class")]
    return len(same) > 1


def _rest_text(item: HtmlElement, anchor: HtmlElement) -> str:
    if item is anchor or len(item.xpath(".//a")) > _MAX_ITEM_LINKS:
        return clean_text(anchor.tail)
    full = clean_text(item.text_content())
    return full.replace(clean_text(anchor.text_content()), " ", 1)


def visible_date(item: HtmlElement, anchor: HtmlElement, url: str, today: date) -> str | None:
    """A date shown in the item (``<time datetime>`` or text beside the link)."""
    for stamp in item.xpath(".//time/@datetime | .//time/text()"):
        found = find_date(str(stamp), url, today)
        if found:
            return found
    return find_date(_rest_text(item, anchor), url, today)


def _classes(element: HtmlElement) -> str:
    names = sorted(_DIGITS.sub("", c) for c in (element.get("class") or "").split())
    return ".".join(n for n in names if n and n not in _STATE_CLASSES)


def signature(anchor: HtmlElement, item: HtmlElement) -> str:
    """Tag path to the link; above the item, tags carry their (state-free) classes."""
    parts: list[str] = []
    node, above = anchor, False
    while node is not None and node.tag not in ("body", "html"):
        classes = _classes(node) if above else ""
        parts.append(f"{node.tag}.{classes}" if classes else str(node.tag))
        above = above or node is item
        node = node.getparent()
    return "/".join(reversed(parts))


def _section_like(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.query and parts.path.endswith("/") and parts.path.count("/") <= 2


def _weight(title: str, url: str, dated: bool, nav: bool) -> float:
    if len(title) < 4:
        return 0.1
    weight = (1.0 + min(len(title), 40) / 10) * (0.3 if _section_like(url) else 1.0)
    weight += 2.0 if dated else 0.0
    weight += 1.5 if looks_like_article(url) else 0.0
    return weight * (0.15 if nav else 1.0)


def candidate(anchor: HtmlElement, base_url: str, today: date) -> Candidate | None:
    """Score one ``<a>`` as a possible list item; ``None`` when it cannot be an article."""
    url = absolute_url(anchor.get("href"), base_url)
    if url is None or is_home_page(url) or url == base_url.split("#", 1)[0]:
        return None
    title = link_title(anchor)
    if not title or is_pager_text(title) or _BRACKETED.match(title):
        return None
    item = item_of(anchor)
    shown = visible_date(item, anchor, url, today)
    weight = _weight(title, url, shown is not None, in_navigation(anchor))
    link = ListedLink(url=url, title=title, date=shown or date_from_url(url))
    return Candidate(link=link, group=signature(anchor, item), weight=weight)


def best_group(candidates: Iterable[Candidate]) -> list[ListedLink]:
    """The links of the highest-scoring group, deduplicated, in page order."""
    groups: dict[str, list[Candidate]] = {}
    for cand in candidates:
        groups.setdefault(cand.group, []).append(cand)
    if not groups:
        return []

    def score(members: list[Candidate]) -> float:
        seen: dict[str, float] = {}
        for cand in members:
            seen[cand.link.url] = max(seen.get(cand.link.url, 0.0), cand.weight)
        return sum(seen.values())

    winner = max(groups.values(), key=score)
    return unique([c.link for c in winner])


def dominant_links(doc: HtmlElement, base_url: str, today: date) -> list[ListedLink]:
    """Article links of the dominant repeated block of a parsed list page."""
    body = doc.find("body")
    root = body if body is not None else doc
    found = (candidate(a, base_url, today) for a in root.iter("a") if a.get("href"))
    return best_group(c for c in found if c is not None)


def same_site(url: str, base_url: str) -> bool:
    return urlsplit(url).hostname == urlsplit(base_url).hostname
