"""Plain text from attached notice documents (PDF, DOCX, plain text).

Input: the downloaded attachment bytes and its kind (``pdf``, ``docx``, ``txt``, ...; as in
``extract_article(...)["attachments"][i]["kind"]``).  Output: plain text with paragraphs
separated by newlines; ``""`` for kinds that cannot be read (doc, wps, xls, ...) or for
damaged files.  Government notices are often only a pointer to such a file, and the crawler
then uses this text as the article text (see :func:`is_pointer_page`).
"""

from __future__ import annotations

import io
import logging
import re
import warnings
import zipfile
from typing import Any

from lxml import etree

from crawlers.extract.article import is_pointer_page
from crawlers.extract.encoding import decode_html

__all__ = ["attachment_text", "docx_text", "is_pointer_page", "pdf_text"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAX_PDF_PAGES = 200
_BLANKS = re.compile(r"[ \t\u3000]+")


def _tidy(text: str) -> str:
    lines = (_BLANKS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def pdf_text(data: bytes) -> str:
    """Text of a PDF file (first pages only for very long documents)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            pages = [page.extract_text() or "" for page in reader.pages[:_MAX_PDF_PAGES]]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return ""
    return _tidy("\n".join(pages))


def _paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        else:
            parts.append("\t" if node.tag == f"{_W}tab" else "\n")
    return "".join(parts)


def docx_text(data: bytes) -> str:
    """Text of a DOCX file: body paragraphs (including table cells) in document order."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return ""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(xml, parser=parser)
    except etree.XMLSyntaxError:
        return ""
    return _tidy("\n".join(_paragraph_text(p) for p in root.iter(f"{_W}p")))


def attachment_text(data: bytes, kind: str) -> str:
    """Plain text of an attachment of the given kind; "" when it cannot be read."""
    kind = kind.lower().lstrip(".")
    if kind == "pdf" or data.startswith(b"%PDF"):
        return pdf_text(data)
    if kind == "docx":
        return docx_text(data)
    if kind in ("txt", "csv"):
        return _tidy(decode_html(data)[0])
    return ""
