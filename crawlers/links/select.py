"""Operator selector overrides for list pages (``Selectors.links``/``date``/``next_page``).

Input: a parsed document or element and a selector string, XPath when it starts with ``/``,
``(`` or ``./``, CSS otherwise. Output: the matching elements (or strings, for XPath that
selects attributes or text). An invalid selector raises ``ValueError`` naming it.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree
from parsel.csstranslator import css2xpath

from crawlers.links.model import HtmlElement


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
