"""Shared pieces of list-page discovery: the ``ListedLink`` result and link/URL helpers.

Input: lxml elements and URLs from a list page. Output: ``ListedLink`` values, absolute and
filtered URLs, clean titles, and answers to "is this element navigation?" and "does this URL
look like an article?". Pure functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from crawlers.links.dates import date_text

HtmlElement = Any  # lxml.html.HtmlElement; lxml ships no type information

_SKIP_EXT = re.compile(r"\.(?:jpe?g|png|gif|bmp|svg|webp|ico|css|js|mp3|mp4|swf|flv)$", re.I)
_ARTICLE_URL = re.compile(
    r"/t\d{8}_\d+|/art/\d{4}/|/\d{4}[-/]?\d{2}[-/]?\d{2}/|/\d{6}/|/content[_/]|/article|"
    r"/news/.+|/press-(?:announcements|releases)/.+|/detail|\d{4,}\.s?html?$|[?&]id=\d+", re.I)
_NAV_TOKENS = frozenset({
    "nav", "navbar", "navigation", "menu", "menubar", "submenu", "footer", "foot", "header",
    "breadcrumb", "breadcrumbs", "crumb", "crumbs", "topbar", "toolbar", "pagination", "pager",
    "paging", "share", "copyright", "friendlink", "yqlj", "skip", "sitemap", "daohang",
    "sidebar", "topnav", "mainnav", "subnav", "footnav"})
_NAV_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})
_PAGER_TEXT = re.compile(
    r"^(?:首页|尾页|末页|上一页|下一页|上页|下页|下一頁|上一頁|更多|more|next|prev(?:ious)?|"
    r"first|last|\d{1,3}|[<>«»‹›]+|更多>+|>>|<<)$", re.I)
_SPACE = re.compile(r"\s+")
BLOCK_TAGS = frozenset({"div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl",
                         "dt", "dd", "section", "article", "figure", "figcaption", "table"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TITLE_WORDS = ("title", "tit", "bt", "tt", "headline", "subject")
_CATEGORY = re.compile(r"^[【\[]([^】\]]{1,8})[】\]]\s*")


@dataclass(frozen=True, slots=True)
class ListedLink:
    """One article link found on a list page, feed or sitemap."""

    url: str
    title: str = ""
    date: str | None = None


def absolute_url(href: str | None, base_url: str) -> str | None:
    """``href`` resolved against ``base_url``; ``None`` for non-web or useless links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#") or href.lower().startswith(("javascript:", "mailto:",
                                                                     "tel:", "data:")):
        return None
    url = urljoin(base_url, href).split("#", 1)[0]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if _SKIP_EXT.search(parts.path):
        return None
    return url


def is_home_page(url: str) -> bool:
    """True for a site's root (``https://x.gov.cn/``, ``/index.html``, ``/index.shtml``)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return not parts.query and (path == "" or re.fullmatch(r"/(?:index|default)\.\w+", path)
                                is not None)


def looks_like_article(url: str) -> bool:
    return _ARTICLE_URL.search(url) is not None


def clean_text(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def element_text(element: HtmlElement) -> str:
    """All text of an element, its parts joined by a space."""
    return clean_text(" ".join(element.itertext()))


def _title_class(element: HtmlElement) -> bool:
    words = re.split(r"[\s_-]+", (element.get("class") or "").lower())
    return any(word.startswith(_TITLE_WORDS) for word in words if word)


def _segments(anchor: HtmlElement) -> list[str]:
    """The anchor's own text and its children's, in order, without date badges."""
    found = [clean_text(anchor.text)]
    for child in anchor:
        if isinstance(child.tag, str) and not date_text(element_text(child)):
            found.append(element_text(child))
        found.append(clean_text(child.tail))
    return [text for text in found if text]


def _composite_title(anchor: HtmlElement, parts: list[HtmlElement]) -> str:
    """Title of a link wrapping blocks (WebPlus cards: image, title, summary, date badge)
    or a date ``<span>`` beside the title: its heading or title-classed element, else its
    first text block (inline parts are joined); the ``title`` attribute when longer (the
    shown title is often cut short with "…")."""
    shown = _shown_title(anchor, parts)
    attr = clean_text(anchor.get("title"))
    return attr if len(attr) > len(shown.rstrip(".…")) else shown


def _shown_title(anchor: HtmlElement, parts: list[HtmlElement]) -> str:
    for part in parts:
        text = element_text(part)
        if (part.tag in _HEADINGS or _title_class(part)) and len(text) >= 2 \
                and not date_text(text):
            return text
    segments = _segments(anchor)
    if any(part.tag in BLOCK_TAGS for part in anchor if isinstance(part.tag, str)):
        return next((text for text in segments if len(text) >= 4), segments[0] if segments else "")
    return " ".join(segments)


def link_title(anchor: HtmlElement) -> str:
    """The visible text of a link (without a ``【通知】`` category prefix), or its ``title``
    attribute when that is longer; for a link wrapping blocks or a date badge, the title part
    of it (``_composite_title``)."""
    parts = [e for e in anchor.iterdescendants() if isinstance(e.tag, str)]
    if parts and any(e.tag in BLOCK_TAGS or date_text(element_text(e)) for e in parts):
        found = _composite_title(anchor, parts)
        if found:
            return found
    text = clean_text(anchor.text_content())
    category = _CATEGORY.match(text)
    if category and len(text) - category.end() >= 6:  # 【通知】关于… (VSB category prefix)
        text = text[category.end():]
    if not text:
        text = clean_text(" ".join(anchor.xpath(".//img/@alt")))
    attr = clean_text(anchor.get("title"))
    return attr if len(attr) > len(text.rstrip(".…")) else text


def is_pager_text(title: str) -> bool:
    return _PAGER_TEXT.match(title.strip()) is not None


def _tokens(element: HtmlElement) -> set[str]:
    raw = f"{element.get('class') or ''} {element.get('id') or ''} {element.get('role') or ''}"
    words = set(re.split(r"[\s_]+", raw.lower()))
    return words | {w for word in words for w in word.split("-")}


def in_navigation(anchor: HtmlElement) -> bool:
    """Whether the link sits in a nav/header/footer/menu-like container."""
    for element in anchor.iterancestors():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _NAV_TAGS or _tokens(element) & _NAV_TOKENS:
            return True
    return False


def parse_html(html: str) -> HtmlElement | None:
    """Parse a page (or fragment) into a document; ``None`` when there is nothing to parse."""
    if not html or not html.strip():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return None


def unique(links: list[ListedLink]) -> list[ListedLink]:
    """Drop repeated URLs, keeping the first occurrence but the best title and date."""
    order: list[str] = []
    best: dict[str, ListedLink] = {}
    for link in links:
        old = best.get(link.url)
        if old is None:
            order.append(link.url)
            best[link.url] = link
            continue
        title = link.title if len(link.title) > len(old.title) else old.title
        best[link.url] = ListedLink(old.url, title, old.date or link.date)
    return [best[url] for url in order]
