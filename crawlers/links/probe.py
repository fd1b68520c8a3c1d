"""Online check of a source's entry points: fetch each list page, feed or sitemap once.

Input: a ``Source`` and ``CrawlerSettings`` (User-Agent, timeout, maximum size). Output: one
``ProbeResult`` per URL: HTTP status, article links found, the list format that read the page
and the block(s) it chose with the reason (list pages through the registry of
``crawlers.links.formats``, the spider's own, including a Hanweb column's data proxy; feeds and
sitemaps through ``crawlers.links.feeds``) or the error. Used by ``cgtwatch sources check
--online``; a quick operator check, not a crawl (no robots.txt, no articles, nothing
published).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from config.settings import CrawlerSettings
from config.sources import Source
from crawlers.extract.encoding import decode_html
from crawlers.links.discover import parse_hanweb_dataproxy
from crawlers.links.feeds import parse_feed, parse_sitemap
from crawlers.links.formats import ListPage, ListReading, read_list_page


@dataclass(frozen=True)
class ProbeResult:
    source_id: str
    url: str
    kind: str  # list, feed, sitemap
    status: int | None = None
    links: int = 0
    note: str = ""
    format: str = ""  # the list format of crawlers.links.formats that read the page
    blocks: tuple[str, ...] = ()  # the chosen block(s) and why, one line each

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.links > 0


def _list_reading(client: httpx.Client, source: Source, response: httpx.Response
                  ) -> tuple[ListReading, int, str]:
    """Read a list page as the spider does; a data proxy is asked for its first records."""
    html, _ = decode_html(response.content, response.charset_encoding)
    page = ListPage.of(source, html, str(response.url))
    reading = read_list_page(page)
    for proxy in reading.proxies:
        answer = client.post(proxy.url, data=proxy.form)
        found = parse_hanweb_dataproxy(decode_html(answer.content)[0], str(answer.url))
        if found:
            return reading, len(found), "via Hanweb data proxy"
    if reading.proxies:  # the proxy gave nothing: what the page itself shows
        reading = read_list_page(page, fetch=False)
    return reading, len(reading.links), "" if reading.links else "no article links"


def _probe_one(client: httpx.Client, source: Source, url: str, kind: str) -> ProbeResult:
    try:
        response = client.get(url)
        if response.status_code != 200:
            return ProbeResult(source.id, url, kind, response.status_code, 0, "HTTP error")
        if kind == "feed":
            count, note = len(parse_feed(response.content, str(response.url))), ""
        elif kind == "sitemap":
            links, children = parse_sitemap(response.content, str(response.url))
            count, note = len(links), f"{len(children)} child sitemaps" if children else ""
        else:
            reading, count, note = _list_reading(client, source, response)
            return ProbeResult(source.id, url, kind, response.status_code, count, note,
                               reading.format, tuple(reading.explain()))
    except httpx.HTTPError as exc:
        return ProbeResult(source.id, url, kind, None, 0, f"{type(exc).__name__}: {exc}"[:200])
    return ProbeResult(source.id, url, kind, response.status_code, count, note)


def probe_source(source: Source, crawler: CrawlerSettings,
                 transport: httpx.BaseTransport | None = None) -> list[ProbeResult]:
    """Fetch every entry point of ``source`` once and count the article links (``transport``:
    httpx's own, unless a test gives a ``MockTransport``)."""
    entries = ([(str(u), "list") for u in source.list_urls]
               + [(str(u), "feed") for u in source.feeds]
               + [(str(u), "sitemap") for u in source.sitemaps])
    headers = {"User-Agent": crawler.user_agent}
    with httpx.Client(headers=headers, timeout=crawler.download_timeout,
                      follow_redirects=True, max_redirects=crawler.redirect_max_times,
                      transport=transport) as client:
        return [_probe_one(client, source, url, kind) for url, kind in entries]
