"""HTML templates of the demo site: TRS, Hanweb, plain-list and English CMS look-alikes.

Input: ``Page`` values (one column or article, already sorted). Output: complete HTML
documents as ``str``; the caller encodes them (GBK for the TRS column). Used only by
``build.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

DEMO_NOTE = "<!-- cgtwatch demo page: fictional content written for the demo -->"


@dataclass(frozen=True)
class Article:
    source: str
    path: str
    title: str
    date: str
    issuer: str
    text: str
    doc_number: str = ""
    page: int = 0


@dataclass(frozen=True)
class Column:
    site_name: str
    column: str
    charset: str
    language: str


def paragraphs(article: Article, indent: bool = True) -> str:
    style = ' style="text-indent:2em"' if indent else ""
    lines = [line.strip() for line in article.text.splitlines() if line.strip()]
    return "\n".join(f"<p{style}>{escape(line)}</p>" for line in lines)


def head(title: str, col: Column, meta: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{col.language}">\n<head>\n'
            f'<meta http-equiv="Content-Type" content="text/html; charset={col.charset}">\n'
            f"<title>{escape(title)}</title>\n{meta}</head>\n")


def gov_meta(article: Article, col: Column) -> str:
    fields = {"SiteName": col.site_name, "ColumnName": col.column,
              "ArticleTitle": article.title, "PubDate": article.date,
              "ContentSource": article.issuer}
    return "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in fields.items())


def gov_nav(col: Column, home: str) -> str:
    return (f'<div class="header"><div class="logo">{escape(col.site_name)}</div>\n'
            f'<ul class="nav"><li><a href="{home}">首页</a></li><li><a href="{home}#zwgk">政务公开'
            f'</a></li><li><a href="{home}#hdjl">互动交流</a></li><li><a href="https://www.gov.cn/">'
            f"中国政府网</a></li><li><a href=\"javascript:void(0)\">无障碍</a></li></ul></div>\n")


def gov_footer(col: Column) -> str:
    return (f'<div class="footer"><p><a href="#">网站地图</a> | <a href="#">联系我们</a> | '
            f'<a href="mailto:webmaster@example.gov.cn">网站纠错</a></p>'
            f"<p>主办单位：{escape(col.site_name)}</p></div>\n</body>\n</html>\n")


def gov_article(article: Article, col: Column, home: str, editor_class: str) -> str:
    number = (f"<tr><td>文　　号：</td><td>{escape(article.doc_number)}</td></tr>"
              if article.doc_number else "")
    table = (f'<table class="xxgk-meta"><tr><td>发布机构：</td><td>{escape(article.issuer)}</td>'
             f"</tr><tr><td>发布日期：</td><td>{article.date[:10]}</td></tr>{number}</table>\n")
    return (head(f"{article.title}_{col.column}_{col.site_name}", col, gov_meta(article, col))
            + f"<body>\n{DEMO_NOTE}\n" + gov_nav(col, home)
            + f'<div class="position">当前位置：<a href="{home}">首页</a> &gt; {escape(col.column)}'
            + f'</div>\n<div class="article">\n{table}<h1 class="title">{escape(article.title)}'
            + f'</h1>\n<div class="info">发布时间：{article.date}　来源：{escape(article.issuer)}'
            + f'</div>\n<div class="{editor_class}">\n{paragraphs(article)}\n</div>\n</div>\n'
            + gov_footer(col))


def trs_list(items: list[tuple[str, Article]], col: Column, page: int, pages: int) -> str:
    rows = "\n".join(f'<li><a href="{href}" target="_blank" title="{escape(a.title)}">'
                     f"{escape(a.title)}</a><span>{a.date[:10]}</span></li>" for href, a in items)
    script = (f'<script type="text/javascript">var countPage = {pages};\nvar currentPage = '
              f'{page};\ncreatePageHTML(countPage, currentPage, "index", "html");</script>')
    links = " ".join(f'<a href="{"index.html" if n == 0 else f"index_{n}.html"}">{n + 1}</a>'
                     for n in range(pages))
    return (head(f"{col.column}_{col.site_name}", col) + f"<body>\n{DEMO_NOTE}\n"
            + gov_nav(col, "index.html")
            + '<div class="main"><div class="side"><h3>热点专题</h3><ul class="zt"><li>'
            + '<a href="#zt1">优化营商环境</a></li><li><a href="#zt2">自贸试验区建设</a></li></ul>'
            + f'</div>\n<div class="list"><h2>{escape(col.column)}</h2>\n<ul class="list_ul">\n'
            + f'{rows}\n</ul>\n<div class="page">{script}\n<noscript>{links}</noscript></div>'
            + "</div></div>\n" + gov_footer(col))


def hanweb_list(items: list[tuple[str, Article]], col: Column, unit: str) -> str:
    records = "\n".join(
        f'<record><![CDATA[\n<li><a href="{href}" target="_blank" title="{escape(a.title)}">'
        f'{escape(a.title)}</a><span class="bt-data-time">{a.date[:10]}</span></li>\n]]></record>'
        for href, a in items)
    store = (f'<div id="{unit}"><script type="text/xml"><datastore><nextgroup><![CDATA[]]>'
             f"</nextgroup><recordset>\n{records}\n</recordset></datastore></script></div>\n")
    return (head(f"{col.site_name} {col.column}", col) + f"<body>\n{DEMO_NOTE}\n"
            + gov_nav(col, "../../index.html")
            + f'<div class="content"><div class="bt">{escape(col.column)}</div>\n{store}'
            + '<script language="javascript" src="/module/web/jpage/jpage.js"></script>\n'
            + f"<script>$(function(){{ $('#{unit}').jpage({{dataStore: dataStore, perPage: 15,"
            + f" totalRecord: {len(items)}, groupSize: 3}}); }});</script>\n</div>\n"
            + gov_footer(col))


def uni_page(col: Column, title: str, main: str) -> str:
    nav = ('<div id="nav"><a href="xxxw.htm">首页</a><a href="xxxw.htm">学校新闻</a>'
           '<a href="xxxw.htm#mtjj">媒体聚焦</a><a href="http://www.dmu.edu.cn/">学校主页</a></div>')
    return (head(title, col) + f"<body>\n{DEMO_NOTE}\n{nav}\n{main}\n"
            + '<div class="copyright">版权所有 © 大连医科大学 党委宣传部</div>\n</body>\n</html>\n')


def uni_list(items: list[tuple[str, Article]], col: Column) -> str:
    rows = "\n".join(f'<li><a href="{href}" target="_blank">{escape(a.title)}</a>'
                     f"<span>{a.date[:10]}</span></li>" for href, a in items)
    return uni_page(col, f"{col.column}-{col.site_name}",
                    f'<div class="list-box"><h2>{col.column}</h2>\n<ul class="news-list">\n{rows}'
                    "\n</ul></div>")


def uni_article(article: Article, col: Column) -> str:
    main = (f'<div class="article"><h1>{escape(article.title)}</h1>\n<div class="info">'
            f"发布时间：{article.date}　来源：{escape(article.issuer)}</div>\n"
            f'<div class="v_news_content">\n{paragraphs(article)}\n</div></div>')
    return uni_page(col, f"{article.title}-{col.site_name}", main)


def en_page(col: Column, title: str, main: str, meta: str = "") -> str:
    nav = ('<header role="banner"><nav class="main-nav"><ul><li><a href="#food">Food</a></li>'
           '<li><a href="#drugs">Drugs</a></li><li><a href="#biologics">Vaccines, Blood &amp; '
           'Biologics</a></li><li><a href="press-announcements.html">News &amp; Events</a></li>'
           "</ul></nav></header>")
    return (head(title, col, meta) + f"<body>\n{DEMO_NOTE}\n{nav}\n<main>\n{main}\n</main>\n"
            + '<footer><a href="#about">About FDA</a> <a href="https://www.hhs.gov/">U.S. '
            "Department of Health and Human Services</a></footer>\n</body>\n</html>\n")


def en_list(items: list[tuple[str, Article]], col: Column) -> str:
    rows = "\n".join(
        f'<div class="views-row"><article><h3><a href="{href}">{escape(a.title)}</a></h3>\n'
        f'<time datetime="{a.date[:10]}T12:00:00Z">{_en_date(a.date)}</time></article></div>'
        for href, a in items)
    return en_page(col, f"{col.column} | FDA",
                   f'<h1>{col.column}</h1>\n<div class="view-content">\n{rows}\n</div>')


def en_article(article: Article, col: Column) -> str:
    main = (f'<article><h1 class="content-title">{escape(article.title)}</h1>\n'
            f'<p class="date">For Immediate Release: <time datetime="{article.date[:10]}">'
            f"{_en_date(article.date)}</time></p>\n"
            f'<div class="article-body">\n{paragraphs(article, indent=False)}\n</div></article>')
    meta = f'<meta property="article:published_time" content="{article.date[:10]}">\n'
    return en_page(col, f"{article.title} | FDA", main, meta)


def _en_date(stamp: str) -> str:
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]
    year, month, day = stamp[:10].split("-")
    return f"{months[int(month) - 1]} {int(day)}, {year}"
