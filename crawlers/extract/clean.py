"""Line-level clean-up of an extracted article body.

Input: body text lines (from the chosen content container).  Output: the same lines without
leading byline/date/source header lines, pager and comment widgets, and without a trailing
"related articles" section; on English pages also without image captions and credits.
"""

from __future__ import annotations

import re

from crawlers.extract.dates import parse_date

_HEADER = re.compile(r"来源|更新|发布|发表|作者|编辑|点击|浏览|阅读|时间|字号|posted|updated", re.I)
_WIDGET_LINE = re.compile(
    r"^(?:[<《«]*\s*上一页.*|.*下一页\s*[>》»]*|第\s*\d+\s*页\s*/?\s*共\s*\d+\s*页|发表评论|"
    r"查看评论|我要评论|打印本页|关闭窗口|【?打印】?\s*【?关闭】?|返回顶部|分享到[:：]?.*|"
    r"字号[:：]?\s*[大中小\s]*)$")
_RELATED = re.compile(r"^[【\[]?(相关报道|相关新闻|相关阅读|相关链接|相关文章|延伸阅读|推荐阅读|"
                      r"热点推荐|更多精彩|猜你喜欢|热门推荐)[】\]]?[:：]?$")


_EN_POINTER = re.compile(
    r"^\W*(related(\s+(post|posts|stories|story|articles?|coverage|content|reading))?|read more|"
    r"read next|more|also|see also|recommended|watch)\s*:", re.I)
_EN_PROMO = re.compile(
    r"\b(subscribe|sign up|newsletters?|click(ing)? here|follow (us|him|her|me)\b|"
    r"download (the|our) app|get the [\w ]{1,30} app)", re.I)
_EN_SECTION = re.compile(
    r"^\W*(you (may|might) also like|more great [\w ]{1,20} stories|popular on [\w ]{1,30}|"
    r"related (articles|stories|posts|coverage|content)|more stories|read next|recommended "
    r"for you|most popular|trending now)\W*$", re.I)
_LIST_ITEM = re.compile(r"^[-•·*]\s")
_CREDIT = re.compile(
    r"\((?:[^()]{0,60}\b)?(?i:photo|image|picture|credit|illustration)s?\b[^()]{0,80}\)$|"
    r"\b(?:Photo|Image|Picture|Credit)s?(?: credit)?\s*(?:by|:)\s*[^.:]{2,60}$|"
    r"(?:Getty Images|Shutterstock|iStock|,\s*(?:AP|AFP|Reuters)|\bvia (?:AP|AFP|Reuters))\)?$|"
    r"^[A-Z][\w .’'-]{1,40}(?:/[A-Z][\w .’&'-]{1,40})+$")
_NAME = r"[A-Z][\w.’'-]+(?:\s+[A-Z][\w.’'-]+){0,3}"
_NAMES = rf"{_NAME}(?:\s+(?:and|&)\s+{_NAME})?"
_WRITER = re.compile(rf"^(?:[Bb]y\s+)?{_NAMES}\s*[,|]\s*.{{0,40}}\b(?i:writer|reporter|"
                     rf"correspondent|editor|contributor|staff)s?\W*$")
_BY = re.compile(rf"^[Bb]y\s+{_NAMES}(?:\s*[,—|-].{{0,60}})?$")
_WIDGET_EN = re.compile(
    r"^(?:caption|close|updated|advertisement|image \d+ of \d+|continue reading(?: below)?|"
    r"story continues below|back to gallery|like this|like loading|toggle caption|"
    r"hide caption|enlarge this image)\W*$", re.I)


def _is_promo(line: str) -> bool:
    """A short call to subscribe, sign up or follow (a newsletter prompt may be longer)."""
    limit = 250 if "newsletter" in line.lower() else 130
    return len(line) < limit and bool(_EN_PROMO.search(line))


def is_caption(line: str) -> bool:
    """An image caption or credit ("… (AP Photo/…)", "Photo: …, AP", "Name/Agency"), or a
    gallery or advertisement label ("Caption", "Image 2 of 5", "Continue Reading Below")."""
    line = line.strip()
    return len(line) < 600 and bool(_CREDIT.search(line) or _WIDGET_EN.match(line))


def is_byline(line: str, top: bool) -> bool:
    """A byline: "Jane Doe, AP Science Writer", "… and …, Staff Writers"; at the ``top`` of
    the body also "By Jane Doe" (further down that may be a subheading, "By The Numbers")."""
    line = line.strip()
    return len(line) < 120 and bool(_WRITER.match(line) or (top and _BY.match(line)))


def clean_english(lines: list[str]) -> list[str]:
    """Drop "Related:/Read more:" pointers (and the link list after them), newsletter and
    social-media prompts, bylines, image captions and credits, gallery labels, and a trailing
    "You may also like" section."""
    total = sum(len(line) for line in lines)
    kept: list[str] = []
    done = 0
    after_pointer = False
    for i, line in enumerate(lines):
        if _EN_SECTION.match(line) and done > total * 0.3:
            break
        done += len(line)
        if len(line) < 200 and _EN_POINTER.match(line):
            after_pointer = True
            continue
        if (after_pointer and _LIST_ITEM.match(line)) or _is_promo(line) or is_caption(line) \
                or is_byline(line, i < 3):
            continue
        after_pointer = False
        kept.append(line)
    return kept


def _is_header(line: str) -> bool:
    return len(line) < 80 and bool(_HEADER.search(line)) and parse_date(line) is not None


def clean_lines(lines: list[str]) -> list[str]:
    """Drop header, widget and related-article lines from an article body."""
    total = sum(len(line) for line in lines)
    kept: list[str] = []
    done = 0
    for i, line in enumerate(lines):
        if i < 4 and _is_header(line):
            continue
        if _RELATED.match(line) and done > total * 0.3:
            break
        done += len(line)
        if len(line) <= 40 and _WIDGET_LINE.match(line):
            continue
        kept.append(line)
    return kept
