"""The bundled demo site: every article in its manifest is discoverable from the list pages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import yaml

from crawlers.links.discover import find_article_links, find_next_pages

SITE = Path(__file__).resolve().parents[4] / "cgtwatch" / "demo" / "site"
ROOT = "http://127.0.0.1:8765/"
MANIFEST: dict[str, Any] = yaml.safe_load((SITE / "manifest.yaml").read_text(encoding="utf-8"))


def page_text(rel: str, encoding: str) -> str:
    return (SITE / rel).read_bytes().decode(encoding)


def crawl(source: dict[str, Any]) -> list[str]:
    found: list[str] = []
    queue = [urljoin(ROOT, source["list"])]
    while queue:
        url = queue.pop(0)
        html = page_text(url.removeprefix(ROOT), source["encoding"])
        links = find_article_links(html, url)
        assert all(link.title and link.date for link in links)
        found += [link.url.removeprefix(ROOT) for link in links]
        queue += find_next_pages(html, url, url)[:1]
    return found


@pytest.mark.parametrize("source", MANIFEST["sources"], ids=lambda s: str(s["id"]))
def test_every_article_is_listed(source: dict[str, Any]) -> None:
    expected = [a["path"] for a in MANIFEST["articles"] if a["source"] == source["id"]]
    assert sorted(crawl(source)) == sorted(expected)


def test_trs_column_is_gbk_on_disk() -> None:
    raw = (SITE / "dalian-fta" / "index.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert 'charset=gbk' in raw.decode("gbk")


@pytest.mark.parametrize("article", MANIFEST["articles"], ids=lambda a: str(a["path"]))
def test_article_pages_and_expectations(article: dict[str, Any]) -> None:
    source = next(s for s in MANIFEST["sources"] if s["id"] == article["source"])
    html = page_text(article["path"], source["encoding"])
    assert article["title"] in html
    body = re.sub(r"<[^>]+>", "", html.split("<body>", 1)[1])
    assert 300 <= len(body.strip()) <= 4000
    salience = article["expected_salience"]
    assert article["expected_labels"] == [
        label for label in ("cell_therapy", "gene_therapy")
        if salience[label] in ("primary", "secondary")]
    if source["language"] == "zh":
        assert f'<meta name="ArticleTitle" content="{article["title"]}">' in html or \
            source["id"] == "demo-dmu-news"


def test_manifest_mix() -> None:
    articles = MANIFEST["articles"]
    positives = [a for a in articles if a["expected_labels"]]
    assert 14 <= len(articles) <= 18
    assert 6 <= len(positives) < len(articles)
    assert (SITE / "robots.txt").read_text(encoding="utf-8").startswith("User-agent: *")
