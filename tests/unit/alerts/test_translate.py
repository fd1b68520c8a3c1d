"""Translation providers against local HTTP receivers checking LibreTranslate's and DeepL's
documented request formats; cache by text hash, pace, time box, outage = no translation."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from typing import Any

import httpx
from aiohttp import web

from alerts.channels.registry import render_as
from alerts.render import render_email, render_slack
from config.contracts.articles import ClassifiedArticle
from config.rules import AlertRulesFile, Rule
from config.sections import TranslateSettings
from config.translate import DeepL, LibreTranslate, Translator, build_translator
from tests.unit.alerts.fakes import Harness, ScriptedSender

Make = Callable[..., ClassifiedArticle]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Receiver:
    """LibreTranslate and DeepL endpoints that refuse requests not in the documented form."""

    def __init__(self, delay: float = 0.0) -> None:
        self.requests: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.delay = delay

    async def libre(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(("libre", body, dict(request.headers)))
        if set(body) - {"q", "source", "target", "format", "api_key"} or body["target"] != "en":
            return web.json_response({"error": "bad request"}, status=400)
        await asyncio.sleep(self.delay)
        if isinstance(body["q"], list):  # several texts: a list of translations, in order
            return web.json_response({"translatedText": [f"EN[{q}]" for q in body["q"]]})
        return web.json_response({"translatedText": f"EN[{body['q']}]"})

    async def deepl(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(("deepl", body, dict(request.headers)))
        if request.headers.get("Authorization") != "DeepL-Auth-Key k-123:fx":
            return web.json_response({"message": "Forbidden"}, status=403)
        text = body.get("text")
        if body.get("target_lang") != "EN" or not isinstance(text, list) or len(text) > 50:
            return web.json_response({"message": "Bad request"}, status=400)
        return web.json_response({"translations": [
            {"detected_source_language": "ZH", "text": f"EN[{t}]"} for t in body["text"]]})

    async def run(self, work: Callable[[str], Any]) -> Any:
        app = web.Application()
        app.router.add_post("/translate", self.libre)
        app.router.add_post("/v2/translate", self.deepl)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            return await work(f"http://127.0.0.1:{port}")
        finally:
            await runner.cleanup()


def settings(**kw: Any) -> TranslateSettings:
    return TranslateSettings(**{"min_interval_s": 0.0, **kw})


def test_libretranslate_request_format_and_cache() -> None:
    receiver = Receiver()

    async def work(url: str) -> list[str | None]:
        translator = build_translator(settings(provider="libretranslate", url=url,
                                               api_key="lt-key"))
        assert translator is not None
        try:
            return [await translator.english("细胞治疗", "zh") for _ in range(3)]
        finally:
            await translator.aclose()

    assert asyncio.run(receiver.run(work)) == ["EN[细胞治疗]"] * 3
    assert len(receiver.requests) == 1  # cached by text hash
    assert receiver.requests[0][1] == {"q": "细胞治疗", "source": "zh", "target": "en",
                                       "format": "text", "api_key": "lt-key"}


def test_deepl_request_format() -> None:
    receiver = Receiver()

    async def work(url: str) -> str | None:
        translator = build_translator(settings(provider="deepl", url=url, api_key="k-123:fx"))
        assert translator is not None
        try:
            return await translator.english("基因治疗", "zh")
        finally:
            await translator.aclose()

    assert asyncio.run(receiver.run(work)) == "EN[基因治疗]"
    kind, body, headers = receiver.requests[0]
    assert (kind, body) == ("deepl", {"text": ["基因治疗"], "target_lang": "EN",
                                      "source_lang": "ZH"})
    assert headers["Authorization"] == "DeepL-Auth-Key k-123:fx"


def test_wrong_key_outage_and_slowness_give_no_translation_quickly() -> None:
    async def work(url: str) -> list[str | None]:
        async with httpx.AsyncClient() as client:
            wrong = Translator(DeepL(client, url, "nope"), settings())
            slow = Translator(LibreTranslate(client, url, None), settings(timeout_s=0.2))
            down = Translator(LibreTranslate(client, "http://127.0.0.1:9", None), settings())
            loop = asyncio.get_running_loop()
            start = loop.time()
            got = [await wrong.english("a"), await slow.english("b"), await down.english("c")]
            assert loop.time() - start < 2.0
            return got

    assert asyncio.run(Receiver(delay=5.0).run(work)) == [None, None, None]


def test_many_texts_go_in_few_requests_in_the_vendors_form() -> None:
    receiver = Receiver()
    texts = [f"细胞治疗 {i}" for i in range(60)]

    async def work(url: str) -> tuple[list[str | None], list[str | None]]:
        async with httpx.AsyncClient() as client:
            libre = Translator(LibreTranslate(client, url, None), settings())
            deepl = Translator(DeepL(client, url, "k-123:fx"), settings())
            return (await libre.english_many([*texts[:3], "", texts[0]], "zh"),
                    await deepl.english_many(texts, "zh"))

    libre, deepl = asyncio.run(receiver.run(work))
    assert libre == [f"EN[{t}]" for t in texts[:3]] + [None, f"EN[{texts[0]}]"]
    assert deepl == [f"EN[{t}]" for t in texts]
    kinds = [(kind, len(body.get("text") or body.get("q") or [])) for kind, body, _ in
             receiver.requests]
    assert kinds == [("libre", 3), ("deepl", 50), ("deepl", 10)]  # DeepL: 50 texts at most


def test_after_a_failure_the_provider_is_left_alone_for_pause_s() -> None:
    receiver = Receiver()

    async def work(url: str) -> list[str | None]:
        async with httpx.AsyncClient() as client:
            paused = Translator(DeepL(client, url, "wrong"), settings(pause_s=60))
            eager = Translator(DeepL(client, url, "wrong"), settings(pause_s=0))
            return [await paused.english("a"), await paused.english("b"),
                    await eager.english("c"), await eager.english("d")]

    assert asyncio.run(receiver.run(work)) == [None] * 4
    assert [body["text"] for _, body, _ in receiver.requests] == [["a"], ["c"], ["d"]]


def test_requests_are_paced() -> None:
    receiver = Receiver()

    async def work(url: str) -> float:
        async with httpx.AsyncClient() as client:
            t = Translator(LibreTranslate(client, url, None), settings(min_interval_s=0.3))
            loop = asyncio.get_running_loop()
            start = loop.time()
            await asyncio.gather(*(t.english(f"text {i}") for i in range(3)))
            return float(loop.time() - start)

    assert asyncio.run(receiver.run(work)) >= 0.6  # 3 requests, 0.3 s apart


class FakeTranslator(Translator):
    def __init__(self, answer: str | None) -> None:
        self.answer = answer

    async def english_many(self, texts: list[str], source: str | None = None
                           ) -> list[str | None]:
        return [self.answer for _ in texts]


def test_alerts_carry_the_english_title_escaped(make_article: Make) -> None:
    rules = AlertRulesFile.model_validate({"channels": [{"name": "log", "type": "file"}],
                                           "rules": [{"name": "r", "channels": ["log"]}]})
    h = Harness(rules, {"log": ScriptedSender()})
    h.alerter.translator = FakeTranslator("Cell therapy <!here> news")
    article = make_article()
    assert asyncio.run(h.handle(article)) == 1
    record = h.queue.records[f"r:{article.story_id}:log"]
    assert record["title_en"] == record["article"]["title_en"] == "Cell therapy <!here> news"
    assert record["snippet_en"] == record["article"]["snippet_en"] == "Cell therapy <!here> news"
    shown = article.model_copy(update={"title_en": "Cell therapy <!here> news",
                                       "snippet_en": "*CAR-T* for <@U1>"})
    body = render_slack(Rule(name="r", channels=["log"]), shown)["blocks"][0]["text"]["text"]
    assert "English: Cell therapy &lt;!here&gt; news" in body
    assert "English snippet: ＊CAR-T＊ for &lt;@U1&gt;" in body
    email = render_email(Rule(name="r", channels=["log"]), shown)
    assert "English snippet: *CAR-T* for <@U1>" in email.text
    assert "English snippet: *CAR-T* for &lt;@U1&gt;" in email.html
    line = render_as("file", Rule(name="r", channels=["log"]), shown)
    assert (line["title_en"], line["snippet_en"]) == ("Cell therapy <!here> news",
                                                      "*CAR-T* for <@U1>")  # data
    for kind in ("wecom", "dingtalk", "feishu", "teams"):  # chat markdown, neutralised
        chat = json.dumps(render_as(kind, Rule(name="r", channels=["log"]), shown),
                          ensure_ascii=False)
        assert "English: Cell therapy ＜!here＞ news" in chat, kind
        assert "English snippet: ＊CAR-T＊ for ＜@U1＞" in chat, kind
    assert json.loads(article.encode())  # the wire message is unchanged
    assert "title_en" not in json.loads(shown.encode())


def test_without_a_provider_alerts_go_untranslated(make_article: Make) -> None:
    assert build_translator(TranslateSettings()) is None
    rules = AlertRulesFile.model_validate({"channels": [{"name": "log", "type": "file"}],
                                           "rules": [{"name": "r", "channels": ["log"]}]})
    h = Harness(rules, {"log": ScriptedSender()})
    article = make_article(regions=[("广东省", "Guangdong")])
    assert asyncio.run(h.handle(article)) == 1
    assert "title_en" not in h.queue.records[f"r:{article.story_id}:log"]
    body = render_slack(Rule(name="r", channels=["log"]), article)["blocks"][0]["text"]["text"]
    assert "Guangdong" in body and "English:" not in body  # known English names still shown
