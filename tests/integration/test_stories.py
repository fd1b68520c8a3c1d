"""One story per event on the real worker: re-posts of a notice share the first one's story.

A notice is published to ``articles.raw`` (national site), then its re-posts by a provincial,
a city and a university site (new headers, a few edited sentences) and a distinct notice that
shares only the template's boilerplate. The Faust classifier shares its band index through a
topic (``streams.shared_maps``) on noida-db; the indexed documents must carry the right
``story_id``s, also when two workers share the partitions (each sees the bands the other
recorded).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from cgtwatch.demo.check import read_topic
from config.contracts.articles import ClassifiedArticle, RawArticle
from config.contracts.topics import Topics
from config.contracts.wire import decode
from streams.shared_maps import BANDS_TOPIC
from streams.stories import BANDS
from tests.integration.conftest import Env, make_article, wait_for
from tests.unit.streams.test_stories import (
    NOTICE,
    OTHER_NOTICE,
    REPOSTS,
    SITES,
    raw_article,
    variants,
)

pytestmark = pytest.mark.integration


def indexed(stack: Env, articles: list[RawArticle]) -> dict[str, dict[str, Any]]:
    """Indexed sources by article id (only once all of ``articles`` are there)."""
    wanted = {a.article_id for a in articles}
    wait_for(lambda: stack.indexed_ids() >= wanted, 90, f"{len(wanted)} indexed\n{stack.logs()}")
    return {a.article_id: stack.es.get(index="cgtwatch-articles", id=a.article_id)["_source"]
            for a in articles}


def classified_stories(stack: Env) -> dict[str, str]:
    """``article_id -> story_id`` of everything on ``articles.classified``."""
    out = {}
    for _, value in read_topic(stack.settings, Topics.CLASSIFIED):
        article = decode(ClassifiedArticle, value)
        out[article.article_id] = article.story_id
    return out


def test_reposts_share_the_first_articles_story_and_distinct_notices_do_not(stack: Env) -> None:
    original, *reposts = variants()
    other = raw_article(*OTHER_NOTICE, "sz-kjj", "http://kjj.sz.example.gov.cn/t20240523_7.html")
    unrelated = make_article(1, True)
    stack.start("indexer")
    stack.start("streams")
    stack.publish([original, unrelated])
    first = indexed(stack, [original, unrelated])
    assert first[original.article_id]["story_id"] == original.article_id
    assert "cell_therapy" in first[original.article_id]["labels"]

    stack.publish([*reposts, other])
    docs = indexed(stack, [*reposts, other])
    assert {docs[r.article_id]["story_id"] for r in reposts} == {original.article_id}
    assert docs[other.article_id]["story_id"] == other.article_id
    assert first[unrelated.article_id]["story_id"] == unrelated.article_id


def test_two_workers_share_the_band_index(stack: Env) -> None:
    stack.start("indexer")
    stack.start("streams", logs="logs-a", CGTWATCH_WORKER__INSTANCE_ID="a")
    stack.start("streams", logs="logs-b", CGTWATCH_WORKER__INSTANCE_ID="b")
    logs = [stack.data_dir / name / "streams.log" for name in ("logs-a", "logs-b")]
    wait_for(lambda: all(p.exists() and "story band index loaded" in p.read_text("utf-8")
                         for p in logs), 60, f"both workers up\n{stack.logs()}")
    time.sleep(3)  # let the group settle: a rebalance during the first article is not tested
    original = raw_article(*NOTICE, *SITES[0])
    stack.publish([original])
    indexed(stack, [original])
    # one record carries all the bands of an article (key<TAB>entry lines)
    wait_for(lambda: sum(len(v.split(b"\n")) for _, v in read_topic(stack.settings,
                                                                      BANDS_TOPIC)) >= BANDS, 30,
             "the original's bands published")
    # re-posts on many sites: their keys spread over both workers' partitions
    reposts = [raw_article(REPOSTS[n % 3][0], REPOSTS[n % 3][1], f"site-{n}",
                           f"http://site{n}.example.gov.cn/tzgg/t2024052{n}.html")
               for n in range(8)]
    stack.publish(reposts)
    docs = indexed(stack, reposts)
    assert {docs[r.article_id]["story_id"] for r in reposts} == {original.article_id}
    on_the_wire = classified_stories(stack)
    assert {on_the_wire[r.article_id] for r in reposts} == {original.article_id}
