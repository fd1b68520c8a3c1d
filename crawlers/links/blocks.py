"""Generic list-block detection: which links on a page are the column's article list.

Input: a parsed list page (lxml document), its URL and today's date. Output: the links of the
dominant repeated block as ``ListedLink`` values in page order. Every link is placed in a group
by the tag path from ``<body>`` to it (so repeated items of one list, even split over several
``<ul>`` or ``<table>`` blocks, share a group); each group is scored by how list-like its links
are (long titles, dates beside them, article-shaped URLs, not inside navigation) and the best
group wins. A group wins only if some of its links look listed (a date or a relative time such
as "30分钟前", or an article-shaped URL outside navigation, beside a title longer than a menu
label): menus, sidebars and footers show none of these, so an empty column ("暂无信息", "No
records found") gives no links at all. No per-site code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from crawlers.links.dates import date_from_url, find_date
from crawlers.links.model import (
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
_RELATIVE_TIME = re.compile(r"\d+\s*(?:秒|分钟|小时|天)前|刚刚|[今昨前]天\s*\d{1,2}:\d\d|"
                            r"\b\d+\s+(?:minutes?|hours?|days?)\s+ago\b", re.I)
_MIN_LISTED_TITLE = 6  # menu labels are shorter: 首页, 通知公告, 政务公开, "About", "News"


@dataclass(frozen=True, slots=True)
class Candidate:
    link: ListedLink
    group: str
    weight: float
    listed: bool  # looks like a list item, not a menu entry (see ``_listed``)


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


def _listed(link: ListedLink, item: HtmlElement, nav: bool) -> bool:
    """Evidence of an article list: a date or a relative time ("2小时前") beside the link, or
    an article-shaped URL outside navigation."""
    if len(link.title) < _MIN_LISTED_TITLE:
        return False
    if link.date is not None or (looks_like_article(link.url) and not nav):
        return True
    return _RELATIVE_TIME.search(item.text_content()) is not None


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
    nav = in_navigation(anchor)
    link = ListedLink(url=url, title=title, date=shown or date_from_url(url))
    return Candidate(link=link, group=signature(anchor, item),
                     weight=_weight(title, url, shown is not None, nav),
                     listed=_listed(link, item, nav))


def best_group(candidates: Iterable[Candidate]) -> list[ListedLink]:
    """The links of the highest-scoring group with some listed links, deduplicated, in page
    order; none when no group has any (a page of navigation only, such as an empty column)."""
    groups: dict[str, list[Candidate]] = {}
    for cand in candidates:
        groups.setdefault(cand.group, []).append(cand)
    lists = [members for members in groups.values() if any(c.listed for c in members)]
    if not lists:
        return []

    def score(members: list[Candidate]) -> float:
        seen: dict[str, float] = {}
        for cand in members:
            seen[cand.link.url] = max(seen.get(cand.link.url, 0.0), cand.weight)
        return sum(seen.values())

    winner = max(lists, key=score)
    return unique([c.link for c in winner])


def dominant_links(doc: HtmlElement, base_url: str, today: date) -> list[ListedLink]:
    """Article links of the dominant repeated block of a parsed list page."""
    body = doc.find("body")
    root = body if body is not None else doc
    found = (candidate(a, base_url, today) for a in root.iter("a") if a.get("href"))
    return best_group(c for c in found if c is not None)


def same_site(url: str, base_url: str) -> bool:
    return urlsplit(url).hostname == urlsplit(base_url).hostname
