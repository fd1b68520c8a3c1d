"""List-page discovery: which article links does a news or notice column show?

Input: a list page's HTML (already decoded to ``str``), its URL and the source's optional
``Selectors``. Output: ``ListedLink(url, title, date)`` values, absolute URLs in page order,
dates as ISO ``YYYY-MM-DD`` or ``None``. Pure: no I/O, no per-site code.

Order of evidence: the formats of ``crawlers.links.formats`` (operator selectors when given;
Hanweb records held inline in ``<script type="text/xml">`` datastores; the repeated, dated
block(s) of links found by ``crawlers.links.blocks`` and ``crawlers.links.choose``).
Pagination, Hanweb data-proxy requests, feeds and sitemaps live in the other ``crawlers.links``
modules and are re-exported here.
"""

from __future__ import annotations

from datetime import date

from config.sources import LinkHosts, Selectors
from crawlers.links.choose import Block, Choice
from crawlers.links.feeds import parse_feed, parse_sitemap
from crawlers.links.formats import (
    FORMATS,
    ListPage,
    ListReading,
    list_blocks,
    read_list_page,
)
from crawlers.links.hanweb import (
    HanwebProxyRequest,
    hanweb_dataproxy_urls,
    parse_hanweb_dataproxy,
)
from crawlers.links.hosts import DEFAULT_HOSTS
from crawlers.links.model import ListedLink
from crawlers.links.pages import find_next_pages as _next_pages

__all__ = [
    "FORMATS",
    "Block",
    "Choice",
    "HanwebProxyRequest",
    "ListPage",
    "ListReading",
    "ListedLink",
    "find_article_links",
    "find_next_pages",
    "hanweb_dataproxy_urls",
    "list_blocks",
    "parse_feed",
    "parse_hanweb_dataproxy",
    "parse_sitemap",
    "read_list_page",
]


def find_article_links(html: str, base_url: str, selectors: Selectors | None = None,
                       today: date | None = None, hosts: LinkHosts = DEFAULT_HOSTS
                       ) -> list[ListedLink]:
    """Article links of a list page (the column's items, not navigation or footers)."""
    page = ListPage(html, base_url, selectors or Selectors(), hosts, today or date.today())
    return read_list_page(page, fetch=False).links


def find_next_pages(html: str, base_url: str, page_url: str,
                    selectors: Selectors | None = None) -> list[str]:
    """URLs of the list pages after ``page_url`` (TRS ``index_N.html``, next links, ?page=)."""
    selector = selectors.next_page if selectors is not None else None
    return _next_pages(html, base_url, page_url, selector)
