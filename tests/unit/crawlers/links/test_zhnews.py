"""List pages of the shared zh-news benchmark: item counts against ``list_expected_items``.

Skipped when the shared directory (``$CGTWATCH_SHARED_DIR``, else ``<repo>/shared`` or
``<repo>/../shared``) is absent.
The expected counts come from GerapyAutoExtractor's own unit tests, not from people; two of
them count differently from a crawler (see the ``xfail`` reasons).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from charset_normalizer import from_bytes

from crawlers.links.discover import find_article_links


def _shared_dir() -> Path:
    env = os.environ.get("CGTWATCH_SHARED_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    candidates = [here.parents[4] / "shared", here.parents[5] / "shared"]
    return next((c for c in candidates if c.is_dir()), candidates[0])


ZH_NEWS = _shared_dir() / "benchmarks" / "zh-news"
KNOWN = {
    "gerapy_list_netease_leaderboard_news":
        "700 counts table rows; the same article appears in several ranking tabs and we "
        "return 467 distinct URLs",
    "gerapy_list_netease_international_news":
        "expected 7 is the 要闻 box Gerapy picked; we return the 140-item news feed, "
        "which is the larger repeated list",
}


def _records() -> list[dict[str, Any]]:
    path = ZH_NEWS / "ground-truth.json"
    if not path.is_file():
        return []
    data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return [r for r in data.values() if r.get("list_expected_items")]


def _cases() -> list[Any]:
    cases = []
    for record in _records():
        key = Path(record["file"]).stem
        marks = [pytest.mark.xfail(reason=KNOWN[key], strict=True)] if key in KNOWN else []
        cases.append(pytest.param(record, id=key, marks=marks))
    return cases or [pytest.param(None, id="shared-dir-absent")]


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("gb18030", "replace")


@pytest.mark.parametrize("record", _cases())
def test_list_item_count(record: dict[str, Any] | None) -> None:
    if record is None:
        pytest.skip(f"shared benchmark not found at {ZH_NEWS}")
    html = decode((ZH_NEWS / record["file"]).read_bytes())
    base = record.get("url") or f"http://{record['site']}/"
    links = find_article_links(html, base)
    expected = int(record["list_expected_items"])
    assert abs(len(links) - expected) <= max(1, expected // 10), (len(links), expected)
    assert all(link.title for link in links)
