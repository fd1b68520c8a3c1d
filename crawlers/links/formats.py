"""The list-page formats, one registry for the spider and ``cgtwatch sources check --online``.

Input: a ``ListPage`` (decoded HTML, its URL, the source's selectors and host policy, today).
Output: a ``ListReading``: which format read the page, its article links, the Hanweb data-proxy
requests still to make, the chosen block(s) and why. ``FORMATS`` are tried in order; the first
that recognises the page reads it:

- ``selectors``: the source's ``selectors.links`` (CSS or XPath) from ``sources.yaml``;
- ``hanweb-datastore``: Hanweb records inline in ``<script type="text/xml">``;
- ``hanweb-dataproxy``: a Hanweb column without inline records: requests to its ``jpage``
  data proxy (a format that *fetches*; skipped by ``find_article_links``);
- ``blocks``: generic discovery, no selectors: the repeated, dated block(s) of links
  (``links.blocks`` scores every link, ``links.choose`` picks the block(s)).
Pure: no I/O; the spider and the online check make the requests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from config.sources import LinkHosts, Selectors, Source
from crawlers.links.blocks import candidate
from crawlers.links.choose import Block, Choice, choose
from crawlers.links.hanweb import (
    HanwebProxyRequest,
    hanweb_dataproxy_urls,
    inline_datastore_links,
)
from crawlers.links.hosts import DEFAULT_HOSTS
from crawlers.links.model import ListedLink, parse_html
from crawlers.links.pages import has_pager
from crawlers.links.select import links_by_selectors


@dataclass(frozen=True, slots=True)
class ListPage:
    html: str
    url: str
    selectors: Selectors = field(default_factory=Selectors)
    hosts: LinkHosts = DEFAULT_HOSTS
    today: date = field(default_factory=date.today)

    @classmethod
    def of(cls, source: Source, html: str, url: str, today: date | None = None) -> ListPage:
        return cls(html, url, source.selectors, source.link_hosts, today or date.today())


@dataclass(frozen=True, slots=True)
class ListReading:
    format: str
    links: list[ListedLink] = field(default_factory=list)
    proxies: list[HanwebProxyRequest] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    reason: str = ""

    def explain(self) -> list[str]:
        """One line per chosen block, or the format's reason: what an operator reads."""
        lines = [block.describe() for block in self.blocks]
        return lines or [f"{self.format}: {self.reason}"]


@dataclass(frozen=True, slots=True)
class ListFormat:
    name: str
    read: Callable[[ListPage], ListReading | None]
    fetches: bool = False  # gives requests to make rather than links


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
    return choose([c for c in found if c is not None], has_pager(html, doc))


def _selectors(page: ListPage) -> ListReading | None:
    if not page.selectors.links:
        return None
    doc = parse_html(page.html)
    links = [] if doc is None else links_by_selectors(doc, page.url, page.selectors, page.today)
    return ListReading("selectors", links, reason=f"selectors.links {page.selectors.links!r}: "
                                                  f"{len(links)} links")


def _datastore(page: ListPage) -> ListReading | None:
    links = inline_datastore_links(page.html, page.url, page.today)
    if not links:
        return None
    return ListReading("hanweb-datastore", links,
                       reason=f"{len(links)} records inline in <script type=\"text/xml\">")


def _dataproxy(page: ListPage) -> ListReading | None:
    proxies = hanweb_dataproxy_urls(page.html, page.url)
    if not proxies:
        return None
    columns = ", ".join(p.form.get("columnid", "?") for p in proxies)
    return ListReading("hanweb-dataproxy", proxies=proxies,
                       reason=f"Hanweb column(s) {columns} without inline records: data proxy")


def _blocks(page: ListPage) -> ListReading:
    choice = list_blocks(page.html, page.url, page.today, page.hosts)
    reason = "" if choice.blocks else "no repeated block of dated or article-shaped links"
    return ListReading("blocks", choice.links, blocks=choice.blocks, reason=reason)


FORMATS: tuple[ListFormat, ...] = (
    ListFormat("selectors", _selectors),
    ListFormat("hanweb-datastore", _datastore),
    ListFormat("hanweb-dataproxy", _dataproxy, fetches=True),
    ListFormat("blocks", _blocks),
)


def read_list_page(page: ListPage, fetch: bool = True) -> ListReading:
    """The first format of ``FORMATS`` that reads ``page``; with ``fetch=False`` formats that
    need further requests are skipped (links on the page itself only)."""
    for fmt in FORMATS:
        if fmt.fetches and not fetch:
            continue
        reading = fmt.read(page)
        if reading is not None:
            return reading
    return _blocks(page)
