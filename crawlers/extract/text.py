"""Shared text helpers for the article extractor.

Input: lxml elements or plain strings.  Output: visible text split into lines at block
elements, whitespace-normalised strings, and simple script statistics (CJK share).
"""

from __future__ import annotations

import re

import lxml.html
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
_LETTER_RE = re.compile(r"[^\W\d_]")
_ZERO_WIDTH = str.maketrans({"\u200b": " ", "\ufeff": " "})


def norm_space(text: str | None) -> str:
    """Collapse whitespace (including full-width, no-break and zero-width spaces) and strip."""
    if not text:
        return ""
    if "\u200b" in text or "\ufeff" in text:
        text = text.translate(_ZERO_WIDTH)
    return " ".join(text.split())


def tag_of(node: etree._Element) -> str:
    """Tag name (the HTML parser lower-cases it), or '' for comments and PIs."""
    tag = node.tag
    return tag if isinstance(tag, str) else ""


def _pieces(node: etree._Element) -> list[str]:
    """Text pieces of ``node`` in order, with a newline at each block boundary."""
    out: list[str] = []
    skipping = 0
    for event, el in etree.iterwalk(node, events=("start", "end")):
        tag = el.tag
        if not isinstance(tag, str) or tag in SKIP_TAGS:
            skipping += 1 if event == "start" else -1
            if event == "end" and not skipping and el.tail and el is not node:
                out.append(el.tail)
            continue
        if skipping:
            continue
        if event == "start":
            out.append("\n" if tag in BLOCK_TAGS else "")
            out.append(el.text or "")
        else:
            out.append("\n" if tag in BLOCK_TAGS else "")
            if el.tail and el is not node:
                out.append(el.tail)
    return out


def block_lines(node: etree._Element) -> list[str]:
    """Non-empty visible text lines of ``node``, split at block-level elements."""
    text = "".join(_pieces(node))
    if "\u200b" in text or "\ufeff" in text:
        text = text.translate(_ZERO_WIDTH)
    return [" ".join(x.split()) for x in text.split("\n") if x and not x.isspace()]


def text_of(node: etree._Element) -> str:
    """All visible text of ``node`` on one line."""
    return norm_space(" ".join(block_lines(node)))


def cjk_count(text: str) -> int:
    """Number of Han/kana characters in ``text``."""
    return len(CJK_RE.findall(text))


def is_cjk_text(text: str) -> bool:
    """True when a text is mostly Chinese/Japanese."""
    sample = text[:4000]
    letters = len(_LETTER_RE.findall(sample))
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
# Plain lxml.html elements without its per-element Python class lookup: the tree can be
# handed to trafilatura (which wants HtmlElement) at no extra parsing cost.
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(element=lxml.html.HtmlElement))
