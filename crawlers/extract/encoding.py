"""Charset detection and decoding of fetched HTML bytes.

Input: the raw page bytes and, optionally, the charset named by the HTTP ``Content-Type``
header.  Output: ``(text, encoding)`` where ``encoding`` is the Python codec name used.

Order of evidence: a byte-order mark, then strict UTF-8 (valid UTF-8 is trusted over any
declaration, since many pages saved from browsers say gb2312 but are UTF-8), then the
declared charsets (HTTP header, CleanEval/XML wrappers, ``<meta>``), with GB2312/GBK widened
to GB18030, then byte sniffing between GB18030 and Big5, then lenient decoding.
"""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

_WRAPPER_ENC = re.compile(rb'<text\s[^>]*encoding\s*=\s*["\']?([A-Za-z0-9_\-]+)', re.I)
_XML_ENC = re.compile(rb'<\?xml[^>]+encoding\s*=\s*["\']([A-Za-z0-9_\-]+)', re.I)
_META_CHARSET = re.compile(rb'<meta[^>]+charset\s*=\s*["\']?\s*([A-Za-z0-9_\-]+)', re.I)

_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
    "cp936": "gb18030", "gb18030": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "gb18030",
    "utf8": "utf-8", "utf-8": "utf-8", "big5": "big5hkscs", "big5-hkscs": "big5hkscs",
    "x-big5": "big5hkscs", "cp950": "big5hkscs", "iso-8859-1": "cp1252", "latin1": "cp1252",
    "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "unset": "", "none": "",
}

# Double-byte pairs: GB2312 proper uses lead 0xB0-0xF7 / trail 0xA1-0xFE; Big5 text read as
# GBK lands mostly outside that block.
_DOUBLE_BYTE = re.compile(rb"[\x81-\xfe][\x40-\xfe]")


def normalize_charset(name: str | None) -> str | None:
    """Map a declared charset label to a Python codec name (None when unusable)."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    if not label:
        return None
    try:
        "".encode(label)
    except LookupError:
        return None
    return label


def declared_charsets(data: bytes) -> list[str]:
    """Charsets declared inside the document (wrapper, XML prolog, meta), in that order."""
    head = data[:16384]
    found: list[str] = []
    for rx in (_WRAPPER_ENC, _XML_ENC, _META_CHARSET):
        m = rx.search(head)
        if m:
            cs = normalize_charset(m.group(1).decode("ascii", "ignore"))
            if cs and cs not in found:
                found.append(cs)
    return found


def _strict(data: bytes, enc: str) -> str | None:
    try:
        return data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None


def _gb_share(data: bytes) -> float:
    """Share of double-byte pairs that fall in the GB2312 hanzi block."""
    pairs = _DOUBLE_BYTE.findall(data)
    if not pairs:
        return 1.0
    gb = sum(1 for p in pairs if 0xB0 <= p[0] <= 0xF7 and 0xA1 <= p[1] <= 0xFE)
    return gb / len(pairs)


def _sniff(data: bytes) -> tuple[str, str] | None:
    """Strict decoding as GB18030 or Big5, choosing by the byte statistics."""
    gb = _strict(data, "gb18030")
    big5 = _strict(data, "big5hkscs")
    if gb is not None and (big5 is None or _gb_share(data) >= 0.8):
        return gb, "gb18030"
    if big5 is not None:
        return big5, "big5hkscs"
    return None


def _lenient(data: bytes, candidates: list[str]) -> tuple[str, str]:
    """Decode with replacement characters when only a few bytes are bad."""
    for enc in [*candidates, "gb18030", "utf-8"]:
        text = data.decode(enc, "replace")
        if text.count("\ufffd") <= max(3, len(text) // 1000):
            return text, enc
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    return data.decode("cp1252", "replace"), "cp1252"


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode page bytes; ``declared`` is the HTTP header charset, if any."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16"
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    candidates = [c for c in [normalize_charset(declared), *declared_charsets(data)] if c]
    candidates = [c for c in dict.fromkeys(candidates) if c != "utf-8"]
    for enc in candidates:
        if enc in ("cp1252",) and _DOUBLE_BYTE.search(data[:65536]):
            continue  # a Latin-1 label on CJK bytes is a wrong declaration
        if enc == "gb18030":
            guess = _sniff(data)
            if guess is not None:
                return guess
        text = _strict(data, enc)
        if text is not None:
            return text, enc
    sniffed = _sniff(data)
    if sniffed is not None:
        return sniffed
    return _lenient(data, candidates)
