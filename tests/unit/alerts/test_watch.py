"""Flatline and spike rules: the pure checks, and one notice per rule and window delivered
to the rule's channels with an ops event (counts from a recording fake Elasticsearch)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from alerts.watch import Watcher, flatline_notice, rule_filters, spike_notices
from config.rules import AlertRulesFile, Rule
from tests.unit.alerts.fakes import T0, Harness, ScriptedSender


def flat_rule(**flat: Any) -> Rule:
    return Rule(name="flat", channels=["log"], flatline={"window": "6h", **flat})


def spike_rule(**spike: Any) -> Rule:
    return Rule(name="spiky", channels=["log"],
                spike={"by": "region", "window": "1h", "factor": 3, "min_count": 5, **spike})


def test_flatline_fires_below_the_minimum_only() -> None:
    rule = flat_rule(min_items=3)
    assert flatline_notice(rule, 3, T0) is None
    notice = flatline_notice(rule, 1, T0)
    assert notice is not None and notice.key == "watch:flatline:flat:20261118T000000Z"
    assert "had 1 article(s) in the last 6h (expected at least 3)" in notice.message


def test_flatline_of_a_source_counts_that_source() -> None:
    rule = flat_rule(source="gd-sci")
    assert rule_filters(rule, "gd-sci") == [{"term": {"source_id": "gd-sci"}}]
    notice = flatline_notice(rule, 0, T0)
    assert notice is not None and "source 'gd-sci'" in notice.message


def test_spike_needs_the_factor_and_the_minimum() -> None:
    rule = spike_rule()
    found = spike_notices(rule, {"Guangdong": 9, "Shanghai": 4, "Beijing": 8},
                          {"Guangdong": 3, "Shanghai": 0, "Beijing": 3}, T0)
    assert [(n.group, n.details) for n in found] == [
        ("Guangdong", {"count": 9, "previous": 3})]  # Shanghai < 5; Beijing < 3 × 3
    assert found[0].key == "watch:spike:spiky:20261118T040000Z:Guangdong"


def test_spike_by_label_ignores_labels_outside_the_rule() -> None:
    rule = Rule(name="s", channels=["log"], labels=["gene_therapy"],
                spike={"by": "label", "min_count": 1})
    found = spike_notices(rule, {"cell_therapy": 10, "gene_therapy": 2}, {}, T0)
    assert [n.group for n in found] == ["gene_therapy"]


@dataclass
class FakeEs:
    """Answers ``count`` and the two-window ``terms`` aggregation; records the requests."""

    count_value: int = 0
    current: dict[str, int] = field(default_factory=dict)
    previous: dict[str, int] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)

    async def count(self, **kw: Any) -> dict[str, Any]:
        self.requests.append(kw)
        return {"count": self.count_value}

    async def search(self, **kw: Any) -> dict[str, Any]:
        self.requests.append(kw)
        def buckets(d: dict[str, int]) -> dict[str, Any]:
            return {"by": {"buckets": [{"key": k, "doc_count": v} for k, v in d.items()]}}
        return {"aggregations": {"current": buckets(self.current),
                                 "previous": buckets(self.previous)}}


def setup(rule: Rule, es: FakeEs, stored: dict[str, datetime] | None = None
          ) -> tuple[Harness, Watcher]:
    rules = AlertRulesFile(channels=[{"name": "log", "type": "file"}],
                           rules=[rule])
    h = Harness(rules, {"log": ScriptedSender()})

    async def silences() -> dict[str, datetime]:
        return dict(stored or {})

    watcher = Watcher(es, "cgt-articles", rules.rules, h.queue,  # type: ignore[arg-type]
                      h.senders, h.reporter, lambda c: None, h.clock,  # type: ignore[arg-type]
                      silences=silences)
    return h, watcher


def test_one_flatline_notice_per_window_delivered_and_reported() -> None:
    es = FakeEs(count_value=0)
    h, watcher = setup(flat_rule(min_items=2), es)
    assert asyncio.run(watcher.tick()) == 1
    h.clock.now += timedelta(minutes=30)
    assert asyncio.run(watcher.tick()) == 0  # same 6 h window: not again
    asyncio.run(h.drain())
    assert [p["digest"] for _, p in h.senders["log"].sent] == [
        "Flatline: rule 'flat' had 0 article(s) in the last 6h (expected at least 2)"]
    assert [e.kind for e in h.ops] == ["rule_flatline"]
    query = es.requests[0]["query"]["bool"]["filter"]
    assert query[-1]["range"]["fetched_at"]["gte"] == (T0 - timedelta(hours=6)).isoformat()
    h.clock.now += timedelta(hours=6)  # the next window, still flat: a new notice
    assert asyncio.run(watcher.tick()) == 1


def test_spike_notice_per_group_and_window() -> None:
    es = FakeEs(current={"Guangdong": 12}, previous={"Guangdong": 2})
    h, watcher = setup(spike_rule(), es)
    assert asyncio.run(watcher.tick()) == 1
    assert asyncio.run(watcher.tick()) == 0
    asyncio.run(h.drain())
    assert h.senders["log"].sent[0][1]["digest"].startswith("Spike: region 'Guangdong' had 12")
    assert h.ops[0].kind == "rule_spike" and h.ops[0].details["group"] == "Guangdong"
    aggs = es.requests[0]["aggs"]
    assert aggs["current"]["aggs"]["by"]["terms"]["field"] == "regions"


def test_a_silenced_rule_records_its_notice_and_sends_nothing() -> None:
    es = FakeEs(count_value=0)
    h, watcher = setup(flat_rule(min_items=2), es, {"flat": T0 + timedelta(hours=2)})
    assert asyncio.run(watcher.tick()) == 1
    asyncio.run(h.drain())
    assert h.senders["log"].sent == []
    [record] = h.queue.records.values()
    assert record["status"] == "silenced" and record["reason"].startswith("flatline; silenced")
    assert [e.kind for e in h.ops] == ["rule_flatline"]  # operators still hear of it


def test_a_notice_from_a_rule_silenced_in_the_file_is_not_sent() -> None:
    es = FakeEs(current={"Guangdong": 12}, previous={"Guangdong": 2})
    h, watcher = setup(spike_rule().model_copy(update={"silence_until": T0 + timedelta(days=1)}),
                       es)
    assert asyncio.run(watcher.tick()) == 1
    asyncio.run(h.drain())
    assert h.senders["log"].sent == []
    assert [r["status"] for r in h.queue.records.values()] == ["silenced"]
