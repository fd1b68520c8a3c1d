"""The chat robots and the signed webhook without a network: rendering within each vendor's
limit, signatures as the vendors document them, vendor answers classified (sent, retried
after the rate-limit wait, permanent), settings and registry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr

from alerts.channels import REGISTRY, dingtalk, feishu, teams, webhook, wecom
from alerts.channels.local import MisconfiguredSender
from alerts.channels.registry import build_sender, render_as
from config.contracts.articles import ClassifiedArticle
from config.rules import AlertRulesFile, Rule
from config.sections import HookTarget
from config.settings import Settings

Make = Callable[..., ClassifiedArticle]
RULE = Rule(name="cgt-main", channels=["c"])
HOSTILE = "细胞治疗 **粗体** [点我](http://evil.example) <@all> <at id=all></at> `x`"
TARGET = HookTarget(url=SecretStr("https://robot.example/send?key=K"),
                    secret=SecretStr("SECabc"))


def channel(kind: str, **extra: Any) -> Any:
    return AlertRulesFile.model_validate(
        {"channels": [{"name": "c", "type": kind, "hook": "h", **extra}]}).channels[0]


def answer(status: int, body: Any = None, headers: dict[str, str] | None = None
           ) -> httpx.Response:
    content = json.dumps(body).encode() if body is not None else b""
    return httpx.Response(status, content=content, headers=headers or {})


def test_every_channel_model_has_a_registry_entry_and_renders() -> None:
    from config.rules import Channel

    models = Channel.__origin__.__args__  # type: ignore[attr-defined]
    types = {m.model_fields["type"].annotation.__args__[0] for m in models}
    assert types == set(REGISTRY)
    assert all(kind.render is not None for kind in REGISTRY.values())


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu", "teams", "webhook"])
def test_hostile_page_text_formats_and_mentions_nothing(kind: str, make_article: Make) -> None:
    payload = render_as(kind, RULE, make_article(title=HOSTILE, source_name="<@all>"))
    text = json.dumps(payload, ensure_ascii=False)
    if kind != "webhook":  # the webhook carries the page text as data, not markdown
        for bad in ("**粗体**", "[点我]", "<@all>", "<at id=all>", "`x`"):
            assert bad not in text
    assert "https://www.example.gov.cn/news/t20261118_1.html" in text


@pytest.mark.parametrize(("kind", "limit"), [("wecom", 4096), ("dingtalk", 20000),
                                             ("feishu", 20 * 1024), ("teams", 28 * 1024)])
def test_huge_alerts_and_digests_fit_the_vendors_limit(kind: str, limit: int,
                                                       make_article: Make) -> None:
    article = make_article(title="细胞治疗😀" * 3000, text="基因" * 50_000)
    many = [make_article(url=f"https://x.org/{i}", title=f"第{i}条 细胞治疗" * 20)
            for i in range(500)]
    for payload in (render_as(kind, RULE, article),
                    REGISTRY[kind].build(channel(kind), Settings(hooks={"h": TARGET}))
                    .render_digest(RULE, "daily", many)):
        if kind == "wecom":
            measured = len(payload["markdown"]["content"].encode())
        elif kind == "dingtalk":
            measured = len(payload["markdown"]["text"].encode())
        else:  # the whole request body
            measured = len(REGISTRY_REQUEST[kind](TARGET, "k", payload).body)
        assert 0 < measured <= limit, (kind, measured)


REGISTRY_REQUEST = {"feishu": feishu.request, "teams": teams.request}


def test_dingtalk_signs_the_url_as_documented() -> None:
    request = dingtalk.request(TARGET, "k", {"msgtype": "markdown"})
    query = parse_qs(urlsplit(request.url).query)
    stamp = query["timestamp"][0]
    expected = base64.b64encode(hmac.new(b"SECabc", f"{stamp}\nSECabc".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["sign"] == [expected] and query["key"] == ["K"]  # parse_qs url-decodes
    assert len(stamp) == 13  # milliseconds


def test_feishu_signs_the_body_as_documented() -> None:
    body = json.loads(feishu.request(TARGET, "k", {"msg_type": "text"}).body)
    key = f"{body['timestamp']}\nSECabc".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert len(body["timestamp"]) == 10 and body["msg_type"] == "text"


def test_webhook_is_versioned_signed_and_carries_its_delivery_id(make_article: Make) -> None:
    payload = webhook.render(RULE, make_article())
    request = webhook.request(TARGET, "cgt-main:s1:c", payload)
    body = json.loads(request.body)
    assert body["schema"] == "cgtwatch.alert/1" and body["delivery"] == "cgt-main:s1:c"
    assert request.headers["X-Cgtwatch-Delivery"] == "cgt-main:s1:c"
    assert request.headers["X-Cgtwatch-Signature"].startswith("sha256=")
    assert webhook.verify("SECabc", request.headers, request.body)
    assert not webhook.verify("SECabc", request.headers, request.body + b" ")
    assert not webhook.verify("other", request.headers, request.body)
    stale = int(request.headers["X-Cgtwatch-Timestamp"]) + 600
    assert not webhook.verify("SECabc", request.headers, request.body, now=stale)


@pytest.mark.parametrize(("module", "response", "ok", "retryable", "wait"), [
    (wecom, answer(200, {"errcode": 0, "errmsg": "ok"}), True, True, None),
    (wecom, answer(200, {"errcode": 45009, "errmsg": "api freq out of limit"}), False, True, 60),
    (wecom, answer(200, {"errcode": -1, "errmsg": "system busy"}), False, True, None),
    (wecom, answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"}), False, False, None),
    (wecom, answer(502, None), False, True, None),
    (wecom, answer(200, None), False, False, None),
    (dingtalk, answer(200, {"errcode": 0}), True, True, None),
    (dingtalk, answer(200, {"errcode": 130101, "errmsg": "send too fast"}), False, True, 60),
    (dingtalk, answer(200, {"errcode": 310000, "errmsg": "sign not match"}), False, False, None),
    (feishu, answer(200, {"code": 0, "msg": "success"}), True, True, None),
    (feishu, answer(200, {"code": 9499, "msg": "too many request"}), False, True, 10),
    (feishu, answer(429, {"code": 11232, "msg": "frequency limited"}, {"Retry-After": "3"}),
     False, True, 3),
    (feishu, answer(400, {"code": 19021, "msg": "sign match fail"}), False, False, None),
    (teams, answer(202), True, True, None),
    (teams, answer(429, None, {"Retry-After": "7"}), False, True, 7),
    (teams, answer(400, {"error": {}}), False, False, None),
    (webhook, answer(204), True, True, None),
    (webhook, answer(503, None, {"Retry-After": "2"}), False, True, 2),
    (webhook, answer(401), False, False, None),
])
def test_vendor_answers_are_classified(module: Any, response: httpx.Response, ok: bool,
                                       retryable: bool, wait: float | None) -> None:
    kind = REGISTRY[module.__name__.rsplit(".", 1)[1]]
    sender = kind.build(channel(module.__name__.rsplit(".", 1)[1]),
                        Settings(hooks={"h": TARGET}))
    outcome = sender.vendor.answer(response)  # type: ignore[attr-defined]
    assert (outcome.ok, outcome.ok or outcome.retryable, outcome.retry_after) == (
        ok, retryable, wait), outcome


def test_defaults_pace_and_interrupted_policy() -> None:
    settings = Settings(hooks={"h": TARGET})
    paces = {kind: build_sender(channel(kind), settings).min_interval_s
             for kind in ("wecom", "dingtalk", "feishu", "teams", "webhook")}
    assert paces == {"wecom": 3.0, "dingtalk": 3.0, "feishu": 0.6, "teams": 1.0, "webhook": 0.0}
    assert build_sender(channel("wecom"), settings).on_interrupted == "resend"
    chosen = build_sender(channel("wecom", on_interrupted="skip", min_interval_s=5), settings)
    assert (chosen.on_interrupted, chosen.min_interval_s) == ("skip", 5)


def test_a_missing_hook_or_secret_names_the_variable_to_set() -> None:
    no_secret = Settings(hooks={"h": HookTarget(url=SecretStr("https://x.org/hook"))})
    assert REGISTRY["dingtalk"].check(channel("dingtalk"), no_secret) == [
        "channel 'c': dingtalk needs the signing secret; set CGTWATCH_HOOKS__H__SECRET"]
    assert REGISTRY["wecom"].check(channel("wecom"), no_secret) == []
    assert REGISTRY["teams"].check(channel("teams"), Settings()) == [
        "channel 'c': no hook named 'h'; set CGTWATCH_HOOKS__H__URL"]
    assert isinstance(build_sender(channel("feishu"), no_secret), MisconfiguredSender)


def test_hook_settings_are_secret_and_redacted(monkeypatch: pytest.MonkeyPatch,
                                               clean_env: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CGTWATCH_HOOKS__TEAM__URL", "https://qyapi.weixin.qq.com/x?key=KEY1")
    monkeypatch.setenv("CGTWATCH_HOOKS__TEAM__SECRET", "SECsecret1")
    settings = Settings()
    assert "KEY1" not in repr(settings) and "SECsecret1" not in repr(settings)
    assert {"https://qyapi.weixin.qq.com/x?key=KEY1", "SECsecret1"} <= set(
        settings.secret_values())


@pytest.mark.parametrize("module", ["alerts.render", "alerts.text", "alerts.render_chat",
                                    "alerts.channels.wecom", "alerts.channels.hook",
                                    "alerts.channels.registry", "alerts.channels"])
def test_each_module_imports_first_without_a_circle(module: str) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]


def test_hook_secrets_come_from_secret_files(clean_env: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    (tmp_path / "hooks__team__url").write_text("https://oapi.dingtalk.com/robot/send?"
                                               "access_token=T0K")
    (tmp_path / "hooks__team__secret").write_text("SECfile")
    clean_env.setenv("CGTWATCH_SECRETS_DIR", str(tmp_path))
    import config.settings

    settings = config.settings.Settings(_secrets_dir=tmp_path)
    assert settings.hooks["team"].secret == SecretStr("SECfile")
