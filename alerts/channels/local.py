"""Local channels: a JSON-lines file and the console; and the stand-in for a misconfigured one.

Input: a rule with one article (and the story's other sources), or a digest. Output: one JSON
line per delivery carrying its ``delivery`` key. The file channel can tell whether a delivery
already arrived (``delivered`` looks for the key in the file), so an alerter killed between
writing and recording never writes a line twice; each line is written with one ``write`` of
an ``O_APPEND`` descriptor (no interleaved or half-copied lines from a retry).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from alerts.channels.base import ChannelKind, Delivery, Interrupted, NoCheck, Payload
from alerts.render import StoryRef, render_record
from config.contracts.articles import ClassifiedArticle
from config.rules import ConsoleChannel, FileChannel, Rule
from config.settings import Settings

SCAN_BYTES = 64 * 1024 * 1024  # how much of the file's end ``delivered`` reads at most


def digest_record(rule: Rule, title: str, articles: list[ClassifiedArticle]) -> dict[str, Any]:
    return {"rule": rule.name, "digest": title, "count": len(articles),
            "items": [render_record(rule, a) for a in articles]}


class _Records:
    on_interrupted: Interrupted = "resend"
    min_interval_s = 0.0

    def render(self, rule: Rule, article: ClassifiedArticle,
               others: list[StoryRef] | None = None) -> Payload:
        record = render_record(rule, article)
        if others:
            record["other_sources"] = [o.url for o in others]
        return record

    def render_digest(self, rule: Rule, title: str, articles: list[ClassifiedArticle]
                      ) -> Payload:
        return digest_record(rule, title, articles)


class FileSender(_Records):
    def __init__(self, path: Path, on_interrupted: Interrupted | None = None,
                 min_interval_s: float | None = None) -> None:
        self._path = path
        self.on_interrupted = on_interrupted or "resend"
        self.min_interval_s = min_interval_s or 0.0

    async def deliver(self, key: str, payload: Payload) -> Delivery:
        line = (json.dumps({**payload, "delivery": key}, ensure_ascii=False) + "\n").encode()
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        except OSError as exc:
            return Delivery(False, f"file: {exc}", retryable=False)
        return Delivery(True)

    async def delivered(self, key: str, since: datetime) -> bool | None:
        needle = json.dumps({"delivery": key})[1:-1].encode()  # '"delivery": "<key>"'
        try:
            with self._path.open("rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - SCAN_BYTES))
                return needle in handle.read()
        except FileNotFoundError:
            return False
        except OSError:
            return None


class ConsoleSender(NoCheck, _Records):
    def __init__(self, on_interrupted: Interrupted | None = None) -> None:
        self.on_interrupted = on_interrupted or "resend"

    async def deliver(self, key: str, payload: Payload) -> Delivery:
        kind = "DIGEST" if "digest" in payload else "ALERT"
        print(f"{kind} {json.dumps({**payload, 'delivery': key}, ensure_ascii=False)}",
              flush=True)
        return Delivery(True)


class MisconfiguredSender(NoCheck, _Records):
    """Stands in for a channel whose settings are missing: every delivery fails at once,
    saying why, so it is recorded as failed instead of the worker crash-looping."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def deliver(self, key: str, payload: Payload) -> Delivery:
        return Delivery(False, self.reason, retryable=False)


def _file(channel: FileChannel, settings: Settings) -> FileSender:
    return FileSender(settings.paths.data_dir / channel.path, channel.on_interrupted,
                      channel.min_interval_s)


def _check_file(channel: FileChannel, settings: Settings) -> list[str]:
    folder = (settings.paths.data_dir / channel.path).parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not os.access(folder, os.W_OK):
        return [f"channel {channel.name!r}: {folder} is not writable"]
    return []


def _console(channel: ConsoleChannel, settings: Settings) -> ConsoleSender:
    return ConsoleSender(channel.on_interrupted)


FILE = ChannelKind(build=_file, check=_check_file, render=_Records().render)
CONSOLE = ChannelKind(build=_console, check=lambda channel, settings: [],
                      render=_Records().render)
