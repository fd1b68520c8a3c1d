"""Empty list pages ("暂无信息", "No records found") have no article links, only navigation.

The fixtures are whole pages as the sites serve them when a column has nothing in it yet: a
header with the site menu, a breadcrumb, a sidebar of sibling columns, special-topic banners,
a footer with friendly links, and the column's list container holding only the empty notice.
The same pages with items in the container must still give exactly those items.
"""

from __future__ import annotations

from datetime import date

import pytest

from crawlers.links.discover import find_article_links

TODAY = date(2024, 6, 1)
ZH_BASE = "http://kjt.example.gov.cn/kjt/zwgk/tzgg/index.html"
EN_BASE = "https://www.example-agency.gov/news-events/press-announcements"

ZH_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>通知公告_示例省科学技术厅</title>
<meta name="ColumnName" content="通知公告"></head>
<body>
<div class="top"><div class="w1200">
  <span>欢迎访问示例省科学技术厅网站</span>
  <a href="http://www.example.gov.cn/">示例省人民政府</a>
  <a href="/kjt/wza/">无障碍浏览</a> <a href="/kjt/en/">English</a>
</div></div>
<div class="header"><img src="/kjt/images/logo.png" alt="示例省科学技术厅"></div>
<div class="nav"><ul>
  <li><a href="/kjt/index.html">首页</a></li>
  <li><a href="/kjt/jggk/">机构概况</a></li>
  <li class="on"><a href="/kjt/zwgk/">政务公开</a></li>
  <li><a href="/kjt/kjdt/">科技动态</a></li>
  <li><a href="/kjt/zcfg/">政策法规</a></li>
  <li><a href="/kjt/bsfw/">办事服务</a></li>
  <li><a href="/kjt/hdjl/">互动交流</a></li>
</ul></div>
<div class="main w1200">
  <div class="location">当前位置：<a href="/kjt/index.html">首页</a> &gt;
    <a href="/kjt/zwgk/">政务公开</a> &gt; <a href="/kjt/zwgk/tzgg/">通知公告</a></div>
  <div class="left fl">
    <div class="lm_title">政务公开</div>
    <ul class="lm_list">
      <li><a href="/kjt/zwgk/zfxxgkzn/index.html">政府信息公开指南</a></li>
      <li><a href="/kjt/zwgk/zfxxgkzd/index.html">政府信息公开制度</a></li>
      <li><a href="/kjt/zwgk/zfxxgknb/index.html">政府信息公开年度报告</a></li>
      <li class="cur"><a href="/kjt/zwgk/tzgg/index.html">通知公告</a></li>
      <li><a href="/kjt/zwgk/gsgg/index.html">公示公告</a></li>
      <li><a href="/kjt/zwgk/rsxx/index.html">人事信息</a></li>
      <li><a href="/kjt/zwgk/czzj/index.html">财政预决算</a></li>
    </ul>
    <div class="zt">
      <a href="/kjt/ztzl/xxgcesd/index.html"><img src="/kjt/images/zt1.jpg"
        alt="深入学习贯彻党的二十大精神专题"></a>
      <a href="/kjt/ztzl/yhyshj/index.html"><img src="/kjt/images/zt2.jpg"
        alt="优化营商环境专题专栏"></a>
    </div>
  </div>
  <div class="right fr">
    <div class="lm_name">通知公告</div>
    <ul class="list_ul">{items}</ul>
    <div class="page"><script>createPageHTML(1, 0, "index", "html");</script></div>
  </div>
</div>
<div class="bottom">
  <div class="yqlj">友情链接：
    <a href="http://www.gov.cn/">中国政府网</a>
    <a href="https://www.most.gov.cn/index.html">中华人民共和国科学技术部</a>
    <a href="http://www.example.gov.cn/zwgk/">示例省人民政府信息公开</a>
    <a href="http://kxjs.example.gov.cn/kxjs/index.shtml">示例省科学技术协会</a>
  </div>
  <p><a href="/kjt/wzdt/">网站地图</a> | <a href="/kjt/lxwm/">联系我们</a> |
    <a href="/kjt/smsm/">隐私声明</a></p>
  <p>主办单位：示例省科学技术厅 地址：示例市和平区 电话：024-12345678</p>
  <p><a href="http://bszs.conac.cn/sitename?method=show&amp;id=0A1B2C3D4E5F60718293A4B5C6D7E8F9">
    <img src="/kjt/images/red.png" alt="党政机关"></a>
    <a href="https://beian.miit.gov.cn/">辽ICP备05000000号</a>
    <a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=21010202000001">
    辽公网安备 21010202000001号</a></p>
</div>
</body></html>
"""
ZH_EMPTY = '<li class="no-data"><span>暂无信息</span></li>'
ZH_ITEMS = "".join(
    f'<li><a href="./202405/t202405{day}_{n}.html" title="{title}">{title}</a>'
    f'<span>2024-05-{day}</span></li>'
    for n, (day, title) in enumerate([
        ("21", "关于组织申报2024年度细胞治疗临床研究项目的通知"),
        ("14", "关于公布2024年度科技计划项目立项清单的通知"),
        ("06", "关于开展2024年度高新技术企业认定工作的通知")], start=4001))

EN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Press Announcements | Example Agency</title>
</head>
<body>
<a class="skip-link" href="#main-content">Skip to main content</a>
<header class="site-header">
  <a class="logo" href="/"><img src="/themes/logo.svg" alt="Example Agency home"></a>
  <nav class="main-nav" aria-label="Main"><ul>
    <li><a href="/food">Food</a></li><li><a href="/drugs">Drugs</a></li>
    <li><a href="/medical-devices">Medical Devices</a></li>
    <li><a href="/vaccines-blood-biologics">Vaccines, Blood &amp; Biologics</a></li>
    <li><a href="/news-events">News &amp; Events</a></li>
  </ul></nav>
</header>
<main id="main-content"><div class="container"><div class="row">
  <div class="col-md-3 related-content">
    <h2>Content current as of:</h2><p>05/31/2024</p>
    <h2>In this section</h2>
    <ul class="list-unstyled">
      <li><a href="/news-events/press-announcements-archive">Press Announcements Archive</a></li>
      <li><a href="/news-events/fda-voices">Agency Voices: Perspectives From Leaders</a></li>
      <li><a href="/news-events/media-contacts">Media Contacts for Reporters and Editors</a></li>
      <li><a href="/news-events/speeches-agency-officials">Speeches by Agency Officials</a></li>
      <li><a href="/news-events/congressional-testimony">Congressional Testimony</a></li>
    </ul>
  </div>
  <div class="col-md-9">
    <h1>Press Announcements</h1>
    <form class="views-exposed-form" action="/news-events/press-announcements">
      <label for="q">Search</label><input id="q" name="search_api_fulltext">
      <button type="submit">Apply</button></form>
    <div class="view view-press-announcements"><div class="view-content">{items}</div></div>
  </div>
</div></div></main>
<footer class="site-footer">
  <ul class="footer-links">
    <li><a href="/about-agency">About the Agency</a></li>
    <li><a href="/about-agency/website-policies">Website Policies / Privacy</a></li>
    <li><a href="/regulatory-information/freedom-information">Freedom of Information Act</a></li>
    <li><a href="https://www.hhs.gov/vulnerability-disclosure-policy/index.html">
      HHS Vulnerability Disclosure</a></li>
    <li><a href="https://www.usa.gov/">USA.gov</a></li>
  </ul>
</footer>
</body></html>
"""
EN_EMPTY = '<div class="view-empty"><p>No records found matching your criteria.</p></div>'
EN_ITEMS = "".join(
    f'<div class="views-row"><h3><a href="/news-events/press-announcements/{slug}">{title}</a>'
    f'</h3><time datetime="2024-05-{day}T12:00:00Z">May {day}, 2024</time></div>'
    for day, slug, title in [
        ("21", "agency-approves-first-gene-therapy-hemophilia",
         "Agency Approves First Gene Therapy to Treat Adults with Hemophilia B"),
        ("14", "agency-clears-car-t-cell-therapy-lymphoma",
         "Agency Clears CAR-T Cell Therapy for Relapsed Large B-Cell Lymphoma")])


@pytest.mark.parametrize(("page", "empty", "base"), [
    (ZH_PAGE, ZH_EMPTY, ZH_BASE), (ZH_PAGE, "", ZH_BASE),
    (EN_PAGE, EN_EMPTY, EN_BASE), (EN_PAGE, "", EN_BASE)],
    ids=["zh-notice", "zh-bare", "en-notice", "en-bare"])
def test_an_empty_list_page_has_no_article_links(page: str, empty: str, base: str) -> None:
    html = page.replace("{items}", empty)
    assert find_article_links(html, base, today=TODAY) == []


def test_the_chinese_page_with_items_gives_just_the_items() -> None:
    links = find_article_links(ZH_PAGE.replace("{items}", ZH_ITEMS), ZH_BASE, today=TODAY)
    assert [link.url.rsplit("/", 1)[1] for link in links] == [
        "t20240521_4001.html", "t20240514_4002.html", "t20240506_4003.html"]
    assert [link.date for link in links] == ["2024-05-21", "2024-05-14", "2024-05-06"]


def test_the_english_page_with_items_gives_just_the_items() -> None:
    links = find_article_links(EN_PAGE.replace("{items}", EN_ITEMS), EN_BASE, today=TODAY)
    assert [link.title[:31] for link in links] == [
        "Agency Approves First Gene Ther", "Agency Clears CAR-T Cell Therap"]
    assert [link.date for link in links] == ["2024-05-21", "2024-05-14"]


def test_a_column_with_a_single_notice_gives_it() -> None:
    one = ZH_ITEMS.split("</li>", 1)[0] + "</li>"
    links = find_article_links(ZH_PAGE.replace("{items}", one), ZH_BASE, today=TODAY)
    assert [(link.title, link.date) for link in links] == [
        ("关于组织申报2024年度细胞治疗临床研究项目的通知", "2024-05-21")]


def test_an_undated_feed_with_relative_times_is_still_a_list() -> None:
    rows = "".join(
        f'<li class="item"><h3><a href="https://news.example.com/24/0601/16/F{n}ABCDE.html">'
        f'{title}</a></h3><span class="time">{ago}</span></li>'
        for n, (title, ago) in enumerate([("细胞治疗产业园在大连开园 首批十家企业入驻", "30分钟前"),
                                          ("基因治疗新药获批开展临床试验", "2小时前"),
                                          ("高校联合医院共建干细胞临床研究中心", "昨天 10:20")]))
    links = find_article_links(ZH_PAGE.replace("{items}", rows), "https://news.example.com/",
                               today=TODAY)
    assert [link.title[:6] for link in links] == ["细胞治疗产业", "基因治疗新药", "高校联合医院"]
