"""Index documents carry ``title_en`` and ``snippet_en`` for labelled, non-English articles
when a provider answers; English or unlabelled articles are not sent to it; an outage writes
the documents without them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

import indexer.agent
from config.contracts.articles import ClassifiedArticle
from config.sections import TranslateSettings
from config.translate import Translator
from indexer.agent import index_events
from tests.unit.fakes import FakeTopics, fake_event

Make = Callable[..., ClassifiedArticle]


class FakeProvider:
    """Records each request (language, texts); ``down`` fails every request."""

    def __init__(self, down: bool = False) -> None:
        self.requests: list[tuple[str | None, list[str]]] = []
        self.down = down

    async def translate(self, texts: list[str], source: str | None) -> list[str]:
        self.requests.append((source, texts))
        if self.down:
            raise ConnectionError("provider down")
        return [f"EN[{t}]" for t in texts]


def run(articles: list[ClassifiedArticle], provider: FakeProvider,
        monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def bulk(es: Any, actions: list[dict[str, Any]], **kw: Any) -> tuple[int, list[Any]]:
        sent.extend(actions)
        return len(actions), []

    monkeypatch.setattr(indexer.agent, "async_bulk", bulk)
    translator = Translator(provider, TranslateSettings(min_interval_s=0))
    batch = [fake_event(a.encode(), topic="articles.classified", offset=i)
             for i, a in enumerate(articles)]
    asyncio.run(index_events(batch, object(), "i", FakeTopics(),  # type: ignore[arg-type]
                             translator))
    return {a["_id"]: a["_source"] for a in sent}


def test_labelled_chinese_articles_get_english_fields_in_one_request(
        make_article: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    zh = [make_article(url=f"https://a.gov.cn/{i}.html", title=f"细胞治疗 {i}")
          for i in range(3)]
    en = make_article(url="https://fda.gov/1", title="CAR-T approval", language="en")
    none = make_article(url="https://a.gov.cn/x.html", cell=("none", 0.0), title="太阳能电池")
    provider = FakeProvider()
    docs = run([*zh, en, none], provider, monkeypatch)
    assert len(provider.requests) == 1 and provider.requests[0][0] == "zh"
    assert len(provider.requests[0][1]) == 4  # 3 titles and their one snippet (each text once)
    first = docs[zh[0].article_id]
    assert first["title_en"] == "EN[细胞治疗 0]" and first["snippet_en"].startswith("EN[")
    assert "title_en" not in docs[en.article_id] and "title_en" not in docs[none.article_id]


def test_an_outage_writes_the_documents_without_english(make_article: Make,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    article = make_article()
    docs = run([article], FakeProvider(down=True), monkeypatch)
    assert docs[article.article_id]["title"] == article.title
    assert "title_en" not in docs[article.article_id]


def test_without_a_provider_nothing_is_asked(make_article: Make,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    article = make_article()
    sent: list[dict[str, Any]] = []

    async def bulk(es: Any, actions: list[dict[str, Any]], **kw: Any) -> tuple[int, list[Any]]:
        sent.extend(actions)
        return len(actions), []

    monkeypatch.setattr(indexer.agent, "async_bulk", bulk)
    batch = [fake_event(article.encode(), topic="articles.classified", offset=0)]
    assert asyncio.run(index_events(batch, object(), "i", FakeTopics())) == 1  # type: ignore
    assert "title_en" not in sent[0]["_source"]
