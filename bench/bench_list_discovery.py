"""List-page discovery without selectors: recall and precision over list pages.

Input: the wild-style list pages in ``tests/fixtures/lists/wild`` (expected article URLs and
next pages in ``expected.json``) and, when present, the list pages of the shared zh-news
benchmark (``$CGTWATCH_SHARED_DIR``, else ``<repo>/../shared``), which carry an expected item
count only. Output: a table per page (found, expected, recall, precision; count agreement for
zh-news) and totals; with ``--json`` one JSON object as the last line. Pure functions only:
no network, no servers. Run with ``python bench/bench_list_discovery.py [--json]``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from charset_normalizer import from_bytes  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from crawlers.links.discover import find_article_links, find_next_pages  # noqa: E402

WILD = ROOT / "tests" / "fixtures" / "lists" / "wild"


def _shared() -> Path:
    env = os.environ.get("CGTWATCH_SHARED_DIR")
    return Path(env) if env else ROOT.parent / "shared"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("gb18030", "replace")


def wild_rows() -> list[dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = json.loads((WILD / "expected.json").read_text("utf-8"))
    rows = []
    for name, case in cases.items():
        html = (WILD / name).read_text("utf-8")
        found = {link.url for link in find_article_links(html, case["base_url"])}
        expected = set(case["urls"])
        hits = len(found & expected)
        pages = find_next_pages(html, case["base_url"], case["base_url"])
        rows.append({"page": name, "found": len(found), "expected": len(expected), "hits": hits,
                     "next_ok": pages[:1] == case["next_pages"][:1]})
    return rows


def zhnews_rows() -> list[dict[str, Any]]:
    base = _shared() / "benchmarks" / "zh-news"
    truth = base / "ground-truth.json"
    if not truth.is_file():
        return []
    rows = []
    for record in json.loads(truth.read_text("utf-8")).values():
        if not record.get("list_expected_items"):
            continue
        html = _decode((base / record["file"]).read_bytes())
        url = record.get("url") or f"http://{record['site']}/"
        rows.append({"page": Path(record["file"]).stem, "found": len(find_article_links(html, url)),
                     "expected": int(record["list_expected_items"])})
    return rows


def main() -> None:
    wild, zh = wild_rows(), zhnews_rows()
    table = Table(title="list discovery without selectors")
    for col in ("page", "found", "expected", "recall", "precision", "next page"):
        table.add_column(col)
    for row in wild:
        recall = row["hits"] / row["expected"] if row["expected"] else 1.0
        precision = row["hits"] / row["found"] if row["found"] else 0.0
        table.add_row(row["page"], str(row["found"]), str(row["expected"]), f"{recall:.3f}",
                      f"{precision:.3f}", "ok" if row["next_ok"] else "MISSED")
    for row in zh:
        table.add_row(row["page"], str(row["found"]), str(row["expected"]), "count", "only", "")
    hits = sum(r["hits"] for r in wild)
    summary = {
        "wild_recall": round(hits / max(1, sum(r["expected"] for r in wild)), 3),
        "wild_precision": round(hits / max(1, sum(r["found"] for r in wild)), 3),
        "wild_perfect": sum(r["hits"] == r["expected"] == r["found"] for r in wild),
        "wild_pages": len(wild),
        "wild_next_pages_ok": sum(r["next_ok"] for r in wild),
        "zhnews_within_10pct": sum(abs(r["found"] - r["expected"]) <= max(1, r["expected"] // 10)
                                   for r in zh),
        "zhnews_pages": len(zh),
    }
    Console().print(table)
    Console().print(summary)
    if "--json" in sys.argv[1:]:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
