"""Line-level clean-up of an extracted article body.

Input: body text lines (from the chosen content container).  Output: the same lines without
leading byline/date/source header lines, pager and comment widgets, and without a trailing
"related articles" section.
"""

from __future__ import annotations

import re

from crawlers.extract_dates import parse_date

_HEADER = re.compile(r"来源|更新|发布|发表|作者|编辑|点击|浏览|阅读|时间|字号|posted|updated", re.I)
_WIDGET_LINE = re.compile(
    r"^(?:[<《«]*\s*上一页.*|.*下一页\s*[>》»]*|第\s*\d+\s*页\s*/?\s*共\s*\d+\s*页|发表评论|"
    r"查看评论|我要评论|打印本页|关闭窗口|【?打印】?\s*【?关闭】?|返回顶部|分享到[:：]?.*|"
    r"字号[:：]?\s*[大中小\s]*)$")
_RELATED = re.compile(r"^[【\[]?(相关报道|相关新闻|相关阅读|相关链接|相关文章|延伸阅读|推荐阅读|"
                      r"热点推荐|更多精彩|猜你喜欢|热门推荐)[】\]]?[:：]?$")


def _is_header(line: str) -> bool:
    return len(line) < 80 and bool(_HEADER.search(line)) and parse_date(line) is not None


def clean_lines(lines: list[str]) -> list[str]:
    """Drop header, widget and related-article lines from an article body."""
    start = 0
    while start < min(3, len(lines)) and _is_header(lines[start]):
        start += 1
    kept: list[str] = []
    for i, line in enumerate(lines[start:], start):
        if _RELATED.match(line) and i > len(lines) * 0.3:
            break
        if len(line) <= 40 and _WIDGET_LINE.match(line):
            continue
        kept.append(line)
    return kept
