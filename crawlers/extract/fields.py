"""Labelled article fields: author, issuing body and document number.

Input: the page's meta tags and its visible text lines (whole page, in order).  Output:
author, issuer (发布机构/来源/ContentSource) and document number (文号 such as
粤科规范字〔2020〕1号); None when absent.  Dates: :mod:`crawlers.extract.published`.
"""

from __future__ import annotations

import json
import re

from lxml import etree

_DOCNO = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,14}[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]"
                    r"\s*第?\s*\d{1,5}\s*号")
_FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "author": ("作者", "撰稿", "记者", "文", "author", "by"),
    "issuer": ("发布机构", "发文机关", "发文机构", "发文单位", "来源", "信息来源", "文章来源",
               "稿件来源", "source"),
    "doc_number": ("文号", "发文字号", "发文号", "文件编号"),
}
_VALUE_STOP = re.compile(r"\s{2,}|\s*(?:发布|时间|日期|来源|作者|编辑|责任|点击|浏览|字号|"
                         r"索引|分类|文号|主题|成文|发文|\d{4}[-年/.])")


_LABEL_RES = {
    field: re.compile(r"(?:^|[\s【\[(（|｜])(?:" + "|".join(map(re.escape, labels))
                      + r")\s*[:：]\s*", re.I)
    for field, labels in _FIELD_LABELS.items()
}


_ANY_LABEL = re.compile(r"[:：]\s*$")


def _after_label(line: str, field: str, following: str) -> str | None:
    """Value after a field label; a label that ends its line takes the next line."""
    for m in _LABEL_RES[field].finditer(line):
        rest = line[m.end():]
        if not rest.strip() and 1 < len(following) <= 40 and not _ANY_LABEL.search(following):
            rest = following
        value = _VALUE_STOP.split(rest, maxsplit=1)[0].strip(" |｜】]）)")
        if 1 < len(value) <= 60:
            return value
    return None


def labelled_fields(meta: dict[str, str], lines: list[str]) -> dict[str, str]:
    """author / issuer / doc_number from meta tags and labelled header lines."""
    out: dict[str, str] = {}
    if meta.get("contentsource"):
        out["issuer"] = meta["contentsource"]
    if meta.get("author") and not meta["author"].startswith("http"):
        out["author"] = meta["author"]
    for i, line in enumerate(lines[:800]):
        if len(line) > 400 or (":" not in line and "：" not in line):
            continue
        following = lines[i + 1] if i + 1 < len(lines) else ""
        for field in _FIELD_LABELS:
            if field not in out:
                value = _after_label(line, field, following)
                if value:
                    out[field] = value
    if "doc_number" not in out:
        for line in lines[:600]:
            m = _DOCNO.search(line)
            if m:
                out["doc_number"] = re.sub(r"\s+", "", m.group(0))
                break
    return out


def jsonld_author(root: etree._Element) -> str | None:
    """Author name from JSON-LD, when the page has one."""
    for script in root.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        author = data.get("author") if isinstance(data, dict) else None
        if isinstance(author, dict) and isinstance(author.get("name"), str):
            return str(author["name"])
    return None
