"""Headline evidence beyond headings: label prefixes, breadcrumbs and site names.

Input: candidate title strings, heading elements, the page's meta tags and visible lines.
Output: titles without status labels (``原创``, ``转载``, ``[原创]``, ``【置顶】``, ``Re:``),
the breadcrumb trail of the page (its last item is a headline candidate, the others are
column names), the site's names (``og:site_name``, ``application-name``) and a penalty for
a candidate that looks like a site or column name rather than a headline.
"""

from __future__ import annotations

import re

from lxml import etree

from crawlers.extract.text import norm_space

_LABEL_WORDS = r"原创|转载|转帖|转|翻译|译文|置顶|精华|推荐|热门|首发|荐|新|热|顶"
_LABEL_PREFIX = re.compile(
    r"^\s*(?:[\[【(（〔［]\s*(?:" + _LABEL_WORDS + r")\s*[\]】)）〕］]\s*[:：]?"
    r"|(?:原创|转载|转帖|置顶|精华)\s*(?:[:：|丨｜]|\s)"
    r"|(?:标题|题目)\s*[:：]|(?:re|回复)\s*[:：])\s*", re.I)
LABEL_ONLY = re.compile(r"^\s*[\[【(（〔［]?\s*(?:" + _LABEL_WORDS + r")\s*[\]】)）〕］]?\s*$")
_CRUMB_LABEL = re.compile(r"^\s*(?:当前位置|您的位置|你的位置|你现在的位置|您现在的位置|"
                          r"所在位置|位置|current location|you are here)\s*[:：]?\s*", re.I)
_CRUMB_SEP = re.compile(r"\s*(?:>>|>|»|›|→|＞|\s/\s|\s-\s|\s\|\s)\s*")
_CRUMB_HOME = re.compile(r"^\s*(?:首页|主页|网站首页|门户首页|home)\s*(?:>|»|›|→|＞|/)", re.I)
_SITE_WORD = re.compile(r"(?:网|论坛|社区|博客|门户|官网|频道|首页|新闻中心|网站|在线|"
                        r"bbs|blog|forum|powered by|online)\s*$", re.I)
_SITE_METAS = ("og:site_name", "application-name", "apple-mobile-web-app-title", "sitename",
               "site_name", "twitter:site")


LABEL_STARTS = "原转置精[【(（〔［标题回Rr"  # first characters of a label prefix
_TAG_PREFIX = re.compile(r"^\s*[\[【〔［]([^\]】〕］]{1,8})[\]】〕］]\s*[:：]?")
_OPENING = "[【(（〔［"  # a bracketed label cannot be part of a word
_GLUED_LABEL = re.compile(r"^\s*(?:原创|转载|转帖|置顶|精华)\s*")


def strip_labels(title: str, squashed: bool = False) -> str:
    """A headline without leading status labels (original/repost/pinned/reply);
    ``squashed`` also drops a label glued to the text (for matching only)."""
    text = title
    for _ in range(3):
        m = _LABEL_PREFIX.match(text) or (_GLUED_LABEL.match(text) if squashed else None)
        if not m or len(text) - m.end() < (2 if text.lstrip()[:1] in _OPENING else 4):
            break
        text = text[m.end():]
    return text.strip()


def without_tag(title: str) -> str | None:
    """A headline without a short bracketed category tag (``[经验分享] …``, ``【专题】…``), or
    None when it has none; whether the tag belongs to the headline is decided by agreement
    with the other title sources."""
    m = _TAG_PREFIX.match(title)
    rest = title[m.end():].strip() if m else ""
    return rest if len(rest) >= 4 else None


def heading_text(el: etree._Element) -> str:
    """Visible text of a heading, leaving out child elements that only hold a label."""
    parts: list[str] = [el.text or ""]
    for child in el:
        inner = norm_space("".join(child.itertext())) if isinstance(child.tag, str) else ""
        if not (inner and LABEL_ONLY.match(inner)):
            parts.append("".join(child.itertext()) if isinstance(child.tag, str) else "")
        parts.append(child.tail or "")
    return norm_space("".join(parts))


def breadcrumb(lines: list[str]) -> list[str]:
    """Items of the page's breadcrumb trail: a line labelled 当前位置/您的位置/"You are
    here", or starting at 首页/Home, with at least two separators (>, », ›, →, /)."""
    for line in lines[:200]:
        if len(line) >= 300:
            continue
        m = _CRUMB_LABEL.match(line)
        rest = line[m.end():] if m else (line if _CRUMB_HOME.match(line) else "")
        items = [x for x in _CRUMB_SEP.split(rest) if x.strip()] if rest else []
        if len(items) >= 2 and (m or len(items) >= 3):
            return items
    return []


def site_names(meta: dict[str, str]) -> set[str]:
    """Names the site gives itself in meta tags."""
    return {meta[k] for k in _SITE_METAS if meta.get(k)}


def looks_like_site(text: str) -> bool:
    """A short name ending like a site or channel name (…网, …频道, …论坛, … BBS)."""
    text = text.strip()
    return 1 < len(text) <= 14 and bool(_SITE_WORD.search(text))


def name_penalty(key: str, columns: set[str], sites: set[str]) -> float:
    """Penalty for a squashed candidate that names the site or a column, not an article."""
    if not key:
        return 0.0
    if key in columns or key in sites:
        return 2.0
    return 1.0 if looks_like_site(key) and len(key) <= 12 else 0.0
