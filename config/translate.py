"""English for English readers: pluggable translation providers, cached, paced, time-boxed.

Input: page text (titles, snippets) in one source language and ``TranslateSettings``. Output:
the English texts, ``None`` for each one the provider did not answer within ``timeout_s``
(the caller goes on without: an outage never blocks an alert or an index write). Providers
speak the vendors' documented APIs, several texts per request: LibreTranslate (``POST
/translate`` JSON ``q`` (a string, or a list), ``source, target, format, api_key`` →
``translatedText``, a string or a list) and DeepL (``POST /v2/translate``, header
``Authorization: DeepL-Auth-Key <key>``, JSON ``text`` list of at most 50 and
``target_lang=EN`` → ``translations[].text``). Translations are cached by SHA-256 of the text
(LRU), requests are paced (``min_interval_s``), and after a failure the provider is left alone
for ``pause_s`` (texts go untranslated meanwhile, without waiting). The alerter (alert titles
and snippets) and the indexer (documents with a label) each hold one ``Translator``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from typing import Any, Protocol

import httpx

from config.sections import TranslateSettings

log = logging.getLogger(__name__)


class Provider(Protocol):
    async def translate(self, texts: list[str], source: str | None) -> list[str]: ...


class LibreTranslate:
    def __init__(self, client: httpx.AsyncClient, url: str, api_key: str | None) -> None:
        self.client, self.url, self.api_key = client, url.rstrip("/"), api_key

    async def translate(self, texts: list[str], source: str | None) -> list[str]:
        body: dict[str, Any] = {"q": texts[0] if len(texts) == 1 else texts,
                                "source": source or "auto", "target": "en", "format": "text"}
        if self.api_key:
            body["api_key"] = self.api_key
        response = await self.client.post(f"{self.url}/translate", json=body)
        response.raise_for_status()
        found = response.json()["translatedText"]
        return [str(found)] if isinstance(found, str) else [str(t) for t in found]


class DeepL:
    BATCH = 50  # texts per request at most (DeepL's documented limit)

    def __init__(self, client: httpx.AsyncClient, url: str, api_key: str) -> None:
        self.client, self.url, self.api_key = client, url.rstrip("/"), api_key

    async def translate(self, texts: list[str], source: str | None) -> list[str]:
        out: list[str] = []
        for start in range(0, len(texts), self.BATCH):
            body: dict[str, Any] = {"text": texts[start:start + self.BATCH], "target_lang": "EN"}
            if source:
                body["source_lang"] = source.upper()
            response = await self.client.post(
                f"{self.url}/v2/translate", json=body,
                headers={"Authorization": f"DeepL-Auth-Key {self.api_key}"})
            response.raise_for_status()
            out += [str(t["text"]) for t in response.json()["translations"]]
        return out


class Translator:
    """A provider behind a cache, a pace and a time box; ``None`` when it cannot answer."""

    def __init__(self, provider: Provider, settings: TranslateSettings,
                 client: httpx.AsyncClient | None = None) -> None:
        self.provider, self.settings, self.client = provider, settings, client
        self.cache: OrderedDict[str, str] = OrderedDict()
        self._lock = asyncio.Lock()
        self._last = self._paused_until = 0.0
        self.requests = 0

    async def english(self, text: str, source: str | None = None) -> str | None:
        """One text in English, or ``None``."""
        return (await self.english_many([text], source))[0]

    async def english_many(self, texts: list[str], source: str | None = None
                           ) -> list[str | None]:
        """Each text in English (``None`` for empty ones, or those the provider did not
        translate in time); the texts not cached go in one time-boxed request."""
        keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        wanted = {k: t for k, t in zip(keys, texts, strict=True)
                  if t.strip() and k not in self.cache}
        if wanted and source != "en" and time.monotonic() >= self._paused_until:
            await self._fetch(wanted, source)
        found: list[str | None] = []
        for key, text in zip(keys, texts, strict=True):
            if key in self.cache and text.strip() and source != "en":
                self.cache.move_to_end(key)
                found.append(self.cache[key])
            else:
                found.append(None)
        return found

    async def _fetch(self, wanted: dict[str, str], source: str | None) -> None:
        try:
            got = await asyncio.wait_for(self._ask(list(wanted.values()), source),
                                         self.settings.timeout_s)
            if len(got) != len(wanted):
                raise ValueError(f"{len(got)} translations for {len(wanted)} texts")
        except Exception as exc:  # outage, timeout, refusal: the texts go untranslated
            self._paused_until = time.monotonic() + self.settings.pause_s
            log.warning("translation unavailable (%s: %s); going on without for %g s",
                        type(exc).__name__, str(exc)[:200], self.settings.pause_s)
            return
        self.cache.update(zip(wanted, got, strict=True))
        while len(self.cache) > self.settings.cache_size:
            self.cache.popitem(last=False)

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()

    async def _ask(self, texts: list[str], source: str | None) -> list[str]:
        async with self._lock:  # one request at a time, paced
            gap = self._last + self.settings.min_interval_s - time.monotonic()
            if gap > 0:
                await asyncio.sleep(gap)
            self._last = time.monotonic()
            self.requests += 1
            return await self.provider.translate(texts, source)


def build_translator(settings: TranslateSettings) -> Translator | None:
    """The configured translator, or ``None`` (provider ``none``)."""
    if settings.provider == "none":
        return None
    client = httpx.AsyncClient(timeout=settings.timeout_s)
    key = settings.api_key.get_secret_value() if settings.api_key else None
    if settings.provider == "deepl":
        return Translator(DeepL(client, settings.url or "https://api-free.deepl.com",
                                key or ""), settings, client)
    return Translator(LibreTranslate(client, settings.url, key), settings, client)
