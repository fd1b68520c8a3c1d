"""English titles for English readers: pluggable translation providers, cached and time-boxed.

Input: page text (titles, snippets) and ``TranslateSettings``. Output: the English text, or
``None`` when there is no provider or it does not answer in ``timeout_s`` (the alert then goes
without: a provider outage never blocks an alert). Providers speak the vendors' documented
APIs: LibreTranslate (``POST /translate`` JSON ``q, source, target, format, api_key`` →
``translatedText``) and DeepL (``POST /v2/translate``, header ``Authorization:
DeepL-Auth-Key <key>``, JSON ``text`` list and ``target_lang=EN`` → ``translations[].text``).
Translations are cached by SHA-256 of the text (LRU) and requests are paced
(``min_interval_s``). Translation happens in the alerter, on what is alerted only (see README).
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
    async def translate(self, text: str, source: str | None) -> str: ...


class LibreTranslate:
    def __init__(self, client: httpx.AsyncClient, url: str, api_key: str | None) -> None:
        self.client, self.url, self.api_key = client, url.rstrip("/"), api_key

    async def translate(self, text: str, source: str | None) -> str:
        body: dict[str, Any] = {"q": text, "source": source or "auto", "target": "en",
                                "format": "text"}
        if self.api_key:
            body["api_key"] = self.api_key
        response = await self.client.post(f"{self.url}/translate", json=body)
        response.raise_for_status()
        return str(response.json()["translatedText"])


class DeepL:
    def __init__(self, client: httpx.AsyncClient, url: str, api_key: str) -> None:
        self.client, self.url, self.api_key = client, url.rstrip("/"), api_key

    async def translate(self, text: str, source: str | None) -> str:
        body: dict[str, Any] = {"text": [text], "target_lang": "EN"}
        if source:
            body["source_lang"] = source.upper()
        response = await self.client.post(
            f"{self.url}/v2/translate", json=body,
            headers={"Authorization": f"DeepL-Auth-Key {self.api_key}"})
        response.raise_for_status()
        return str(response.json()["translations"][0]["text"])


class Translator:
    """A provider behind a cache, a pace and a time box; ``None`` when it cannot answer."""

    def __init__(self, provider: Provider, settings: TranslateSettings,
                 client: httpx.AsyncClient | None = None) -> None:
        self.provider, self.settings, self.client = provider, settings, client
        self.cache: OrderedDict[str, str] = OrderedDict()
        self._lock = asyncio.Lock()
        self._last = 0.0
        self.requests = 0

    async def english(self, text: str, source: str | None = None) -> str | None:
        if not text.strip() or source == "en":
            return None
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        try:
            found = await asyncio.wait_for(self._ask(text, source), self.settings.timeout_s)
        except Exception as exc:  # outage, timeout, refusal: the alert goes untranslated
            log.warning("translation unavailable (%s: %s); sending without",
                        type(exc).__name__, str(exc)[:200])
            return None
        self.cache[key] = found
        while len(self.cache) > self.settings.cache_size:
            self.cache.popitem(last=False)
        return found

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()

    async def _ask(self, text: str, source: str | None) -> str:
        async with self._lock:  # one request at a time, paced
            gap = self._last + self.settings.min_interval_s - time.monotonic()
            if gap > 0:
                await asyncio.sleep(gap)
            self._last = time.monotonic()
            self.requests += 1
            return await self.provider.translate(text, source)


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
