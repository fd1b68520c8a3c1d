"""One story per event: MinHash signature, LSH bands and the story decision (pure core).

The notice and its re-posts below are also published by ``tests/integration/test_stories.py``.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config.contracts.articles import ClassifiedArticle, RawArticle
from config.contracts.ids import article_id, content_hash
from config.contracts.wire import decode
from streams import stories
from streams.agents import handle_batch, handle_raw
from streams.classify import default_classifier
from streams.process import decide_story
from streams.shared_maps import BandIndex, SeenIndex, oldest_day
from tests.unit.fakes import FakeTopics, RecordingTopic, fake_event

CONFIG = Path(__file__).resolve().parents[3] / "config"

BOILER_HEAD = ("各区县（市）科技局、卫生健康局，各有关单位：为深入贯彻落实党中央、国务院决策部署，"
               "进一步加强科技创新和成果转化工作，现将有关事项通知如下。")
BOILER_FOOT = ("联系人：王老师，联系电话：0411-12345678，电子邮箱：kjc@example.gov.cn。"
               "附件：1.申报书模板 2.推荐汇总表。"
               "主办单位：某某市人民政府办公室 网站标识码：2102000001")
NOTICE_TITLE = "关于开展细胞治疗先行示范区建设试点工作的通知"
NOTICE_BODY = (
    "一、总体要求。以临床需求为导向，支持具备条件的医疗机构和企业开展细胞治疗临床研究和转化应用，"
    "建设一批细胞治疗先行示范区，探索符合细胞治疗特点的监管模式。"
    "二、重点任务。支持医疗机构开展干细胞临床研究备案，推动CAR-T等免疫细胞治疗产品在示范区内先行先试；"
    "建设区域细胞制备中心和细胞库，完善细胞采集、制备、储存和运输的质量管理体系；"
    "鼓励企业与高校、医院共建细胞治疗产业化平台，对取得临床试验批件的项目给予最高500万元资助。"
    "三、申报条件。申报单位应为在本省注册的独立法人，具备细胞制备GMP条件和相应专业技术人员，"
    "近三年无重大质量安全事故。四、组织实施。各地卫生健康、科技、药监部门要加强协调配合，"
    "于2024年6月30日前将推荐材料报送省卫生健康委科教处，逾期不予受理。")
NOTICE = (NOTICE_TITLE, BOILER_HEAD + NOTICE_BODY + BOILER_FOOT)

# The same notice re-posted: new site headers, a forwarding title, a few sentences edited.
REPOSTS = [
    ("转发国家卫生健康委关于开展细胞治疗先行示范区建设试点工作的通知",
     "来源：辽宁省卫生健康委员会 发布时间：2024-05-21 浏览次数：356 【字体：大 中 小】"
     + NOTICE[1]),
    ("关于开展细胞治疗先行示范区建设试点工作的通知（转发）",
     "大连市科学技术局 2024-05-22 打印本页 关闭窗口 " + NOTICE[1].replace(
         "逾期不予受理", "逾期将不再受理").replace("最高500万元", "最高300万元")),
    ("我校转发：关于开展细胞治疗先行示范区建设试点工作的通知",
     "大连医科大学科技处 发布者：管理员 点击：88 " + NOTICE[1].replace(
         "近三年无重大质量安全事故", "近三年未发生重大质量安全事故").replace(
         "二、重点任务。", "二、重点任务（摘要）。")),
]
# A different notice from the same template: shares the head and foot boilerplate only.
OTHER_NOTICE = (
    "关于组织申报2024年度科技型中小企业评价工作的通知",
    BOILER_HEAD + "一、评价对象。在本市注册的科技型中小企业，职工总数不超过500人，"
    "年销售收入不超过2亿元。"
    "二、评价程序。企业登录全国科技型中小企业信息服务平台填报信息，经区县科技局初审后公示，"
    "公示无异议的纳入信息库并赋予入库登记编号。三、工作要求。各区县要加强政策宣传，"
    "组织符合条件的企业积极参与评价，对弄虚作假的企业取消其入库资格并纳入科研诚信记录。"
    + BOILER_FOOT)

SITES = [("nhc", "http://www.nhc.example.gov.cn/qjjys/202405/t20240520_1.shtml"),
         ("ln-wsjk", "http://wsjk.ln.example.gov.cn/tzgg/202405/t20240521_2.html"),
         ("dl-kjj", "http://kjj.dl.example.gov.cn/xxgk/202405/t20240522_3.html"),
         ("dmu", "http://www.dmu.example.edu.cn/kjc/info/1011/23419.htm")]


def raw_article(title: str, text: str, source_id: str, url: str) -> RawArticle:
    return RawArticle(article_id=article_id(url), url=url, source_id=source_id, title=title,
                      text=text, language="zh", content_hash=content_hash(title, text))


def variants() -> list[RawArticle]:
    """The notice on the national site, then its re-posts on the other sites."""
    return [raw_article(t, x, s, u) for (t, x), (s, u) in zip([NOTICE, *REPOSTS], SITES,
                                                               strict=True)]


def sig(pair: tuple[str, str]) -> stories.Signature:
    return stories.signature(*pair)


def test_signature_is_deterministic_and_folds_script_case_and_punctuation() -> None:
    assert sig(NOTICE) == sig(NOTICE)
    assert len(sig(NOTICE)) == stories.BINS
    folded = (NOTICE[0], NOTICE[1].replace("细胞治疗", "細胞治療").replace("，", ", ")
              .replace("CAR-T", "car t"))
    assert sig(folded) == sig(NOTICE)


def test_empty_article_has_no_bands_and_is_its_own_story() -> None:
    assert stories.signature("", "") == ()
    assert stories.bands(()) == []
    assert stories.assign_story([], {}, "a1", "site") == "a1"


def test_short_text_still_gets_a_full_signature() -> None:
    assert len(stories.signature("细胞治疗", "")) == stories.BINS


def test_reposts_are_similar_and_share_enough_bands() -> None:
    original = sig(NOTICE)
    for repost in REPOSTS:
        assert stories.similarity(original, sig(repost)) >= 0.6
        shared = set(stories.bands(original)) & set(stories.bands(sig(repost)))
        assert len(shared) >= stories.MIN_BANDS


def test_distinct_notices_sharing_boilerplate_are_not_similar() -> None:
    assert stories.similarity(sig(NOTICE), sig(OTHER_NOTICE)) < 0.3
    shared = set(stories.bands(sig(NOTICE))) & set(stories.bands(sig(OTHER_NOTICE)))
    assert len(shared) < stories.MIN_BANDS


def process_all(articles: list[RawArticle], table: dict[str, str]) -> list[str]:
    """Decide and record in arrival order, as the worker does."""
    out = []
    for raw in articles:
        decision = decide_story(raw, table)
        table.update(decision.entries)
        out.append(decision.story_id)
    return out


def test_reposts_on_other_sites_join_the_first_articles_story() -> None:
    articles = variants()
    assert process_all(articles, {}) == [articles[0].article_id] * len(articles)


def test_distinct_notice_with_the_same_boilerplate_starts_its_own_story() -> None:
    articles = variants()
    other = raw_article(*OTHER_NOTICE, "nhc", "http://www.nhc.example.gov.cn/t20240523_9.html")
    other_ln = raw_article(*OTHER_NOTICE, "ln-wsjk", "http://wsjk.ln.example.gov.cn/t_9.html")
    ids = process_all([*articles, other, other_ln], {})
    assert ids[-2] == other.article_id  # not merged into the notice's story
    assert ids[-1] == other.article_id  # while its own re-post joins it


def test_same_source_near_duplicates_stay_separate_stories() -> None:
    first = raw_article(*NOTICE, "nhc", SITES[0][1])
    again = raw_article(NOTICE[0] + "（第2期）", NOTICE[1], "nhc",
                        "http://www.nhc.example.gov.cn/qjjys/202405/t20240527_5.shtml")
    assert process_all([first, again], {}) == [first.article_id, again.article_id]


def test_reprocessing_and_revisions_keep_the_story() -> None:
    articles = variants()
    table: dict[str, str] = {}
    ids = process_all(articles, table)
    # at-least-once: the same articles again (e.g. after a crash) find the same stories
    assert process_all(articles, table) == ids
    revised = raw_article(NOTICE[0], NOTICE[1] + "特此通知。", "nhc", SITES[0][1])
    assert process_all([revised], table) == [articles[0].article_id]


def test_assign_story_needs_enough_bands_and_breaks_ties_deterministically() -> None:
    keys = [f"b{i:02d}-x" for i in range(6)]
    few = {keys[0]: stories.entry("s1", "other"), keys[1]: stories.entry("s1", "other")}
    assert stories.assign_story(keys, few, "me", "site") == "me"
    tie = {k: stories.entry("s2" if i % 2 else "s1", "other") for i, k in enumerate(keys)}
    assert stories.assign_story(keys, tie, "me", "site") == "s1"
    same_site = {k: stories.entry("s1", "site") for k in keys}
    assert stories.assign_story(keys, same_site, "me", "site") == "me"


def test_new_entries_never_move_existing_bands() -> None:
    keys = ["b00-a", "b01-b"]
    lookup = {"b00-a": stories.entry("old", "x")}
    assert stories.new_entries(keys, lookup, "new", "y") == {"b01-b": stories.entry("new", "y")}
    assert stories.parse_entry(stories.entry("s", "src")) == ("s", "src")


def _handle(raw: RawArticle, topics: FakeTopics, table: BandIndex) -> str:
    return asyncio.run(handle_raw(fake_event(raw.encode()), topics,  # type: ignore[arg-type]
                                  default_classifier(CONFIG), SeenIndex(), table))


def test_worker_sends_the_story_and_records_bands_only_after_the_ack() -> None:
    original, repost, *_ = variants()
    table = BandIndex()
    down = FakeTopics(classified=RecordingTopic(fail=True))
    with pytest.raises(ConnectionError):
        _handle(original, down, table)
    assert len(table) == 0  # nothing recorded for an undelivered article
    topics = FakeTopics()
    assert _handle(original, topics, table) == "classified"
    assert len(table) == stories.BANDS
    assert _handle(repost, topics, table) == "classified"
    sent = [decode(ClassifiedArticle, v) for v in topics.classified.values]
    assert [a.story_id for a in sent] == [original.article_id] * 2
    assert "cell_therapy" in sent[1].labels


def test_a_repost_in_the_same_batch_joins_the_story_and_bands_go_as_one_record() -> None:
    original, repost, *_ = variants()
    band_topic = RecordingTopic()
    table, topics = BandIndex(band_topic), FakeTopics()  # type: ignore[arg-type]
    events = [fake_event(original.encode()), fake_event(repost.encode())]
    outcomes = asyncio.run(handle_batch(events, topics,  # type: ignore[arg-type]
                                        default_classifier(CONFIG), SeenIndex(), table))
    assert outcomes == ["classified", "classified"]
    sent = [decode(ClassifiedArticle, v) for v in topics.classified.values]
    assert [a.story_id for a in sent] == [original.article_id] * 2
    assert len(table) >= stories.BANDS
    ((key, value), *_rest) = band_topic.sent  # the original's bands: one record
    assert key == f"{original.article_id}:{original.content_hash}".encode()
    assert len(value.decode().split("\n")) == stories.BANDS
    follower = BandIndex()
    for record_key, record_value in band_topic.sent:
        follower.apply_record((record_key or b"").decode(), record_value.decode())
    assert dict(follower) == dict(table)


def test_band_index_publishes_its_entries_and_keeps_the_first_writer() -> None:
    topic = RecordingTopic()
    index = BandIndex(topic)  # type: ignore[arg-type]
    assert not index.ready.is_set()  # a shared index waits for its topic to be read
    asyncio.run(index.record({"b00-a": stories.entry("s1", "x"), "b01-b": "s1 x"}))
    index.apply("b00-a", stories.entry("s2", "y"))  # from another worker, later
    assert dict(index) == {"b00-a": "s1 x", "b01-b": "s1 x"}
    assert topic.values == [b"s1 x", b"s1 x"]
    index.apply_record("b02-c", "s3 z")  # a record of one entry, as workers wrote before
    assert index["b02-c"] == "s3 z"


def test_old_stories_are_forgotten() -> None:
    index = BandIndex()
    index.apply("b00-a", stories.entry("old", "x", "2024-01-01"))
    index.apply("b01-b", stories.entry("new", "x", "2024-05-01"))
    index.apply("b02-c", stories.entry("undated", "x"))
    assert index.prune("2024-03-01") == 1
    assert sorted(index) == ["b01-b", "b02-c"]
    assert stories.parse_entry(index["b01-b"]) == ("new", "x")
    assert stories.entry_day(index["b01-b"]) == "2024-05-01"
    assert oldest_day(datetime(2024, 5, 31, tzinfo=UTC)) == "2024-03-02"
