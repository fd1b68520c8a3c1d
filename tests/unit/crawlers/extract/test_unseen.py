"""Extraction on pages shaped like the sites nobody tuned for, one test per failure class:
forum threads (post time beside the author, replies with their own times, a category tag
before the subject), blogs (comments without class names, "Posted by … on …"), portals
whose publish time is only in inline script or JSON state (also escaped, also beside other
dates), ``<title>`` that only names the site (breadcrumb or the line above the body),
label-prefixed headlines, and weak date evidence that must not beat the headline's date."""

from __future__ import annotations

from typing import Any

from crawlers.extract.article import extract_article

P = ("近日，市科技局组织召开细胞与基因治疗产业发展座谈会，与会企业代表围绕临床研究、"
     "生产质量管理和人才引进等问题进行了深入交流，并提出了意见建议。")
Q = ("会议指出，要进一步优化营商环境，加大对创新药企的支持力度，推动产业链上下游协同发展，"
     "力争在三年内形成具有全国影响力的产业集群。")
EN = ("The hospital said the trial enrolled forty patients, and that the first results would "
      "be presented at a meeting next spring, after an independent review of the data. ")


def extract(page: str, url: str = "") -> dict[str, Any]:
    return extract_article(page, url)


def test_discuz_thread_subject_tag_post_time_and_replies() -> None:
    replies = "".join(
        f"<table><tr><td><a>网友{i}</a></td><td><div><em>发表于 2021-3-{5 + i} 1{i}:00:11</em>"
        f"</div><div>支持楼主，说得很有道理，学习了。</div></td></tr></table>" for i in range(1, 6))
    page = f"""<html><head><title>干细胞治疗经验交流 - 医疗健康 - 杏林论坛 - Powered by Discuz!
    </title></head><body><div><a href="./">杏林论坛</a> <em>›</em> <a>医疗健康</a> <em>›</em>
    <a>干细胞治疗经验交流</a></div><h1><a>[经验分享]</a> <span>干细胞治疗经验交流</span></h1>
    <table><tr><td><a>老王</a></td><td><div><strong>楼主</strong> <em>发表于 2021-3-5 10:23:11
    </em> | 只看该作者</div><div>{P}<br><br>{Q}<br><br>{P}</div></td></tr></table>
    {replies}</body></html>"""
    result = extract(page, "https://bbs.example.cn/thread-1-1-1.html")
    assert result["title"] == "干细胞治疗经验交流"
    assert result["date"] == "2021-03-05T10:23"
    assert result["text"] == "\n".join([P, Q, P])


def test_old_bbs_submission_date_and_reply_dates() -> None:
    page = f"""<html><head><title>天涯社区_细胞治疗到底靠不靠谱？</title></head><body>
    <table><tr><td><a href="/">天涯首页</a> &gt; <a>天涯杂谈</a></td></tr></table>
    <table><tr><td><font size=3><b>细胞治疗到底靠不靠谱？</b></font></td></tr>
    <tr><td>作者：<a>芊草</a> 提交日期：2005-8-22 19:13:00 访问：1234 回复：56</td></tr></table>
    <div><div>{P}<br>{Q}<br>{P}<br></div></div>
    <div>作者：<a>路人甲</a> 回复日期：2005-8-23 10:01:00</div><div>顶一下。</div></body></html>"""
    result = extract(page)
    assert (result["title"], result["date"]) == ("细胞治疗到底靠不靠谱？", "2005-08-22T19:13")
    assert result["text"].startswith(P) and "顶一下" not in result["text"]


def test_blog_comment_thread_without_class_names_stays_out() -> None:
    comments = "".join(f"<div># re: 细胞治疗随想</div><div>2004-12-27 1{i}:46</div>"
                       f"<div>网友{i}</div><div>写得真好，期待下一篇，{P[:20]}。</div>"
                       for i in range(9))
    page = f"""<html><head><title>细胞治疗随想 - 张三的博客</title></head><body>
    <div><div>存档</div><div>2005年1月 (5)</div></div><div><div>细胞治疗随想</div>
    <div><p>{P}</p><p>{Q}</p></div><div>发表于 2004年12月27日 12:40 - (阅读:3727;评论:9)</div>
    </div><div><div>评论</div>{comments}</div></body></html>"""
    result = extract(page)
    assert result["text"] == f"{P}\n{Q}"
    assert result["date"] == "2004-12-27T12:40"


def test_sina_style_blog_time_in_parentheses() -> None:
    page = f"""<html><head><title>我的细胞治疗日记_张三_新浪博客</title></head><body>
    <div><a>新浪博客</a><a>首页</a></div><div><h1><a>张三的博客</a></h1></div>
    <div><h2>我的细胞治疗日记</h2><span>(2012-03-05 10:23:11)</span></div>
    <div><p>{P}</p><p>{Q}</p><p>{P}</p></div>
    <div><h3>评论</h3><div>游客 2012-03-06 10:00 写得真好</div></div></body></html>"""
    result = extract(page, "http://blog.example.com.cn/s/blog_4a1b2c0d0100abcd.html")
    assert (result["title"], result["date"]) == ("我的细胞治疗日记", "2012-03-05T10:23")
    assert "写得真好" not in result["text"]


def test_english_blog_posted_by_on() -> None:
    page = f"""<html><head><title>Gene therapy trial results | The Science Blog</title></head>
    <body><div><div><a>Home</a> <a>About</a></div><div><div>Gene therapy trial results</div>
    <div>Posted by admin on 03/05/2012 at 10:23 am</div><div>{EN * 3}</div><p>{EN * 2}</p>
    </div><div>12 Responses to "Gene therapy trial results"</div></div></body></html>"""
    result = extract(page)
    assert (result["title"], result["date"]) == ("Gene therapy trial results", "2012-03-05")
    assert "forty patients" in result["text"] and "Responses" not in result["text"]


def test_publish_time_only_in_escaped_json_string() -> None:
    data = '{\\"title\\":\\"细胞治疗产业园开园\\",\\"firstPublishTime\\":\\"2023-02-01 09:00:00\\"}'
    page = f"""<html><head><title>细胞治疗产业园开园 - 新闻 - 某某</title>
    <script>var data = JSON.parse("{data}");</script></head><body>
    <h1>细胞治疗产业园开园</h1><div><p>{P}</p><p>{Q}</p></div></body></html>"""
    result = extract(page, "https://www.example.cn/a/11")
    assert (result["date"], result["date_source"]) == ("2023-02-01T09:00",
                                                      "script:firstPublishTime")


def test_published_at_in_state_beats_header_date_of_today() -> None:
    page = f"""<html><head><title>细胞治疗产业园开园</title><script>window._SSR_DATA =
    {{"data":{{"publishedAt":"2023-02-01T09:00:00+08:00"}}}}</script></head><body>
    <h1>细胞治疗产业园开园</h1><div>今天 星期五 2023-02-03</div><div><p>{P}</p><p>{Q}</p>
    </div></body></html>"""
    assert extract(page)["date"] == "2023-02-01T09:00+08:00"


def test_script_dates_of_other_articles_do_not_beat_the_line_under_the_headline() -> None:
    state = ('{"article":{"title":"基因治疗新药获批临床试验","publishTime":"2022-05-06 15:08:09"},'
             '"hot":[{"publishTime":"2022-05-07 10:00:00"},{"publishTime":"2022-05-08 10:00"}]}')
    page = f"""<html><head><title>基因治疗新药获批临床试验_科技_某某网</title>
    <script>window.__INITIAL_STATE__={state};</script></head><body><div><a>首页</a>
    <a>科技</a></div><div><div>基因治疗新药获批临床试验</div><div>某某网 2022-05-06 15:08</div>
    <div><p>{P}</p><p>{Q}</p></div></div></body></html>"""
    assert extract(page)["date"] == "2022-05-06T15:08"


def test_create_time_and_time_lists_are_weak_evidence() -> None:
    side = "".join(f"<li><a href='/n/{i}'>热点新闻标题第{i}条关于医药产业</a>"
                   f"<time datetime='2023-01-1{i}'>01-1{i}</time></li>" for i in range(5))
    page = f"""<html><head><title>细胞治疗产业园开园_新闻_某某网</title>
    <script>var createtime="2023-02-09 10:00:00";</script></head><body><ul>{side}</ul>
    <div><div>细胞治疗产业园开园</div><div>2023-02-01</div><div><p>{P}</p><p>{Q}</p></div>
    </div></body></html>"""
    assert extract(page)["date"] == "2023-02-01"


def test_relative_post_time_with_date_in_title_attribute() -> None:
    page = f"""<html><head><title>干细胞治疗经验交流 - 医疗健康 - 杏林论坛</title></head><body>
    <div><h1>干细胞治疗经验交流</h1><div>老王 发表于 <span title="2021-3-5 10:23:11">3 天前
    </span></div><div>{P}<br>{Q}</div></div></body></html>"""
    assert extract(page)["date"] == "2021-03-05T10:23"


def test_title_naming_only_the_site_gives_way_to_the_breadcrumb() -> None:
    page = f"""<html><head><title>某某大学新闻网</title></head><body><div><a>首页</a>
    <a>学校概况</a></div><div>当前位置：<a>首页</a> &gt;&gt; <a>综合新闻</a> &gt;&gt;
    我校在细胞治疗领域取得重要进展</div><div>发布者：新闻中心 发布时间：2020年10月12日</div>
    <div><p>{P}</p><p>{Q}</p><p>{P}</p></div></body></html>"""
    result = extract(page)
    assert (result["title"], result["date"]) == ("我校在细胞治疗领域取得重要进展", "2020-10-12")


def test_title_naming_only_the_site_gives_way_to_the_line_above_the_body() -> None:
    page = f"""<html><head><title>某某区人民政府</title></head><body><table><tr><td>
    <a>首页</a></td><td><a>政务公开</a></td></tr></table><table><tr><td><font>
    我市召开细胞治疗产业发展座谈会</font></td></tr><tr><td>2021-06-01　浏览：100</td></tr>
    <tr><td>{P}<br>{Q}<br>{P}</td></tr></table></body></html>"""
    result = extract(page)
    assert (result["title"], result["date"]) == ("我市召开细胞治疗产业发展座谈会", "2021-06-01")


def test_site_name_line_and_wrapped_headline_are_not_the_title() -> None:
    page = f"""<html><head><title>细胞治疗产业园开园迎来首批入驻企业 - 某某日报</title></head>
    <body><div>某某日报</div><div>细胞治疗产业园开园迎来首批入驻企业</div>
    <div>2021-06-01</div><div>细胞治疗产业园开园</div><div><p>{P}</p><p>{Q}</p></div>
    </body></html>"""
    assert extract(page)["title"] == "细胞治疗产业园开园迎来首批入驻企业"


def test_label_prefixed_headlines() -> None:
    page = f"""<html><head><title>原创丨干细胞疗法的新突破</title></head><body>
    <h2>原创丨干细胞疗法的新突破</h2><div>原创 2021-09-10 某某公众号</div>
    <div><p>{P}</p><p>{Q}</p></div></body></html>"""
    assert extract(page)["title"] == "干细胞疗法的新突破"
    page = f"""<html><head><title>[原创]金锺国 - 某某百科</title></head><body>
    <div>金锺国</div><div><p>{P}</p><p>{Q}</p></div></body></html>"""
    assert extract(page)["title"] == "金锺国"
    page = f"""<html><head><title>【两会】细胞治疗写入报告_新闻_某某网</title></head><body>
    <h1>【两会】细胞治疗写入报告</h1><div><p>{P}</p><p>{Q}</p></div></body></html>"""
    assert extract(page)["title"] == "【两会】细胞治疗写入报告"  # the tag is in <title> too


def test_date_without_year_beside_the_headline() -> None:
    page = f"""<html><head><title>细胞治疗产业园开园</title></head><body>
    <h1>细胞治疗产业园开园</h1><div>某某日报 5月5日 10:23</div><div><p>{P}</p><p>{Q}</p></div>
    <div>© 2019 某某日报 版权所有</div></body></html>"""
    result = extract(page)
    assert (result["date"], result["date_source"]) == ("2019-05-05T10:23", "headline:no-year")
    fresh = page.replace("© 2019 ", "")  # no year anywhere: the latest such day (live crawl)
    assert extract(fresh)["date"][5:] == "05-05T10:23"
    in_text = page.replace("某某日报 5月5日 10:23", f"从5月5日起，{P}")  # a date in a sentence
    assert extract(in_text)["date"] is None


def test_english_comments_without_class_names_are_not_the_rest_of_the_article() -> None:
    comments = "".join(
        f"<li><div><b>Reader{i}</b> <span>says:</span></div><div><a>March {6 + i}, 2012 at "
        f"{9 + i}:00 am</a></div><p>Thanks for this post, it was very helpful and I learned a "
        f"lot about the trial design and its results.</p><div><a>Reply</a></div></li>"
        for i in range(8))
    page = f"""<html><head><title>Gene therapy trial results – The Science Blog</title></head>
    <body><div><a>The Science Blog</a> <a>Home</a> <a>About</a></div><div><div>
    <h1>Gene therapy trial results</h1><div>March 5, 2012 by admin</div><div><p>{EN * 2}</p>
    <p>{EN}</p></div></div><div><h3>8 thoughts on “Gene therapy trial results”</h3>
    <ol>{comments}</ol></div></div></body></html>"""
    result = extract(page)
    assert result["text"] == f"{(EN * 2).strip()}\n{EN.strip()}"
    assert result["date"] == "2012-03-05"


def test_label_in_the_headline_keeps_the_date_beside_it() -> None:
    related = "".join(f"<li>· 细胞治疗产业园开园 第{i}期 3月{i}日 10:00</li>" for i in range(1, 4))
    page = f"""<html><head><title>[原创]细胞治疗产业园开园_新闻_某某网</title></head><body>
    <h1><span>原创</span>细胞治疗产业园开园</h1><div>2005-01-14 17:02:30</div>
    <div><p>{P}</p><p>{Q}</p></div><ul>{related}</ul></body></html>"""
    result = extract(page)
    assert (result["title"], result["date"]) == ("细胞治疗产业园开园", "2005-01-14T17:02")
