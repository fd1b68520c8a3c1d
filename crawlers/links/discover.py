"""List-page discovery: which article links does a news or notice column show?

Input: a list page's HTML (already decoded to ``str``), its URL and the source's optional
``Selectors``. Output: ``ListedLink(url, title, date)`` values, absolute URLs in page order,
dates as ISO ``YYYY-MM-DD`` or ``None``. Pure: no I/O, no per-site code.

Order of evidence: operator selectors when given; then Hanweb records held inline in
``<script type="text/xml">`` datastores; then the dominant repeated block of links found by
``links.blocks``. Pagination, Hanweb data-proxy requests, feeds and sitemaps live in
the ``crawlers.links`` submodules and are re-exported here.
"""

from __future__ import annotations

from datetime import date

from config.sources import LinkHosts, Selectors
from crawlers.links.blocks import candidate, item_of, visible_date
from crawlers.links.choose import Choice, choose
from crawlers.links.dates import date_from_url, find_date
from crawlers.links.feeds import parse_feed, parse_sitemap
from crawlers.links.hanweb import (
    HanwebProxyRequest,
    hanweb_dataproxy_urls,
    inline_datastore_links,
    parse_hanweb_dataproxy,
)
from crawlers.links.hosts import DEFAULT_HOSTS
from crawlers.links.model import (
    HtmlElement,
    ListedLink,
    absolute_url,
    clean_text,
    link_title,
    parse_html,
    unique,
)
from crawlers.links.pages import find_next_pages as _next_pages
from crawlers.links.pages import has_pager
from crawlers.links.select import select

__all__ = [
    "HanwebProxyRequest",
    "ListedLink",
    "find_article_links",
    "find_next_pages",
    "hanweb_dataproxy_urls",
    "parse_feed",
    "parse_hanweb_dataproxy",
    "parse_sitemap",
]


def _anchor_in(element: HtmlElement) -> HtmlElement | None:
    if element.tag == "a" and element.get("href"):
        return element
    found = element.xpath(".//a[@href]")
    return found[0] if found else None


def _selected_date(item: HtmlElement, anchor: HtmlElement, url: str, selector: str | None,
                   today: date) -> str | None:
    if selector:
        for hit in select(item, selector, relative=True):
            text = hit if isinstance(hit, str) else (
                hit.get("datetime") or hit.get("content") or hit.text_content())
            found = find_date(clean_text(text), url, today)
            if found:
                return found
    return visible_date(item, anchor, url, today) or date_from_url(url)


def _by_selectors(doc: HtmlElement, base_url: str, selectors: Selectors, today: date
                  ) -> list[ListedLink]:
    assert selectors.links is not None
    links: list[ListedLink] = []
    for element in select(doc, selectors.links):
        if isinstance(element, str):
            url = absolute_url(element, base_url)
            if url:
                links.append(ListedLink(url=url, date=date_from_url(url)))
            continue
        anchor = _anchor_in(element)
        url = absolute_url(anchor.get("href"), base_url) if anchor is not None else None
        if anchor is None or url is None:
            continue
        item = element if element is not anchor else item_of(anchor)
        when = _selected_date(item, anchor, url, selectors.date, today)
        links.append(ListedLink(url=url, title=link_title(anchor), date=when))
    return unique(links)


def list_blocks(html: str, base_url: str, today: date | None = None,
                hosts: LinkHosts = DEFAULT_HOSTS) -> Choice:
    """The list block(s) of a page found without selectors, their links and why."""
    doc = parse_html(html)
    if doc is None:
        return Choice()
    body = doc.find("body")
    root = body if body is not None else doc
    day = today or date.today()
    found = (candidate(a, base_url, day, hosts) for a in root.iter("a") if a.get("href"))
    return choose([c for c in found if c is not None], has_pager(html))


def find_article_links(html: str, base_url: str, selectors: Selectors | None = None,
                       today: date | None = None, hosts: LinkHosts = DEFAULT_HOSTS
                       ) -> list[ListedLink]:
    """Article links of a list page (the column's items, not navigation or footers)."""
    today = today or date.today()
    if selectors is not None and selectors.links:
        doc = parse_html(html)
        return [] if doc is None else _by_selectors(doc, base_url, selectors, today)
    inline = inline_datastore_links(html, base_url, today)
    if inline:
        return inline
    return list_blocks(html, base_url, today, hosts).links


def find_next_pages(html: str, base_url: str, page_url: str,
                    selectors: Selectors | None = None) -> list[str]:
    """URLs of the list pages after ``page_url`` (TRS ``index_N.html``, next links, ?page=)."""
    selector = selectors.next_page if selectors is not None else None
    return _next_pages(html, base_url, page_url, selector)
