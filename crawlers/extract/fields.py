"""Labelled article fields: publication date, author, issuing body and document number.

Input: the page's meta tags, its visible text lines (whole page, in order), the chosen
title and the URL.  Output: ISO date string, author, issuer (发布机构/来源/ContentSource)
and document number (文号 such as 粤科规范字〔2020〕1号); None when absent.
"""

from __future__ import annotations

import json
import re

from lxml import etree

from crawlers.extract.dates import date_from_url, date_in_lines, parse_date
from crawlers.extract.meta import squash

_DATE_METAS = ("pubdate", "publishdate", "publish_date", "publishtime", "pubtime",
               "article:published_time", "og:article:published_time", "datepublished",
               "og:published_time", "article_date_original", "publication_date",
               "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.created",
               "sailthru.date", "parsely-pub-date", "publish-date", "firstpublishedtime",
               "og:release_date", "date", "article.published", "weibo:article:create_at")
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
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


def date_from_meta(meta: dict[str, str], root: etree._Element) -> str | None:
    """Publication date from meta tags, JSON-LD or ``<time>`` elements."""
    for key in _DATE_METAS:
        found = parse_date(meta.get(key))
        if found:
            return found
    for script in root.xpath("//script[@type='application/ld+json']/text()"):
        m = _JSONLD_DATE.search(script)
        found = parse_date(m.group(1)) if m else None
        if found:
            return found
    for el in root.iter("time"):
        found = parse_date(el.get("datetime") or el.get("pubdate"))
        if found:
            return found
    return None


def title_index(lines: list[str], title: str | None) -> int:
    """Index of the (last short) line that shows the headline, or -1."""
    key = squash(title or "")
    if len(key) < 4:
        return -1
    hits = [i for i, line in enumerate(lines) if len(line) < 3 * len(title or "") + 20
            and key in squash(line)]
    exact = [i for i in hits if squash(lines[i]) == key]
    if exact:
        return exact[0]
    return hits[-1] if hits else -1


def find_date(lines: list[str], title: str | None, url: str, body_start: int,
              dayfirst: bool = False) -> str | None:
    """Date by priority: the URL, text around the headline, the page top, anywhere."""
    found = date_from_url(url)
    if found:
        return found
    start = title_index(lines, title)
    if start < 0 and body_start >= 0:
        start = max(0, body_start - 8)
    if start >= 0:
        found = date_in_lines(lines[start:start + 12], dayfirst)
        if found:
            return found
    return date_in_lines(lines[:400], dayfirst)


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
