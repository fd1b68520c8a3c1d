"""Safe text for chat messages: markdown neutralised, links that cannot break out, and cuts
that never split a character, an entity or a link.

Input: untrusted page text (titles, snippets, source names, URLs). Output: strings for the
markdown dialects of WeCom, DingTalk, Feishu ``lark_md`` and Teams Adaptive Cards, which
document no backslash escape: their active characters are replaced by the full-width forms
(``*`` → ``＊``, ``[`` → ``［``, ``<`` → ``＜``...), which read the same and format nothing
(no mention, no link, no bold). ``cut`` shortens text to a limit in characters or UTF-8
bytes (as the vendor counts) and ends it with ``…``.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

ELLIPSIS = "…"
_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "*_~`[]<>#|"}
_FULL_WIDTH["\\"] = "＼"
_MARKDOWN = str.maketrans(_FULL_WIDTH)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_OPEN_ENTITY = re.compile(r"&[A-Za-z0-9#]{0,8}$")
_OPEN_MD_LINK = re.compile(r"\[[^\]\n]*(\](\([^)\n]*)?)?$")
Unit = Literal["chars", "bytes"]


def one_line(text: str) -> str:
    """No control characters or line breaks (a title stays on its line)."""
    return _CONTROL.sub(" ", text).strip()


def md_escape(text: str) -> str:
    """Page text safe in any of the chat markdowns: active characters made full-width."""
    return one_line(text).translate(_MARKDOWN)


def md_url(url: str) -> str:
    """An http(s) URL that cannot end a markdown link early, else ``""``."""
    url = url.strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    if scheme not in ("http", "https") or _CONTROL.search(url):
        return ""
    for char, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"),
                       ("[", "%5B"), ("]", "%5D"), ("|", "%7C"), ('"', "%22")):
        url = url.replace(char, code)
    return url


def md_link(url: str, label: str) -> str:
    """``[label](url)`` with the label escaped; the escaped label alone for a bad URL."""
    target = md_url(url)
    return f"[{md_escape(label)}]({target})" if target else md_escape(label)


def size(text: str, unit: Unit = "chars") -> int:
    return len(text.encode("utf-8", "surrogatepass")) if unit == "bytes" else len(text)


def _head(text: str, limit: int, unit: Unit) -> str:
    if unit == "chars":
        head = text[:limit]
    else:
        head = text.encode("utf-8", "surrogatepass")[:limit].decode("utf-8", "ignore")
    if head and "\ud800" <= head[-1] <= "\udbff":  # half of a surrogate pair
        head = head[:-1]
    return head


def cut(text: str, limit: int, unit: Unit = "chars") -> str:
    """``text`` if it fits in ``limit``, else its longest head that ends neither inside an
    HTML entity (``&amp;``), a Slack link (``<url|label>``) nor a markdown link
    (``[label](url)``), followed by ``…``."""
    if size(text, unit) <= limit:
        return text
    head = _head(text, max(0, limit - size(ELLIPSIS, unit)), unit)
    entity = _OPEN_ENTITY.search(head)
    if entity:
        head = head[:entity.start()]
    if head.rfind("<") > head.rfind(">"):
        head = head[:head.rfind("<")]
    link = _OPEN_MD_LINK.search(head)
    if link:
        head = head[:link.start()]
    return head + ELLIPSIS


def fit_lines(lines: list[str], limit: int, unit: Unit = "chars",
              more: str = "and {n} more") -> str:
    """As many whole ``lines`` as fit in ``limit`` (joined by newlines), then a line saying
    how many were left out; a first line too long on its own is ``cut``."""
    out: list[str] = []
    for index, line in enumerate(lines):
        rest = len(lines) - index - 1
        tail = "\n" + more.format(n=rest) if rest else ""
        candidate = "\n".join([*out, line])
        if size(candidate + tail, unit) <= limit:
            out.append(line)
            continue
        if not out:
            return cut(line, limit, unit)
        return "\n".join(out) + "\n" + more.format(n=len(lines) - index)
    return "\n".join(out)
