"""Pagination of list pages: the URLs of the pages after the current one.

Input: a list page's HTML, the base URL for relative links and the page's own URL, optionally a
CSS/XPath selector for the next-page link. Output: absolute URLs in crawl order. Understands
TRS ``createPageHTML(total, current, "index", "html")`` scripts (→ ``index_1.html``,
``index_2.html`` …, all remaining pages), ``rel="next"`` and "下一页"/"Next" links, links
to the same path with a ``page``-like query parameter one higher than the current one (VSB
``?totalpage=N&PAGENUM=2``, ``?a2t=N&a2p=2``), and, last, pagers that exist only in script
(VSB ``_simple_list_gotopage_fun(N, 'PAGENUM', …)``, ``totalpage``/``PAGENUM`` in a script):
the page's own URL with the page parameter one higher. ``has_pager`` says whether a page shows
a pager at all (a paged list, as opposed to a hub of several columns).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from crawlers.links.model import HtmlElement, absolute_url, clean_text, parse_html
from crawlers.links.select import select

_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_NEXT_TEXT = re.compile(r"^(?:下一页|下页|下一頁|后页|next(?:\s*page)?|older(?:\s+posts)?)"
                        r"\s*[>›»]*$|^[>›»]$", re.I)
_PAGE_KEYS = ("page", "p", "pageno", "pagenum", "pageindex", "currentpage", "pn", "curpage")
_A_PAGE = re.compile(r"^a\d+p$")  # VSB: a2p=page (with a2t=total, a2c=per page)
_SCRIPT_KEY = re.compile(r"""(?:[?&]|['"])(PAGENUM|pageNum|pageNo|pageIndex|curPage)['"]?\s*[=,]""")
_SCRIPT_TOTAL = re.compile(r"""(?:totalpage|_simple_list_gotopage_fun\s*\()['"]?\s*[=:(]?"""
                           r"""\s*['"]?(\d+)""", re.I)
_PAGER_LITERALS = ("createPageHTML", "_simple_list_gotopage_fun", "PAGENUM=", "totalpage=",
                   'rel="next"', "rel='next'", "rel=next", "上一页", "下一页", "上页</", "下页</",
                   "尾页", "末页", "下一頁", "laypage")
_PAGER_COUNTS = re.compile(r"共\s*\d+\s*页|第\s*\d+\s*/\s*\d+\s*页|每页\s*\d+\s*条")
_PAGER_NAMES = frozenset({"page", "pages", "pager", "paging", "pagination", "pagenav",
                          "page_nav", "pagebar", "page_div", "fanye", "wp_paging", "p_pages"})
_CLASSES_AND_IDS = etree.XPath("//@class | //@id")
MAX_TRS_PAGES = 50


def _int_arg(arg: str, script: str) -> int | None:
    arg = arg.strip().strip("\"'")
    if arg.isdigit():
        return int(arg)
    if re.fullmatch(r"[A-Za-z_$][\w$]*", arg):
        match = re.search(rf"\b{re.escape(arg)}\s*=\s*[\"']?(\d+)", script)
        return int(match.group(1)) if match else None
    return None


def trs_pages(html: str, page_url: str) -> list[str]:
    """Pages named by a TRS ``createPageHTML`` call, after the current one."""
    match = _CREATE_PAGE.search(html)
    if not match:
        return []
    args = [a.strip() for a in match.group(1).split(",")]
    numbers = [(i, _int_arg(a, html)) for i, a in enumerate(args)]
    ints = [(i, n) for i, n in numbers if n is not None]
    words = [a.strip("\"'") for a in args if re.fullmatch(r"[\"'][\w.-]*[\"']", a)]
    if len(ints) < 2:
        return []
    (_, total), (_, current) = ints[0], ints[1]
    prefix, ext = (words[-2], words[-1]) if len(words) >= 2 else ("index", "html")
    last = min(total, current + 1 + MAX_TRS_PAGES)
    return [urljoin(page_url, f"{prefix}_{n}.{ext}") for n in range(current + 1, last)]


def _rel_next(doc: HtmlElement, base_url: str) -> list[str]:
    found = []
    for element in doc.xpath("//link[@rel] | //a[@rel]"):
        if "next" in (element.get("rel") or "").lower().split():
            found.append(absolute_url(element.get("href"), base_url))
    return [u for u in found if u]


def _text_next(doc: HtmlElement, base_url: str) -> list[str]:
    found = []
    for anchor in doc.iter("a"):
        text = clean_text(anchor.text_content()) or clean_text(anchor.get("title"))
        if _NEXT_TEXT.match(text):
            found.append(absolute_url(anchor.get("href"), base_url))
    return [u for u in found if u]


def _page_number(url: str) -> tuple[str, str, int] | None:
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if (key.lower() in _PAGE_KEYS or _A_PAGE.match(key)) and value.isdigit():
            return parts.path, key, int(value)
    return None


def _query_next(doc: HtmlElement, base_url: str, page_url: str) -> list[str]:
    here = _page_number(page_url)
    path = urlsplit(page_url).path
    numbered: dict[int, str] = {}
    for anchor in doc.iter("a"):
        url = absolute_url(anchor.get("href"), base_url)
        found = _page_number(url) if url else None
        if url and found and found[0] == path:
            numbered.setdefault(found[2], url)
    if not numbered:
        return []
    if here is not None:
        later = [n for n in numbered if n > here[2]]
        return [numbered[min(later)]] if later else []
    first = min(numbered)
    start = 2 if first == 1 and 2 in numbered else first
    return [numbered[start]]


def has_pager(html: str, doc: HtmlElement | None = None) -> bool:
    """Whether the page shows a pager (TRS or VSB script, next/previous/last links, 共N页, a
    ``page``/``pager``/``pagination``/``fanye`` block, ``rel=next``); ``doc``: the page
    already parsed."""
    if any(word in html for word in _PAGER_LITERALS) or _PAGER_COUNTS.search(html):
        return True
    doc = parse_html(html) if doc is None else doc
    return doc is not None and any(not _PAGER_NAMES.isdisjoint(str(value).lower().split())
                                   for value in _CLASSES_AND_IDS(doc))


def script_pages(html: str, page_url: str) -> list[str]:
    """The next page of a pager that exists only in script: the page parameter one higher
    in the page's own URL (``totalpage`` kept when the script names it)."""
    key_match = _SCRIPT_KEY.search(html)
    if key_match is None:
        return []
    key = key_match.group(1)
    total_match = _SCRIPT_TOTAL.search(html)
    if total_match is None:  # a page key alone may belong to a search box, not a pager
        return []
    total = int(total_match.group(1))
    parts = urlsplit(page_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    current = next((int(v) for k, v in query if k == key and v.isdigit()), 1)
    if current >= total:
        return []
    kept = [(k, v) for k, v in query if k not in (key, "totalpage")]
    extra = [("totalpage", str(total))] if "totalpage" in html else []
    new_query = urlencode([*kept, *extra, (key, str(current + 1))])
    return [urlunsplit((parts.scheme, parts.netloc, parts.path, new_query, ""))]


def _by_selector(doc: HtmlElement, selector: str, base_url: str) -> list[str]:
    urls = []
    for element in select(doc, selector):
        href = element if isinstance(element, str) else element.get("href")
        urls.append(absolute_url(str(href) if href else None, base_url))
    return [u for u in urls if u]


def find_next_pages(html: str, base_url: str, page_url: str, selector: str | None = None
                    ) -> list[str]:
    """URLs of the list pages that follow ``page_url``, nearest first."""
    doc = parse_html(html)
    if doc is None:
        return []
    if selector:
        candidates = _by_selector(doc, selector, base_url)
    else:
        candidates = (trs_pages(html, page_url) or _rel_next(doc, base_url)
                      or _text_next(doc, base_url) or _query_next(doc, base_url, page_url)
                      or script_pages(html, page_url))
    here = page_url.split("#", 1)[0]
    out: list[str] = []
    for url in candidates:
        if url != here and url not in out:
            out.append(url)
    return out
