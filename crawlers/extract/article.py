"""Article extraction: one page (bytes or text) in, one article record out.

``extract_article(html, url)`` returns a dict with ``title``, ``date`` (ISO 8601
``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``, with ``+HH:MM`` when the page gives its offset; None
when unknown), ``date_source``, ``date_confidence``, ``date_candidates`` (every date
found), ``text`` (body paragraphs separated by newlines), ``body_source`` (``blocks`` or
``trafilatura``), ``language``, ``encoding`` and, where found, ``author``, ``issuer``,
``doc_number`` and ``attachments`` (``{"url", "name", "kind"}`` dicts).  Bytes are decoded
with :func:`crawlers.extract.encoding.decode_html`; the page is parsed once with lxml.  The
body comes from block scoring (:mod:`crawlers.extract.body`), checked against trafilatura on
the same (pruned) tree by :mod:`crawlers.extract.ensemble` (always for non-Chinese pages,
when doubtful for Chinese ones); English boilerplate lines are dropped.  The headline is
chosen by agreement (:mod:`crawlers.extract.meta`, :mod:`crawlers.extract.titles`), the
date among all its sources by confidence (:mod:`crawlers.extract.published`, and
:mod:`crawlers.extract.yearless` for a byline date written without its year).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from crawlers.extract.body import content_nodes, prune, render_lines
from crawlers.extract.clean import clean_english, clean_lines
from crawlers.extract.combine import pick_body, restore_lines, trafilatura_text
from crawlers.extract.dates import written_date
from crawlers.extract.encoding import decode_html
from crawlers.extract.ensemble import AGREE, choose_body, coverage, doubtful, thread_extra
from crawlers.extract.fields import jsonld_author, labelled_fields
from crawlers.extract.meta import (
    attachments,
    choose_title,
    detect_language,
    meta_tags,
    squash,
    title_candidates,
)
from crawlers.extract.published import (
    as_dict,
    choose,
    headline_index,
    structured_dates,
    text_dates,
)
from crawlers.extract.text import block_lines, is_cjk_text, parse_html
from crawlers.extract.titles import (
    LABEL_ONLY,
    LABEL_STARTS,
    breadcrumb,
    site_names,
    strip_labels,
    without_tag,
)
from crawlers.extract.yearless import month_day_date

POINTER_MAX_CHARS = 200
_SQUASH = re.compile(r"[\W_]+")


def _strip_title(lines: list[str], title: str | None) -> list[str]:
    """Drop a leading repetition of the headline from the body, also with a status label
    (``原创``, ``[转载]``) before it, on its line or alone on the line above."""
    key = squash(title or "")
    while lines and key:
        if squash(strip_labels(lines[0], squashed=True)) == key:
            lines = lines[1:]
        elif len(lines) > 1 and LABEL_ONLY.match(lines[0]) and squash(lines[1]) == key:
            lines = lines[2:]
        else:
            break
    return lines


def _empty(encoding: str) -> dict[str, Any]:
    return {"title": None, "date": None, "text": "", "language": None, "encoding": encoding,
            "attachments": []}


def _line_positions(page_lines: list[str], body_start: int) -> dict[str, int]:
    """Squashed short line -> its index (the last one at or above the body start)."""
    pos: dict[str, int] = {}
    for i, line in enumerate(page_lines):
        line_key = squash(line) if len(line) <= 200 else ""
        keys = (line_key, squash(strip_labels(line, squashed=True)),
                squash(without_tag(line) or "")) if line[:1] in LABEL_STARTS else (line_key,)
        for key in keys:
            if key and (key not in pos or i <= body_start + 1):
                pos[key] = i
    return pos


def _body_start(page_lines: list[str], body: list[str]) -> int:
    for line in body[:3]:
        if line in page_lines:
            return page_lines.index(line)
    return -1


def _wrapper_url(root: etree._Element) -> str:
    """URL kept in a CleanEval-style ``<text id="URL">`` wrapper."""
    ids = [str(v) for v in root.xpath("//text/@id")]
    return ids[0] if ids and ids[0].startswith(("http://", "https://")) else ""


def _fields(root: etree._Element, meta: dict[str, str], page_lines: list[str],
            url: str) -> dict[str, Any]:
    """Attachments and labelled notice fields (issuer, doc_number, author)."""
    fields: dict[str, Any] = {"attachments": attachments(root, url)}
    fields.update(labelled_fields(meta, page_lines))
    author = fields.get("author") or jsonld_author(root)
    if author:
        fields["author"] = author
    return fields


def _inner_keys(nodes: list[etree._Element], tag: str) -> frozenset[str]:
    """Squashed text lines of the ``tag`` elements inside the chosen content containers
    (links: their whole text; quotes: each line)."""
    if tag == "a":
        texts = ("".join(a.itertext()) for node in nodes for a in node.iter("a"))
    else:
        texts = (x for node in nodes for q in node.iter(tag) for x in block_lines(q))
    return frozenset(k for text in texts if (k := _SQUASH.sub("", text.lower())))


def _title_and_body(root: etree._Element, meta: dict[str, str], page_lines: list[str]
                    ) -> tuple[str | None, list[str], int, tuple[frozenset[str], ...]]:
    """Headline, body lines (headline removed), the page line where the body starts and
    the texts of the links and quotes in the body."""
    crumbs = breadcrumb(page_lines)
    candidates = title_candidates(root, meta, crumbs)
    names = ({squash(c) for c in crumbs[:-1]}, {squash(n) for n in site_names(meta)})
    prune(root)
    nodes = content_nodes(root)
    body = clean_lines(render_lines(nodes))
    start = _body_start(page_lines, body)
    title = meta.get("articletitle") if len(squash(meta.get("articletitle", ""))) >= 4 else None
    title = title or choose_title(candidates, page_lines,
                                  _line_positions(page_lines, start), start, names,
                                  crumbs[-1] if crumbs else "")
    title = strip_labels(title) if title else title
    inner = (_inner_keys(nodes, "a"), _inner_keys(nodes, "blockquote"))
    return title, _strip_title(body, title), start, inner


def _body(text: str, root: etree._Element, url: str, title: str | None,
          page_lines: list[str], cjk: bool, inner: tuple[frozenset[str], ...]
          ) -> tuple[str, str]:
    """Block body checked against trafilatura (always for non-CJK pages, when doubtful for
    Chinese ones); trafilatura reuses (and alters) the pruned tree."""
    headline = headline_index(page_lines, title)
    if cjk and not doubtful(text, page_lines, headline):
        return text, "blocks"
    other = "\n".join(_strip_title(clean_lines(trafilatura_text(root, url).split("\n")),
                                   title))
    if cjk:
        return choose_body(text, other, page_lines, headline)
    picked = pick_body(text, other)
    if picked is other and thread_extra(text, other, page_lines):
        picked = text
    source = "blocks" if picked is text else "trafilatura"
    if picked is text and coverage(text, other) < AGREE:
        picked, source = choose_body(text, other, page_lines, headline)
    elif picked is other:
        picked = restore_lines(text, other, *inner)
    return "\n".join(clean_english(picked.split("\n"))), source


def extract_article(html: str | bytes, url: str) -> dict[str, Any]:
    """Extract title, date, body text, language and notice metadata from one page."""
    encoding = "utf-8"
    if isinstance(html, bytes):
        html, encoding = decode_html(html)
    root = parse_html(html)
    result = _empty(encoding)
    if root is None:
        return result
    url = url or _wrapper_url(root)
    meta = meta_tags(root)
    body_el = root.find("body")
    page_lines = block_lines(body_el if body_el is not None else root)
    result.update(_fields(root, meta, page_lines, url))
    written = written_date(page_lines[:300])
    dates = structured_dates(root, meta, is_cjk_text("\n".join(page_lines[:200])))
    title, body, start, inner = _title_and_body(root, meta, page_lines)
    text = "\n".join(body)
    cjk = is_cjk_text(text or "\n".join(page_lines[:200]))
    language = detect_language(root, text or "\n".join(page_lines))
    text, body_source = _body(text, root, url, title, page_lines, cjk, inner)
    findings = dates + text_dates(page_lines, title, url, start, written, cjk)
    findings += month_day_date(page_lines, headline_index(page_lines, title), findings, url)
    found = choose(findings)
    result.update(title=title, text=text, language=language, body_source=body_source,
                  date=found.value if found else None,
                  date_source=found.source if found else None,
                  date_confidence=found.confidence if found else None,
                  date_candidates=[as_dict(f) for f in findings])
    return result


extract_article.wants_bytes = True  # type: ignore[attr-defined]


def is_pointer_page(result: dict[str, Any]) -> bool:
    """True when a notice is only a pointer to attached documents (short body + files)."""
    text = str(result.get("text") or "")
    docs = [a for a in result.get("attachments") or [] if a.get("kind") != "zip"]
    return bool(docs) and len(text.strip()) < POINTER_MAX_CHARS
