"""Extraction on pages of the failure classes seen on sites the extractor was never tuned for:
forum and blog posts (post time beside the author, title only in ``<title>`` with a site
suffix or a breadcrumb), portals keeping the publish time in inline script or JSON, content
containers without the usual class names, headlines prefixed with labels such as 原创."""

from __future__ import annotations

from crawlers.extract.article import extract_article
from crawlers.extract.published import DateFinding, choose
from crawlers.extract.titles import breadcrumb, strip_labels

PARA = ("近日，市科技局组织召开细胞与基因治疗产业发展座谈会，与会企业代表围绕临床研究、"
        "生产质量管理和人才引进等问题进行了深入交流，并提出了意见建议。")
EN = ("The hospital said the trial enrolled forty patients, and that the first results would "
      "be presented at a meeting next spring, after an independent review of the data. ")
SIDEBAR = "".join(f"<li><a href='/t/{i}'>其他帖子标题第{i}号</a> 2021-03-0{i} 12:00</li>"
                  for i in range(6, 9))


def test_forum_post_time_beside_author_and_title_only_in_title_tag() -> None:
    page = f"""<html><head><title>干细胞治疗经验交流 - 医疗健康版 - 某某论坛 - Powered by Discuz!
    </title></head><body><div>某某论坛 » 医疗健康版 » 干细胞治疗经验交流</div>
    <ul>{SIDEBAR}</ul>
    <table><tr><td>楼主</td><td>作者：老王 发表于 2021-3-5 10:23</td></tr>
    <tr><td></td><td>{PARA}<br>{PARA}<br>{PARA}</td></tr></table>
    <div>回复 2021-03-06 08:00 路人：顶一下</div></body></html>"""
    result = extract_article(page, "https://bbs.example.cn/thread-1234-1-1.html")
    assert result["title"] == "干细胞治疗经验交流"
    assert result["date"] == "2021-03-05T10:23"
    assert result["date_source"].startswith("headline:")
    assert result["text"].startswith("近日，市科技局")


def test_blog_posted_at_and_title_with_site_suffix() -> None:
    page = f"""<html lang="en"><head><title>Notes from the trial meeting | Dr Lee's blog
    </title></head><body><div><a href="/">Dr Lee's blog</a> / <a href="/archive">Archive</a>
    </div><div><div>Notes from the trial meeting</div><div>Posted at 2020-11-18 09:30 by lee
    </div><div>{EN * 3}</div><div>{EN * 2}</div></div>
    <div><a href="/a">Older post</a> <a href="/b">Newer post</a></div></body></html>"""
    result = extract_article(page, "https://lee.example.org/p/123")
    assert result["title"] == "Notes from the trial meeting"
    assert result["date"] == "2020-11-18T09:30"
    assert "forty patients" in result["text"]


def test_publish_time_in_inline_script_beats_todays_date_in_header() -> None:
    page = f"""<html><head><title>我市出台细胞治疗产业扶持政策_本地新闻_某某网</title>
    <script>var ct = "2021-06-01 08:15:00"; var site = "x";</script></head><body>
    <div>今天是2021年6月3日 星期四</div><h1>我市出台细胞治疗产业扶持政策</h1>
    <div>{PARA}</div><div>{PARA}</div></body></html>"""
    result = extract_article(page, "https://news.example.cn/a/123456.html")
    assert result["date"] == "2021-06-01T08:15"
    assert result["date_source"] == "script:ct"


def test_publish_time_in_json_state_and_epoch_seconds() -> None:
    state = '{"article": {"title": "x", "publish_time": 1651792089, "source": "y"}}'
    page = f"""<html><head><title>基因治疗新药获批临床</title></head><body>
    <script>window.__INITIAL_STATE__ = {state};</script>
    <h1>基因治疗新药获批临床</h1><div>{PARA}</div><div>{PARA}</div></body></html>"""
    result = extract_article(page, "https://m.example.cn/article/987654")
    assert result["date"] == "2022-05-06T07:08+08:00"  # epoch shown in China time


def test_pubdate_variable_and_related_list_dates() -> None:
    related = ",".join(f'{{"pubDate": "2019-0{i}-01 10:00"}}' for i in range(1, 4))
    page = f"""<html><head><title>细胞治疗临床研究进展</title><script>
    var article = {{pubDate: '2020/04/19 10:30'}};</script>
    <script>var related = [{related}];</script></head><body><h1>细胞治疗临床研究进展</h1>
    <div>{PARA}</div><div>{PARA}</div></body></html>"""
    result = extract_article(page, "")
    assert result["date"] == "2020-04-19T10:30"


def test_content_container_without_class_names() -> None:
    links = "".join(f"<div><a href='/n/{i}'>新闻标题链接{i}</a></div>" for i in range(12))
    page = f"""<html><head><title>细胞治疗产业座谈会召开-新闻中心</title></head><body>
    <div><div>{links}</div><div><div>细胞治疗产业座谈会召开</div>
    <div>发布时间：2022-08-09</div><div><div>{PARA}</div><div>{PARA}</div>
    <div>{PARA}</div></div></div></div></body></html>"""
    result = extract_article(page, "")
    assert result["title"] == "细胞治疗产业座谈会召开"
    assert result["date"] == "2022-08-09"
    assert result["text"].count("近日，市科技局") == 3 and "新闻标题链接" not in result["text"]


def test_label_prefixes_stripped_from_headline() -> None:
    page = f"""<html><head><title>[原创]干细胞疗法的新突破_科技频道_某某网</title></head>
    <body><h1><span class="tag">原创</span>干细胞疗法的新突破</h1><div>{PARA}</div>
    <div>{PARA}</div></body></html>"""
    assert extract_article(page, "")["title"] == "干细胞疗法的新突破"
    assert strip_labels("【转载】 基因编辑技术综述") == "基因编辑技术综述"
    assert strip_labels("原创药研发进展") == "原创药研发进展"  # a word, not a label
    assert strip_labels("Re: 关于CAR-T的讨论") == "关于CAR-T的讨论"


def test_page_offset_kept_and_agreement_chooses_the_day() -> None:
    page = f"""<html><head><title>基因治疗产品上市</title>
    <meta property="article:published_time" content="2026-11-18T09:30:00+08:00"></head>
    <body><h1>基因治疗产品上市</h1><div>{PARA}</div><div>{PARA}</div></body></html>"""
    result = extract_article(page, "")
    assert result["date"] == "2026-11-18T09:30+08:00"
    assert result["date_confidence"] >= 0.9
    findings = [DateFinding("2020-01-02", "url", 0.6), DateFinding("2020-01-02T08:00", "time", 0.7),
                DateFinding("2020-01-05", "headline:plain", 0.55)]
    best = choose(findings)
    assert best is not None and best.value == "2020-01-02T08:00" and best.confidence == 0.75


def test_breadcrumb_lines() -> None:
    assert breadcrumb(["当前位置：首页 > 通知公告 > 关于开展备案工作的通知"]) == [
        "首页", "通知公告", "关于开展备案工作的通知"]
    assert breadcrumb(["导航", "首页 » 新闻 » 正文"]) == ["首页", "新闻", "正文"]
    assert breadcrumb(["首页 > 新闻"]) == []  # an unlabelled trail needs three items


def test_ensemble_keeps_agreeing_block_body_and_switches_on_disagreement() -> None:
    from crawlers.extract.ensemble import choose_body, doubtful

    article = "\n".join([PARA] * 3)
    comments = "\n".join(f"网友{i}：说得好，支持！" for i in range(3))
    lines = ["某某网", "细胞治疗产业座谈会召开", PARA, PARA, PARA] + [f"导航{i}" for i in range(40)]
    lines += comments.split("\n")
    assert not doubtful(article, lines, 1)
    assert doubtful(comments, lines, 1)  # short and far from the headline
    assert choose_body(article, article + "\n相关新闻", lines, 1) == (article, "blocks")
    assert choose_body(comments, article, lines, 1) == (article, "trafilatura")
    assert choose_body(article, "", lines, 1) == (article, "blocks")


def test_data_table_beside_the_text_belongs_to_the_notice() -> None:
    rows = "".join(f"<tr><td>项目{i}</td><td>某某医院细胞治疗临床研究，负责人张{i}</td>"
                   f"<td>备案号2026-{i:03d}</td></tr>" for i in range(10))
    page = f"""<html><head><title>细胞治疗临床研究项目备案名单公示</title></head><body>
    <table><tr><td><a href="/">首页</a></td></tr></table>
    <table><tr><td><p>细胞治疗临床研究项目备案名单公示</p>
    <table><tr><td><p>{PARA}</p><p>{PARA}</p><p>{PARA}</p></td></tr></table>
    <table>{rows}</table></td></tr></table></body></html>"""
    text = extract_article(page, "")["text"]
    assert text.count("近日，市科技局") == 3 and "备案号2026-005" in text
