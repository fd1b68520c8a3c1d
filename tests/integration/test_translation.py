"""English titles and snippets on the running pipeline: a loopback LibreTranslate that checks
the documented request, the indexer's documents, the alerter's alerts and records, the feeds."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import feedparser
import pytest

from cgtwatch.devstack.localstack import free_port
from indexer.documents import articles_alias
from tests.integration.alerting import file_lines, ledger
from tests.integration.conftest import Env, http_get, make_article, wait_for

pytestmark = pytest.mark.integration
FIELDS = {"q", "source", "target", "format", "api_key"}


class LibreTranslate(BaseHTTPRequestHandler):
    """``POST /translate`` as LibreTranslate documents it; anything else is refused (400)."""

    requests: ClassVar[list[dict[str, Any]]] = []
    refused: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ok = (self.path == "/translate" and not set(body) - FIELDS and body["target"] == "en"
              and body["format"] == "text" and isinstance(body["q"], str | list))
        if not ok:
            self.refused.append(json.dumps(body, ensure_ascii=False))
            self._answer(400, {"error": "bad request"})
            return
        self.requests.append(body)
        texts = body["q"] if isinstance(body["q"], list) else [body["q"]]
        found = [f"EN[{t}]" for t in texts]
        self._answer(200, {"translatedText": found if isinstance(body["q"], list) else found[0]})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return None


@pytest.fixture
def translator() -> Iterator[int]:
    LibreTranslate.requests, LibreTranslate.refused = [], []
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), LibreTranslate)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_english_reaches_index_documents_alerts_and_feeds(stack: Env, translator: int) -> None:
    feeds = free_port()
    supervisor = stack.start("streams", "indexer", "alerter",
                             CGTWATCH_TRANSLATE__PROVIDER="libretranslate",
                             CGTWATCH_TRANSLATE__URL=f"http://127.0.0.1:{translator}",
                             CGTWATCH_TRANSLATE__MIN_INTERVAL_S="0",
                             CGTWATCH_ALERTS__FEEDS_PORT=str(feeds),
                             CGTWATCH_ALERTS__FEEDS_HOST="127.0.0.1")
    relevant, other = make_article(1, True), make_article(2, False)
    stack.publish([relevant, other])
    alias = articles_alias(stack.settings.elastic.index_prefix)

    def document(article_id: str) -> dict[str, Any]:
        supervisor.poll()
        stack.es.indices.refresh(index=alias)
        found = stack.es.options(ignore_status=404).get(index=alias, id=article_id)
        return dict(found.get("_source") or {})

    wait_for(lambda: bool(document(relevant.article_id).get("title_en")), 90,
             f"title_en in the index\n{stack.logs()}")
    doc = document(relevant.article_id)
    assert doc["title_en"] == f"EN[{relevant.title}]" and doc["snippet_en"].startswith("EN[")
    wait_for(lambda: bool(document(other.article_id)), 30, "the other article indexed")
    assert "title_en" not in document(other.article_id)  # no label: not sent to translate

    wait_for(lambda: len(file_lines(stack)) >= 1, 60, f"the file alert\n{stack.logs()}")
    line = json.loads(file_lines(stack)[0])
    assert line["title_en"] == f"EN[{relevant.title}]" and line["snippet_en"].startswith("EN[")
    records = [r for r in ledger(stack) if r.get("article_id") == relevant.article_id]
    assert records and all(r["title_en"] == line["title_en"] for r in records)
    wait_for(lambda: any("English: EN[" in json.dumps(p, ensure_ascii=False)
                         for p in stack.slack.posts), 60, "the Slack alert in English")

    for path in ("/feeds/all.atom", "/feeds/rules/cgt.atom"):
        status, body = http_get(feeds, path)
        entries = feedparser.parse(body).entries
        assert status == 200 and [e.title for e in entries] == [
            f"{relevant.title} (EN[{relevant.title}])"], path
    assert LibreTranslate.refused == []
    assert all(r["source"] == "zh" for r in LibreTranslate.requests)
