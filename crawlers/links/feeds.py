"""RSS 2.0 / Atom feeds and XML sitemaps as sources of article links.

Input: the raw bytes of a feed or sitemap and the URL it came from. Output: ``ListedLink``
values (and, for a sitemap index, the child sitemap URLs). Parsed with lxml with entity
resolution and network access off, in recover mode; namespaces are matched by local name so
RSS 1.0/2.0, Atom, Google news sitemaps and ``sitemapindex`` files all work.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from lxml import etree

from crawlers.links.dates import iso_date
from crawlers.links.model import HtmlElement, ListedLink, absolute_url, clean_text, unique

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _parse_xml(xml: bytes) -> HtmlElement | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                             huge_tree=False, remove_blank_text=True)
    try:
        return etree.fromstring(xml.strip(), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _child_text(element: HtmlElement, *names: str) -> str:
    for name in names:
        found = element.xpath(f"./*[local-name()='{name}']")
        if found:
            return clean_text("".join(found[0].itertext()))
    return ""


def _rfc822_date(value: str) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return iso_date(value)


def _rss_item(item: HtmlElement, base_url: str) -> ListedLink | None:
    href = _child_text(item, "link") or item.get(f"{{{_RDF}}}about")
    guid = item.xpath("./*[local-name()='guid' and not(@isPermaLink='false')]")
    if not href and guid:
        href = clean_text(guid[0].text)
    url = absolute_url(href, base_url)
    if url is None:
        return None
    stamp = _child_text(item, "pubDate", "date", "published", "updated")
    return ListedLink(url=url, title=_child_text(item, "title"), date=_rfc822_date(stamp))


def _atom_entry(entry: HtmlElement, base_url: str) -> ListedLink | None:
    links = entry.xpath("./*[local-name()='link']")
    chosen = [x for x in links if x.get("rel", "alternate") == "alternate"] or links
    url = absolute_url(chosen[0].get("href") if chosen else None, base_url)
    if url is None:
        return None
    stamp = _child_text(entry, "published", "updated", "issued", "modified")
    return ListedLink(url=url, title=_child_text(entry, "title"),
                      date=iso_date(stamp) if stamp else None)


def parse_feed(xml: bytes, base_url: str) -> list[ListedLink]:
    """Items of an RSS (0.9x/1.0/2.0) or Atom feed, in feed order."""
    root = _parse_xml(xml)
    if root is None:
        return []
    found: list[ListedLink | None] = []
    for item in root.xpath("//*[local-name()='item']"):
        found.append(_rss_item(item, base_url))
    for entry in root.xpath("//*[local-name()='entry']"):
        found.append(_atom_entry(entry, base_url))
    return unique([link for link in found if link is not None])


def parse_sitemap(xml: bytes, base_url: str) -> tuple[list[ListedLink], list[str]]:
    """``(pages, child sitemaps)`` of a ``urlset`` or ``sitemapindex`` document."""
    root = _parse_xml(xml)
    if root is None:
        return [], []
    pages: list[ListedLink] = []
    for entry in root.xpath("//*[local-name()='url']"):
        url = absolute_url(_child_text(entry, "loc"), base_url)
        if url is None:
            continue
        news = entry.xpath(".//*[local-name()='news']")
        title = _child_text(news[0], "title") if news else ""
        stamp = (_child_text(news[0], "publication_date") if news else "") or \
            _child_text(entry, "lastmod")
        pages.append(ListedLink(url=url, title=title, date=iso_date(stamp) if stamp else None))
    children = [absolute_url(_child_text(s, "loc"), base_url)
                for s in root.xpath("//*[local-name()='sitemap']")]
    return unique(pages), [c for c in children if c]
