"""Generic list-block detection, part 1: every link of a page as a scored ``Candidate``.

Input: a parsed list page (lxml document), its URL, today's date and the source's ``LinkHosts``.
Output: ``Candidate`` values (link, group, weight, listed, where it points) that
``links.choose`` turns into the chosen block(s). Every link is placed in a group by the
tag path from ``<body>`` to it (so repeated items of one list, even split over several ``<ul>``
or ``<table>`` blocks, share a group); each group is scored by how list-like its links are (long
titles, dates beside them, article-shaped URLs, not inside navigation) and the best group wins
(see ``links.choose``). A group wins only if some of its links look listed (a date or a relative
time such as "30分钟前", or an article-shaped URL outside navigation, beside a title longer than a
menu label): menus, sidebars and footers show none of these, so an empty column ("暂无信息", "No
records found") gives no links at all. Dates are read beside the link, or from a date badge
inside it (a WebPlus card ``<a>`` wrapping image, title, summary and ``<span>21</span>
<span>2024-05</span>``). Links to other sites weigh less (``links.hosts``); with ``off_site:
drop`` they are left out. No per-site code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import urlsplit

from config.sources import LinkHosts
from crawlers.links.dates import date_from_url, date_text, find_date
from crawlers.links.hosts import DEFAULT_HOSTS, Site, site_of
from crawlers.links.model import (
    BLOCK_TAGS,
    HtmlElement,
    ListedLink,
    absolute_url,
    clean_text,
    in_navigation,
    is_home_page,
    is_pager_text,
    link_title,
    looks_like_article,
)

_DIGITS = re.compile(r"\d+")
_LAST_PART = re.compile(r"[-_]")
_STATE_CLASSES = frozenset({"first", "last", "odd", "even", "on", "active", "current", "cur",
                            "selected", "hover", "clearfix", "clear", "fl", "fr", "left", "right"})
_BRACKETED = re.compile(r"^[\[【(（〔].{0,8}[\]】)）〕]$")
_ITEM_TAGS = frozenset({"li", "tr", "article", "dd", "dt", "p"})
_MAX_ITEM_LINKS = 4
_RELATIVE_TIME = re.compile(r"\d+\s*(?:秒|分钟|小时|天)前|刚刚|[今昨前]天\s*\d{1,2}:\d\d|"
                            r"\b\d+\s+(?:minutes?|hours?|days?)\s+ago\b", re.I)
_MIN_LISTED_TITLE = 6  # menu labels are shorter: 首页, 通知公告, 政务公开, "About", "News"


_OFF_SITE_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Candidate:
    link: ListedLink
    group: str
    weight: float
    listed: bool  # looks like a list item, not a menu entry (see ``_listed``)
    shown: bool = False  # a date is shown beside or inside the link (not only in its URL)
    nav: bool = False
    site: Site = "site"
    item: HtmlElement = None  # the repeated unit (``item_of``)


def item_of(anchor: HtmlElement) -> HtmlElement:
    """The repeated unit holding ``anchor``: a ``<li>``, ``<tr>`` or repeated ``<div>``."""
    parent = anchor.getparent()
    if parent is not None and _repeated(anchor, parent) and \
            any(e.tag in BLOCK_TAGS for e in anchor.iterdescendants()):
        return anchor  # the link is the card: <a class="item"><h4>…</h4><p>…</p></a>
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


def _class_names(element: HtmlElement) -> tuple[str, ...]:
    """Classes without numbers and states: ``views-row views-row-3 views-row-odd first`` →
    ``views-row``; ``news n1`` → ``news``."""
    return _names_of(element.get("class") or "")


@lru_cache(maxsize=8192)
def _names_of(raw: str) -> tuple[str, ...]:
    names = (_DIGITS.sub("", c).strip("-_") for c in raw.split())
    return tuple(n for n in names
                 if n and n not in _STATE_CLASSES and _LAST_PART.split(n)[-1] not in _STATE_CLASSES)


def _repeated(node: HtmlElement, parent: HtmlElement) -> bool:
    """Siblings of the same tag sharing a class (Drupal ``views-row views-row-2
    views-row-even``), or all without one."""
    mine = set(_class_names(node))
    same = 0
    for child in parent:
        if child.tag == node.tag:
            theirs = _class_names(child)
            if mine.intersection(theirs) or not (mine or theirs):
                same += 1
                if same > 1:
                    return True
    return False


def _rest_text(item: HtmlElement, anchor: HtmlElement) -> str:
    if item is anchor or len(item.xpath(".//a")) > _MAX_ITEM_LINKS:
        return clean_text(anchor.tail)
    full = clean_text(item.text_content())
    return full.replace(clean_text(anchor.text_content()), " ", 1)


def _badge_date(scope: HtmlElement, url: str, today: date) -> str | None:
    """A date in an element of ``scope`` holding nothing but a date (``2024-05-21``,
    ``<span>21</span><span>2024-05</span>``, ``发布时间：2024.05.21``)."""
    for element in scope.iterdescendants():
        text = _short_text(element)
        found = date_text(text, url, today) if text else None
        if found:
            return found
    return None


def _short_text(element: HtmlElement, limit: int = 40) -> str | None:
    """The text of a small element (a date badge holds a few words), else ``None``; stops
    reading as soon as it is too long."""
    if not isinstance(element.tag, str) or len(element) > 3:
        return None
    parts: list[str] = []
    size = 0
    for piece in element.itertext():
        size += len(piece)
        if size > limit * 4:  # whitespace of pretty-printed markup included
            return None
        parts.append(piece)
    text = clean_text(" ".join(parts))
    return text if len(text) <= limit else None


def visible_date(item: HtmlElement, anchor: HtmlElement, url: str, today: date) -> str | None:
    """A date shown in the item (``<time datetime>``, text beside the link, a date badge), or
    right beside it."""
    for stamp in item.xpath(".//time/@datetime | .//time/text()"):
        found = find_date(str(stamp), url, today)
        if found:
            return found
    found = find_date(_rest_text(item, anchor), url, today)
    if found:
        return found
    crowded = item is not anchor and len(item.xpath(".//a")) > _MAX_ITEM_LINKS
    return (_badge_date(anchor if crowded else item, url, today)
            or _sibling_date(anchor if crowded else item, url, today))


def _sibling_date(item: HtmlElement, url: str, today: date) -> str | None:
    """A date printed right beside the item (``<dt><a>…</a></dt><dd>2024-05-21</dd>``), or
    beside the link in a flat list (``<a>…</a><span>2024-05-21</span><br>``): after it first."""
    for sibling in (item.getnext(), item.getprevious()):
        text = _short_text(sibling) if sibling is not None else None
        found = date_text(text, url, today) if text else None
        if found:
            return found
    return None


def _classes(element: HtmlElement) -> str:
    return ".".join(sorted(set(_class_names(element))))


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


def _weight(title: str, url: str, dated: bool, nav: bool, site: Site) -> float:
    if len(title) < 4:
        return 0.1
    weight = (1.0 + min(len(title), 40) / 10) * (0.3 if _section_like(url) else 1.0)
    weight += 2.0 if dated else 0.0
    weight += 1.5 if looks_like_article(url) else 0.0
    weight *= _OFF_SITE_WEIGHT if site == "off" else 1.0
    return weight * (0.15 if nav else 1.0)


def _listed(link: ListedLink, item: HtmlElement, nav: bool) -> bool:
    """Evidence of an article list: a date or a relative time ("2小时前") beside the link, or
    an article-shaped URL outside navigation."""
    if len(link.title) < _MIN_LISTED_TITLE:
        return False
    if link.date is not None or (looks_like_article(link.url) and not nav):
        return True
    return _RELATIVE_TIME.search(item.text_content()) is not None


def candidate(anchor: HtmlElement, base_url: str, today: date,
              hosts: LinkHosts = DEFAULT_HOSTS) -> Candidate | None:
    """Score one ``<a>`` as a possible list item; ``None`` when it cannot be an article."""
    url = absolute_url(anchor.get("href"), base_url)
    if url is None or is_home_page(url) or url == base_url.split("#", 1)[0]:
        return None
    site = site_of(url, base_url, hosts)
    if site == "off" and hosts.off_site == "drop":
        return None
    title = link_title(anchor)
    if not title or is_pager_text(title) or _BRACKETED.match(title):
        return None
    item = item_of(anchor)
    shown = visible_date(item, anchor, url, today)
    nav = in_navigation(anchor)
    link = ListedLink(url=url, title=title, date=shown or date_from_url(url))
    return Candidate(link=link, group=signature(anchor, item),
                     weight=_weight(title, url, shown is not None, nav, site),
                     listed=_listed(link, item, nav), shown=shown is not None, nav=nav,
                     site=site, item=item)
