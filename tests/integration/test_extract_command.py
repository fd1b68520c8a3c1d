"""``cgtwatch extract URL``: the page is fetched once from a local HTTP server with the
crawler's settings (User-Agent) and extracted; an unreachable URL is a one-line error."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from cgtwatch.cli.app import app
from tests.unit.cgtwatch.cli.test_extract import PAGE

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture
def site() -> Iterator[tuple[str, list[str]]]:
    agents: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            agents.append(self.headers.get("User-Agent", ""))
            body = PAGE.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/a/1.html", agents
    finally:
        server.shutdown()
        server.server_close()


def test_url_is_fetched_with_the_crawler_user_agent(site: tuple[str, list[str]],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    url, agents = site
    monkeypatch.setenv("CGTWATCH_CRAWLER__USER_AGENT", "cgtwatch-test/1")
    result = runner.invoke(app, ["extract", url, "--json"])
    assert result.exit_code == 0, result.output
    assert agents == ["cgtwatch-test/1"]
    found = json.loads(result.stdout)
    assert found["url"] == url and found["attachments"][0]["url"].startswith("http://127.0.0.1")
    bad = runner.invoke(app, ["extract", "http://127.0.0.1:9/none"])
    assert bad.exit_code == 2 and "could not fetch" in bad.output
