"""Chat robots and the signed webhook over real loopback HTTP: WeCom, DingTalk, Feishu, Teams
and the generic webhook each deliver the demo's alerts to a receiver that checks the request
as the vendor documents it (path and key, body, size limit, signature and timestamp
recomputed by the receiver), and each vendor's rate-limit and refusal answers come out as the
delivery workers expect (retry after a wait, or fail for good). The last test runs the real
alerter (a Faust worker) with all five channels on the local stack."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from alerts.channels import REGISTRY, Delivery, Sender
from alerts.channels.hook import HookSender
from config.contracts.articles import Classification, ClassifiedArticle, LabelResult
from config.contracts.ids import article_id
from config.rules import Rule
from config.sections import HookTarget
from config.settings import Settings
from tests.integration.alerting import FAST, classified, ledger, publish_classified
from tests.integration.conftest import Env, wait_for
from tests.receivers.chat import VENDORS, ChatReceiver

pytestmark = pytest.mark.integration
KINDS = sorted(VENDORS)
RULE = Rule(name="demo-cgt", channels=["c"])
SITE = "http://demo.example.org"
MANIFEST = Path(__file__).resolve().parents[2] / "cgtwatch/demo/site/manifest.yaml"


def demo_alerts() -> list[ClassifiedArticle]:
    """The demo's alerting articles (expected labels), as the classifier reports them."""
    manifest = yaml.safe_load(MANIFEST.read_text("utf-8"))
    names = {s["id"]: s["name"] for s in manifest["sources"]}
    out = []
    for item in manifest["articles"]:
        if not item.get("expected_labels"):
            continue
        url = f"{SITE}/{item['path']}"
        salience = item.get("expected_salience") or {}
        results = {label: LabelResult(score=0.9, salience=salience.get(label, "secondary"))
                   for label in item["expected_labels"]}
        out.append(ClassifiedArticle(
            article_id=article_id(url), url=url, source_id=item["source"],
            source_name=names[item["source"]], title=item["title"],
            text=f"{item['title']}。细胞治疗", language=item.get("language", "zh"),
            published=item.get("published"),
            classification=Classification(labels=item["expected_labels"], results=results)))
    return out


def sender(receiver: ChatReceiver, secret: str | None = None) -> HookSender:
    target = HookTarget(url=SecretStr(receiver.url),
                        secret=SecretStr(secret if secret is not None else receiver.secret),
                        timeout_s=5)
    built = REGISTRY[receiver.vendor].build(
        _channel(receiver.vendor), Settings(hooks={"h": target}))
    assert isinstance(built, HookSender), built
    return built


def _channel(kind: str) -> Any:
    from config.rules import AlertRulesFile

    return AlertRulesFile.model_validate({"channels": [
        {"name": "c", "type": kind, "hook": "h", "min_interval_s": 0}]}).channels[0]


def send(s: Sender, key: str, payload: dict[str, Any]) -> Delivery:
    return asyncio.run(s.deliver(key, payload))


@pytest.mark.parametrize("kind", KINDS)
def test_each_channel_delivers_the_demo_alerts_as_the_vendor_documents(kind: str) -> None:
    receiver = ChatReceiver(kind).start()
    try:
        alerts = demo_alerts()
        chat = sender(receiver)
        outcomes = [send(chat, f"demo-cgt:{a.article_id}:c", chat.render(RULE, a))
                    for a in alerts]
        digest = chat.render_digest(RULE, "demo-cgt daily", alerts)
        outcomes.append(send(chat, "digest:demo-cgt:c", digest))
        assert outcomes == [Delivery(True)] * (len(alerts) + 1), outcomes
        assert receiver.invalid == [] and len(receiver.posts) == len(alerts) + 1
        for post, article in zip(receiver.posts, alerts, strict=False):
            assert article.url in json.dumps(post, ensure_ascii=False)
        assert all(a.url in json.dumps(receiver.posts[-1]) for a in alerts)
        print(f"\n{kind}: {len(alerts)} demo alerts + 1 digest accepted, signature verified, "
              f"0 refused")
    finally:
        receiver.stop()


@pytest.mark.parametrize("kind", KINDS)
def test_a_wrong_secret_or_key_is_refused_for_good(kind: str) -> None:
    receiver = ChatReceiver(kind).start()
    try:
        article = demo_alerts()[0]
        chat = sender(receiver, secret="SECwrong")
        if kind in ("wecom", "teams"):  # no signing secret: the key in the URL is the check
            receiver.key = "other"
        outcome = send(chat, "k1", chat.render(RULE, article))
        assert not outcome.ok and outcome.permanent, outcome
        assert receiver.invalid and receiver.posts == []
        assert "SECwrong" not in outcome.error and "k3y" not in outcome.error
    finally:
        receiver.stop()


@pytest.mark.parametrize("kind", KINDS)
def test_the_vendors_rate_limit_is_retried_after_its_wait(kind: str) -> None:
    receiver = ChatReceiver(kind, min_interval_s=30).start()
    try:
        first, second = demo_alerts()[:2]
        chat = sender(receiver)
        assert send(chat, "k1", chat.render(RULE, first)).ok
        limited = send(chat, "k2", chat.render(RULE, second))
        assert not limited.ok and limited.retryable and limited.retry_after, limited
        expected = {"wecom": 60.0, "dingtalk": 60.0, "feishu": 10.0}.get(kind, 1.0)
        assert limited.retry_after == expected and receiver.too_fast == 1
        receiver.min_interval_s = 0
        assert send(chat, "k2", chat.render(RULE, second)).ok and len(receiver.posts) == 2
    finally:
        receiver.stop()


def test_a_connection_refused_is_retryable_and_a_silent_server_ambiguous() -> None:
    receiver = ChatReceiver("webhook", hold_s=3).start()
    try:
        chat = sender(receiver)
        chat._target = chat._target.model_copy(update={"timeout_s": 0.5})
        outcome = send(chat, "k1", chat.render(RULE, demo_alerts()[0]))
        assert outcome.ambiguous and not outcome.retryable
    finally:
        receiver.stop()
    outcome = send(chat, "k1", chat.render(RULE, demo_alerts()[0]))
    assert not outcome.ok and outcome.retryable and not outcome.ambiguous


def settled(stack: Env, predicate: Callable[[], bool], timeout: float, what: str) -> None:
    try:
        wait_for(predicate, timeout, what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{stack.logs()}") from None


def test_the_alerter_delivers_the_demo_alerts_on_every_new_channel(stack: Env, tmp_path: Path
                                                                   ) -> None:
    receivers = {kind: ChatReceiver(kind, min_interval_s=0.2).start() for kind in KINDS}
    try:
        env = {f"CGTWATCH_HOOKS__{kind.upper()}__URL": r.url for kind, r in receivers.items()}
        env.update({f"CGTWATCH_HOOKS__{kind.upper()}__SECRET": r.secret
                    for kind, r in receivers.items()})
        channels = [{"name": kind, "type": kind, "hook": kind, "min_interval_s": 0.3}
                    for kind in KINDS]
        rules = tmp_path / "rules.yaml"
        rules.write_text(yaml.safe_dump({"channels": channels, "rules": [
            {"name": "demo-cgt", "labels": ["cell_therapy", "gene_therapy"],
             "channels": KINDS}]}), "utf-8")
        stack.start("alerter", CGTWATCH_PATHS__ALERT_RULES=str(rules), **{**FAST, **env})
        publish_classified(stack, [classified(999)])  # warm-up: the worker has started
        settled(stack, lambda: all(len(r.posts) == 1 for r in receivers.values()), 240,
                "the warm-up alert")
        time.sleep(0.5)
        alerts = demo_alerts()
        t0 = publish_classified(stack, alerts)
        settled(stack, lambda: all(len(r.posts) >= len(alerts) + 1
                                   for r in receivers.values()), 90, "every channel's alerts")
        took = time.time() - t0
        time.sleep(2)  # late duplicates would arrive now
        for kind, receiver in receivers.items():
            texts = [json.dumps(p, ensure_ascii=False) for p in receiver.posts]
            counts = [sum(a.url in t for t in texts) for a in alerts]
            assert counts == [1] * len(alerts), (kind, counts)
            assert receiver.invalid == [], (kind, receiver.invalid)
        statuses = {r["status"] for r in ledger(stack)}
        assert statuses == {"sent"}
        print(f"\nalerter: {len(alerts)} demo alerts x {len(KINDS)} channels delivered once "
              f"each in {took:.1f} s from publication; refused 0; channel pace 0.3 s")
    finally:
        for receiver in receivers.values():
            receiver.stop()


def test_alerter_killed_mid_request_resends_with_the_same_delivery_id(stack: Env,
                                                                      tmp_path: Path) -> None:
    """SIGKILL while the webhook (``resend``) and WeCom (``skip``) hold their answers: the
    webhook sends again with the same ``X-Cgtwatch-Delivery``; WeCom never twice, and a
    delivery not sent again is marked ``unknown``."""
    hook, wecom = ChatReceiver("webhook", hold_s=1.0), ChatReceiver("wecom", hold_s=1.0)
    hook.start(), wecom.start()
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"channels": [
        {"name": "hook", "type": "webhook", "hook": "hook"},
        {"name": "wecom", "type": "wecom", "hook": "wecom", "on_interrupted": "skip",
         "min_interval_s": 0}],
        "rules": [{"name": "cgt", "labels": ["cell_therapy"], "channels": ["hook", "wecom"]}]}),
        "utf-8")
    env = {**FAST, "CGTWATCH_PATHS__ALERT_RULES": str(rules),
           "CGTWATCH_HOOKS__HOOK__URL": hook.url, "CGTWATCH_HOOKS__HOOK__SECRET": hook.secret,
           "CGTWATCH_HOOKS__WECOM__URL": wecom.url}
    articles = [classified(i) for i in range(3)]
    urls = [a.url for a in articles]

    def final(url: str) -> bool:
        records = [r for r in ledger(stack) if r["url"] == url]
        return len(records) == 2 and all(r["status"] in ("sent", "unknown") for r in records)

    def texts(receiver: ChatReceiver, url: str) -> int:
        return sum(url in json.dumps(p) for p in receiver.posts)

    def in_flight(url: str) -> bool:
        return texts(hook, url) > 0 and texts(wecom, url) > 0

    try:
        for n, article in enumerate(articles):
            supervisor = stack.start("alerter", **env)
            if n:
                settled(stack, partial(final, urls[n - 1]), 240, f"round {n - 1}")
            publish_classified(stack, [article])
            settled(stack, partial(in_flight, article.url), 240, f"round {n}: in flight")
            supervisor.kill("alerter")
            stack.supervisors.remove(supervisor)
        stack.start("alerter", **env)
        settled(stack, lambda: all(final(u) for u in urls), 120, "every delivery settled")
        time.sleep(2)
        hooks = {u: texts(hook, u) for u in urls}
        robots = {u: texts(wecom, u) for u in urls}
        ids = {u: {h["X-Cgtwatch-Delivery"] for h, p in zip(hook.headers, hook.posts,
                                                            strict=True) if u in json.dumps(p)}
               for u in urls}
        unknown = {r["url"] for r in ledger(stack) if r["status"] == "unknown"}
        print(f"\n3 SIGKILLs mid-request: webhook copies {list(hooks.values())} (one delivery "
              f"id each), wecom copies {list(robots.values())}, unknown {len(unknown)}")
        assert min(hooks.values()) >= 1 and all(len(found) == 1 for found in ids.values())
        assert max(robots.values()) <= 1 and {u for u in urls if robots[u] == 0} <= unknown
        assert hook.invalid == wecom.invalid == []
    finally:
        hook.stop()
        wecom.stop()
