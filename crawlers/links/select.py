"""Operator selector overrides for list pages (``Selectors.links``/``date``/``next_page``).

Input: a parsed document or element and a selector string, XPath when it starts with ``/``,
``(`` or ``./``, CSS otherwise. Output: the matching elements (or strings, for XPath that
selects attributes or text), and ``links.by_selectors``: the ``ListedLink`` values a source's
selectors pick on a list page. An invalid selector raises ``ValueError`` naming it.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from lxml import etree
from parsel.csstranslator import css2xpath

from config.sources import Selectors
from crawlers.links.blocks import item_of, visible_date
from crawlers.links.dates import date_from_url, find_date
from crawlers.links.model import (
    HtmlElement,
    ListedLink,
    absolute_url,
    clean_text,
    link_title,
    unique,
)


def is_xpath(selector: str) -> bool:
    return selector.lstrip().startswith(("/", "(", "./"))


@lru_cache(maxsize=256)
def _compiled(selector: str, relative: bool) -> etree.XPath:
    try:
        expr = selector.strip() if is_xpath(selector) else css2xpath(selector.strip())
        if relative and expr.startswith("//"):
            expr = "." + expr
        return etree.XPath(expr)
    except Exception as exc:  # cssselect and lxml raise several unrelated types
        raise ValueError(f"invalid selector {selector!r}: {exc}") from exc


def select(node: HtmlElement, selector: str, relative: bool = False) -> list[HtmlElement | str]:
    """Elements (or strings) matching ``selector`` under ``node``.

    With ``relative``, an XPath starting with ``//`` is taken as ``.//`` (within ``node``).
    """
    result = _compiled(selector, relative)(node)
    if not isinstance(result, list):
        return [str(result)] if result else []
    return [str(r) if isinstance(r, str) else r for r in result]


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


def links_by_selectors(doc: HtmlElement, base_url: str, selectors: Selectors, today: date
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
