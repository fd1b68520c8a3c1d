"""``cgtwatch extract FILE_OR_URL``: what the article extractor finds on one page.

Input: a saved page (read offline, bytes as stored, any charset) or an http(s) URL (fetched
once with the crawler's User-Agent, timeout, redirect limit and maximum size).  Output: the
title, the publication date with its source and confidence (and every date candidate),
issuer, document number, author, attachments, language, which extractor gave the body and
the start of the text; ``--json`` prints one JSON object.  For operators checking a new
source before adding it to ``sources.yaml``.  Exit codes: 0 found a body, 1 found no body,
2 the file or URL could not be read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from cgtwatch.cli.util import console, fail, when, zone_note

if TYPE_CHECKING:  # imported where used: `cgtwatch --help` must not load the settings
    from config.settings import CrawlerSettings, Settings

TEXT_START = 300
EXIT_NO_BODY = 1


def fetch(url: str, crawler: CrawlerSettings) -> tuple[bytes, str]:
    """The page bytes and the final URL, fetched like the crawler fetches."""
    import httpx

    headers = {"User-Agent": crawler.user_agent}
    with httpx.Client(headers=headers, timeout=crawler.download_timeout, follow_redirects=True,
                      max_redirects=crawler.redirect_max_times) as client, \
            client.stream("GET", url) as response:
        response.raise_for_status()
        body = b""
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > crawler.download_maxsize:
                raise ValueError(f"larger than download_maxsize ({crawler.download_maxsize} "
                                 "bytes)")
        return body, str(response.url)


def _read(target: str, url: str | None, settings: Settings) -> tuple[bytes, str]:
    if target.startswith(("http://", "https://")):
        import httpx

        try:
            return fetch(target, settings.crawler)
        except (httpx.HTTPError, ValueError) as exc:
            fail(f"could not fetch {target}: {exc}")
    path = Path(target)
    if not path.is_file():
        fail(f"{target}: no such file (give a saved page or an http(s) URL)")
    return path.read_bytes(), url or ""


def report(result: dict[str, Any], url: str) -> dict[str, Any]:
    """The operator's view of one extraction (JSON-ready)."""
    text = str(result.get("text") or "")
    candidates = sorted(result.get("date_candidates") or [],
                        key=lambda c: -float(c.get("confidence") or 0))
    return {
        "url": url, "title": result.get("title"),
        "date": {"value": result.get("date"), "source": result.get("date_source"),
                 "confidence": result.get("date_confidence")},
        "date_candidates": candidates[:10], "issuer": result.get("issuer"),
        "doc_number": result.get("doc_number"), "author": result.get("author"),
        "attachments": result.get("attachments") or [], "language": result.get("language"),
        "encoding": result.get("encoding"), "body_source": result.get("body_source"),
        "text_chars": len(text), "text_start": text[:TEXT_START],
    }


def _show(found: dict[str, Any], settings: Settings) -> None:
    from config.timezones import has_offset

    date = found["date"]
    value = date["value"]
    shown = "-" if not value else (
        f"{value} = {when(value, settings)}" if has_offset(value)
        else f"{value} (no offset on the page: read in the source's timezone)")
    rows = [("title", found["title"] or "-"),
            ("date", f"{shown}  [{date['source'] or '-'}, confidence {date['confidence']}]"),
            ("all dates", ", ".join(f"{c['value']} [{c['source']}, {c['confidence']}]"
                                    for c in found["date_candidates"]) or "-"),
            ("issuer", found["issuer"] or "-"), ("doc number", found["doc_number"] or "-"),
            ("author", found["author"] or "-"),
            ("language", f"{found['language'] or '-'} ({found['encoding']})"),
            ("body", f"{found['text_chars']} characters from {found['body_source']}")]
    for name, value_text in rows:
        console.print(f"[bold]{name:>12}:[/] {escape(str(value_text))}")
    for item in found["attachments"]:
        console.print(f"[bold]{'attachment':>12}:[/] {escape(item['name'] or '-')} "
                      f"({item['kind']}) {escape(item['url'])}")
    console.print(f"[bold]{'text':>12}:[/] {escape(found['text_start'])}")
    console.print(zone_note(settings), style="dim")


def extract(
    target: Annotated[str, typer.Argument(help="a saved HTML file or an http(s) URL")],
    url: Annotated[str | None, typer.Option(help="the page's URL, for a saved file (dates "
                                            "and attachment links)")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
) -> None:
    """Show what the extractor finds on one page: title, date (source, confidence), issuer,
    document number, attachments and the start of the text. Exit 1 when no body is found."""
    from config.settings import Settings
    from crawlers.extract.article import extract_article

    settings = Settings()
    raw, page_url = _read(target, url, settings)
    found = report(extract_article(raw, page_url), page_url)
    if json_out:
        print(json.dumps(found, ensure_ascii=False))
    else:
        _show(found, settings)
    if not found["text_chars"]:
        raise typer.Exit(EXIT_NO_BODY)


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)
