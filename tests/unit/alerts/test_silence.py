"""Silenced rules: matches are recorded with the reason and never sent, neither later."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from alerts.silence import silenced_until
from config.contracts.articles import ClassifiedArticle
from config.rules import AlertRulesFile, Rule
from tests.unit.alerts.fakes import T0, Harness, ScriptedSender

Make = Callable[..., ClassifiedArticle]


def rules(**extra: object) -> AlertRulesFile:
    return AlertRulesFile.model_validate({
        "channels": [{"name": "log", "type": "file"}],
        "rules": [{"name": "quiet", "channels": ["log"], **extra},
                  {"name": "loud", "channels": ["log"]}]})


def test_the_later_silence_in_force_wins() -> None:
    rule = Rule(name="r", channels=["x"], silence_until=T0 + timedelta(hours=1))
    assert silenced_until(rule, {}, T0) == T0 + timedelta(hours=1)
    assert silenced_until(rule, {"r": T0 + timedelta(hours=3)}, T0) == T0 + timedelta(hours=3)
    assert silenced_until(rule, {}, T0 + timedelta(hours=2)) is None


def test_a_silenced_rule_records_without_sending(make_article: Make) -> None:
    h = Harness(rules(silence_until=(T0 + timedelta(hours=2)).isoformat()),
                {"log": ScriptedSender()})
    article = make_article()
    assert asyncio.run(h.handle(article)) == 1  # only rule "loud" is queued
    quiet = h.queue.records[f"quiet:{article.story_id}:log"]
    assert quiet["status"] == "silenced"
    assert quiet["reason"] == "silenced until 2026-11-18T06:10:00+00:00"
    assert [p["rule"] for _, p in h.senders["log"].sent] == ["loud"]
    h.clock.now += timedelta(hours=3)  # silence over: the recorded match is not sent later
    asyncio.run(h.drain())
    assert [p["rule"] for _, p in h.senders["log"].sent] == ["loud"]


def test_a_stored_silence_applies_and_expires(make_article: Make) -> None:
    h = Harness(rules(), {"log": ScriptedSender()})
    h.alerter.silences = {"quiet": T0 + timedelta(minutes=30)}
    first = make_article(url="https://a.example/1")
    assert asyncio.run(h.handle(first)) == 1
    h.clock.now += timedelta(hours=1)
    second = make_article(url="https://a.example/2")
    assert asyncio.run(h.handle(second)) == 2
    assert h.queue.records[f"quiet:{second.story_id}:log"]["status"] == "sent"
