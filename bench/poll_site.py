"""The generated site of ``bench_poll.py``: many news columns over many hosts on loopback.

Input: the number of sources and hosts, and a plan of events (new articles, edits) at known
times. Output: an aiohttp server in a background thread answering on 127.0.0.1..127.0.0.H
(one port; each address is a distinct host, so a distinct Scrapy downloader slot), each
source a list page of its 20 newest articles. Sources on even hosts answer with ETag and
Last-Modified (and 304 to conditional GETs), the others without validators. ``robots.txt``
allows everything. The server counts requests and is cheap (its CPU is the bench's own).
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import threading
from dataclasses import dataclass, field

from aiohttp import web

PER_PAGE = 20
BASE_TIME = 1_764_000_000.0  # Last-Modified of pages never changed during the run


def host_of(index: int, hosts: int) -> str:
    return f"127.0.0.{index % hosts + 1}"


@dataclass
class Column:
    sid: str
    host: str
    validators: bool
    newest: int = PER_PAGE  # articles a1..a<newest>; the page shows the newest 20
    edits: dict[int, int] = field(default_factory=dict)  # article -> edit count
    changed_at: float = BASE_TIME
    article_changed: dict[int, float] = field(default_factory=dict)

    def titles(self) -> list[tuple[int, str]]:
        first = max(self.newest - PER_PAGE + 1, 1)
        return [(n, title(self.sid, n)) for n in range(self.newest, first - 1, -1)]


def title(sid: str, n: int) -> str:
    return f"{sid} 关于第{n}号细胞治疗项目的通知"


def list_html(column: Column) -> str:
    items = "".join(f'<li><a href="/{column.sid}/a{n}.html">{t}</a><span>2026-12-03</span></li>'
                    for n, t in column.titles())
    return (f'<html><head><meta charset="utf-8"><title>{column.sid} 新闻动态</title></head>'
            f'<body><div class="nav"><a href="/">首页</a></div><div class="list"><ul>{items}'
            "</ul></div></body></html>")


def article_html(column: Column, n: int) -> str:
    head, version = title(column.sid, n), column.edits.get(n, 0)
    text = "".join(f"<p>{head}：本市细胞治疗产业第{i}段，临床研究稳步推进（第{version}版）。</p>"
                   for i in range(6))
    return (f'<html><head><meta charset="utf-8"><title>{head}</title></head><body>'
            f'<h1>{head}</h1><div class="info">发布时间：2026-12-03</div>'
            f'<div class="content">{text}</div></body></html>')


def validators_of(body: bytes, changed_at: float) -> tuple[str, str]:
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    return etag, email.utils.formatdate(changed_at, usegmt=True)


class Site:
    """The columns and the server; ``apply`` runs planned events (from the server's loop)."""

    def __init__(self, sources: int, hosts: int, port: int) -> None:
        self.port, self.hosts = port, hosts
        self.columns = {f"s{i}": Column(f"s{i}", host_of(i, hosts), i % hosts % 2 == 0)
                        for i in range(sources)}
        self.requests = 0
        self.lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None

    def url(self, column: Column, path: str = "index.html") -> str:
        return f"http://{column.host}:{self.port}/{column.sid}/{path}"

    def page(self, sid: str, path: str) -> tuple[bytes, float] | None:
        column = self.columns.get(sid)
        if column is None:
            return None
        with self.lock:
            if path == "index.html":
                return list_html(column).encode(), column.changed_at
            if path.startswith("a") and path.endswith(".html") and path[1:-5].isdigit():
                n = int(path[1:-5])
                if 1 <= n <= column.newest:
                    return (article_html(column, n).encode(),
                            column.article_changed.get(n, BASE_TIME))
        return None

    def add_article(self, sid: str, at: float) -> int:
        with self.lock:
            column = self.columns[sid]
            column.newest += 1
            column.changed_at = at
            column.article_changed[column.newest] = at
            return column.newest

    def edit_article(self, sid: str, n: int, at: float) -> None:
        with self.lock:
            column = self.columns[sid]
            column.edits[n] = column.edits.get(n, 0) + 1
            column.article_changed[n] = at

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        if request.path == "/robots.txt":
            return web.Response(text="User-agent: *\nAllow: /\n")
        parts = request.path.strip("/").split("/")
        found = self.page(parts[0], parts[1]) if len(parts) == 2 else None
        if found is None:
            return web.Response(status=404, text="not found")
        body, changed_at = found
        column = self.columns[parts[0]]
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if column.validators:
            etag, modified = validators_of(body, changed_at)
            headers.update({"ETag": etag, "Last-Modified": modified})
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers=headers)
        return web.Response(body=body, headers=headers)

    def start(self) -> None:
        ready = threading.Event()
        threading.Thread(target=self._serve, args=(ready,), daemon=True).start()
        if not ready.wait(30):
            raise RuntimeError("the bench site did not start")

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        for h in range(self.hosts):
            site = web.TCPSite(self._runner, f"127.0.0.{h + 1}", self.port)
            self._loop.run_until_complete(site.start())
        ready.set()
        self._loop.run_forever()

    def call_at(self, delay_s: float, action: object) -> None:
        """Run ``action()`` in the server's loop after ``delay_s`` seconds."""
        assert self._loop is not None
        loop = self._loop
        loop.call_soon_threadsafe(loop.call_later, delay_s, action)

    def stop(self) -> None:
        if self._loop is not None and self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
