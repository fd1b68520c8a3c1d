"""Shared text helpers for the article extractor.

Input: lxml elements or plain strings.  Output: visible text split into lines at block
elements, whitespace-normalised strings, and simple script statistics (CJK share).
"""

from __future__ import annotations

import re

from lxml import etree

BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
    "article", "ul", "ol", "blockquote", "pre", "dd", "dt", "dl", "td", "th", "header",
    "footer", "figure", "figcaption", "main", "aside", "nav", "form", "center", "hr",
    "address", "tbody", "thead", "caption", "body", "html",
})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "select",
                       "option", "textarea", "button", "svg", "object", "embed", "head",
                       "title", "meta", "link", "input", "map", "video", "audio", "canvas"})
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK_CHARS}]")
KANA_RE = re.compile("[\u3040-\u30ff]")
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def norm_space(text: str | None) -> str:
    """Collapse whitespace (including full-width and no-break spaces) and strip."""
    return _WS.sub(" ", text or "").strip()


def tag_of(node: etree._Element) -> str:
    """Lower-case tag name, or '' for comments and processing instructions."""
    tag = node.tag
    return tag.lower() if isinstance(tag, str) else ""


def _walk(node: etree._Element, out: list[str]) -> None:
    tag = tag_of(node)
    if not tag or tag in SKIP_TAGS:
        if node.tail:
            out.append(node.tail)
        return
    block = tag in BLOCK_TAGS
    if block:
        out.append("\n")
    if node.text:
        out.append(node.text)
    for child in node:
        _walk(child, out)
    if block:
        out.append("\n")
    if node.tail:
        out.append(node.tail)


def block_lines(node: etree._Element) -> list[str]:
    """Non-empty visible text lines of ``node``, split at block-level elements."""
    out: list[str] = []
    _walk(node, out)
    if node.tail and out and out[-1] is node.tail:
        out.pop()  # the root's own tail is not part of it
    lines = (norm_space(x) for x in "".join(out).split("\n"))
    return [x for x in lines if x]


def text_of(node: etree._Element) -> str:
    """All visible text of ``node`` on one line."""
    return norm_space(" ".join(block_lines(node)))


def cjk_count(text: str) -> int:
    """Number of Han/kana characters in ``text``."""
    return len(CJK_RE.findall(text))


def is_cjk_text(text: str) -> bool:
    """True when a text is mostly Chinese/Japanese."""
    sample = text[:20000]
    letters = sum(1 for ch in sample if ch.isalpha())
    return letters > 0 and cjk_count(sample) > 0.3 * letters


def parse_html(text: str) -> etree._Element | None:
    """Parse HTML text into an lxml tree; None when nothing parseable is left."""
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    if not text.strip():
        return None
    try:
        root = etree.fromstring(text, parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root if root is not None and len(root) else None


_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, recover=True,
                           default_doctype=False, collect_ids=False, huge_tree=True)
