"""Alert records carry a trimmed copy of their article (what messages, digests and feeds
show, no more), and only deliveries are made searchable at once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from elastic_transport import JsonSerializer

from alerts.drafts import stored_copy
from alerts.feeds import item_from_record
from alerts.history import Ledger
from alerts.render import snippet
from config.contracts.articles import ClassifiedArticle, Evidence
from tests.unit.alerts.fakes import ScriptedSender

Make = Callable[..., ClassifiedArticle]


def with_evidence(make: Make, **fields: Any) -> ClassifiedArticle:
    article = make(gene=("secondary", 0.6), **fields)
    results = {label: result.model_copy(update={"evidence": [
        Evidence(term=f"{label}-{n}", snippet=f"… {label} {n} …") for n in range(6)]})
        for label, result in article.classification.results.items()}
    return article.model_copy(update={"classification": article.classification.model_copy(
        update={"results": results})})


def test_the_copy_keeps_the_first_evidence_of_each_label_and_shows_the_same(
        make_article: Make) -> None:
    article = with_evidence(make_article, text="细胞" * 1500)
    copy = ClassifiedArticle.model_validate(stored_copy(article))
    assert {k: len(r.evidence) for k, r in copy.classification.results.items()} == {
        "cell_therapy": 1, "gene_therapy": 1}
    assert snippet(copy) == snippet(article) == "… cell_therapy 0 …"
    assert copy.text == article.text[:2000]
    assert copy.classification.labels == article.classification.labels
    assert {k: (r.score, r.salience) for k, r in copy.classification.results.items()} == {
        k: (r.score, r.salience) for k, r in article.classification.results.items()}
    assert copy.model_dump(exclude={"text", "classification"}) == article.model_dump(
        exclude={"text", "classification"})
    record = {"article_id": article.article_id, "title": article.title, "url": article.url,
              "article": stored_copy(article)}
    assert item_from_record(record).summary == "… cell_therapy 0 …"
    rule = type("R", (), {"name": "r"})()
    assert ScriptedSender().render_digest(rule, "t", [copy])["ids"] == [article.article_id]


class RecordingBulk:
    """The part of ``AsyncElasticsearch`` that ``async_bulk`` uses; records ``refresh``."""

    def __init__(self) -> None:
        self.refresh: list[Any] = []
        self.transport = SimpleNamespace(serializers=SimpleNamespace(
            get_serializer=lambda mimetype: JsonSerializer()))

    def options(self, **_: Any) -> RecordingBulk:
        return self

    async def bulk(self, operations: list[Any], **kwargs: Any) -> SimpleNamespace:
        self.refresh.append(kwargs.get("refresh"))
        lines = [json.loads(op) for op in operations]  # serialized: action, source, ...
        return SimpleNamespace(body={"errors": False, "items": [
            {"create": {"_id": line["create"]["_id"], "status": 201}}
            for line in lines if "create" in line]})


def test_deliveries_are_searchable_at_once_digest_items_at_the_next_refresh() -> None:
    es = RecordingBulk()
    ledger = Ledger(es, "alerts")  # type: ignore[arg-type]
    items = [{"key": f"r:s{n}:log", "kind": "item"} for n in range(3)]
    delivery = {"key": "r:s9:log", "kind": "immediate"}
    silenced = {"key": "r:s8:log", "kind": "immediate", "status": "silenced"}
    digest = {"key": "digest:r:w:log", "kind": "digest"}
    assert asyncio.run(ledger.create_many(items)) == [i["key"] for i in items]
    for docs in ([*items, delivery], [silenced], [digest]):
        asyncio.run(ledger.create_many(docs))
    assert es.refresh == [False, True, True, True]
