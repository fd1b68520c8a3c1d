"""Per-page-class and leave-one-site-out scoring of an article extractor.

Input: the shared benchmarks (``zh-news``, ``article-extraction``) and the project scorer
``tools/extraction_eval.py`` (loaded with importlib).  Output: per-page records (site, page
class, body TP/FP/FN shares, title and date hits) and aggregates by class.  Page classes
come from the dataset's ``category`` field (government, university, portal, forum, blog;
English news pages of article-extraction are ``news-en``), sites from ``site`` or the URL
host.  Leave-one-site-out (LOSO) for a comparison of two runs: the change of a figure is
recomputed with each site left out in turn; the smallest change is the LOSO change, so a
rule that only helps one site shows LOSO <= 0.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

Record = dict[str, Any]
CLASSES = ("government", "university", "portal", "forum", "blog", "news-en")
_CATEGORY_WORDS = (("government", ("government", "hospital")),
                   ("university", ("edu", "academic")),
                   ("forum", ("bbs", "forum")),
                   ("blog", ("blog",)))


def load_scorer(shared: Path) -> ModuleType:
    """The project scorer module."""
    path = shared / "tools" / "extraction_eval.py"
    spec = importlib.util.spec_from_file_location("extraction_eval", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"scorer not found: {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_class(gt: dict[str, Any]) -> str:
    """Page class of one ground-truth record."""
    category = str(gt.get("category") or "").lower()
    if not category:
        return "news-en"
    for name, words in _CATEGORY_WORDS:
        if any(w in category for w in words):
            return name
    return "portal"


def site_of(gt: dict[str, Any], url: str) -> str:
    """Site key: the dataset's ``site`` or the URL host (without ``www.``)."""
    site = str(gt.get("site") or "") or urlsplit(url).netloc or "unknown"
    site = site.split(" ")[0].lower()
    return site[4:] if site.startswith("www.") else site


def score_pages(ev: ModuleType, fn: Callable[..., dict[str, Any]], data: Path) -> list[Record]:
    """One record per article page: class, site, body triple, title/date hits, seconds."""
    name, pages = ev.load_dataset(data)
    records: list[Record] = []
    for page in pages:
        gt = page.gt
        raw = page.raw if getattr(fn, "wants_bytes", False) else ev.decode_html(page.raw)
        started, cpu = time.perf_counter(), time.process_time()
        out = fn(raw, page.url) or {}
        rec: Record = {"dataset": name, "id": page.pid, "class": page_class(gt),
                       "site": site_of(gt, page.url), "seconds": time.perf_counter() - started,
                       "cpu_seconds": time.process_time() - cpu}
        if gt.get("articleBody") is not None:
            mode = "cjk" if ev.lang_primary(gt.get("lang")) in ("zh", "ja") else "words"
            rec["body"] = list(ev.tp_fp_fn(gt["articleBody"], out.get("text") or "", mode))
        rec.update(title_pred=out.get("title"), date_pred=str(out.get("date")),
                   date_source=out.get("date_source"))
        if gt.get("title"):
            rec["title"] = ev.norm_title(gt["title"]) == ev.norm_title(out.get("title"))
        matched = ev.date_match(gt.get("date"), out.get("date"))
        if matched is not None:
            rec["date"] = matched
        records.append(rec)
    return records


def aggregate(ev: ModuleType, records: list[Record]) -> Record:
    """Body F1 (scorer's definition), title and date accuracy, page and site counts."""
    triples = [tuple(r["body"]) for r in records if "body" in r]
    titles = [r["title"] for r in records if "title" in r]
    dates = [r["date"] for r in records if "date" in r]
    return {"pages": len(records), "sites": len({r["site"] for r in records}),
            "body_pages": len(triples), "f1": ev.prf(triples)["f1"] if triples else None,
            "title_pages": len(titles), "title": statistics.mean(titles) if titles else None,
            "date_pages": len(dates), "date": statistics.mean(dates) if dates else None}


def by_class(ev: ModuleType, records: list[Record]) -> dict[str, Record]:
    """Aggregates per (dataset, class) group, plus one row per dataset."""
    groups: dict[str, list[Record]] = {}
    for rec in records:
        groups.setdefault(f"{rec['dataset']}/{rec['class']}", []).append(rec)
        groups.setdefault(f"{rec['dataset']}/all", []).append(rec)
    return {key: aggregate(ev, groups[key]) for key in sorted(groups)}


def loso(ev: ModuleType, new: list[Record], old: list[Record]) -> dict[str, Record]:
    """Per dataset (and page class) and figure: change new - old overall and its
    leave-one-site-out minimum."""
    before = {(r["dataset"], r["id"]): r for r in old}
    groups: dict[str, list[tuple[Record, Record]]] = {}
    for r in new:
        if (r["dataset"], r["id"]) in before:
            pair = (r, before[(r["dataset"], r["id"])])
            groups.setdefault(f"{r['dataset']}/all", []).append(pair)
            groups.setdefault(f"{r['dataset']}/{r['class']}", []).append(pair)
    out: dict[str, Record] = {}
    for group in sorted(groups):
        pairs = groups[group]
        sites = sorted({r["site"] for r, _ in pairs})
        for figure in ("f1", "title", "date"):
            def delta(kept: list[tuple[Record, Record]], fig: str = figure) -> float | None:
                a = aggregate(ev, [n for n, _ in kept])[fig]
                b = aggregate(ev, [o for _, o in kept])[fig]
                return None if a is None or b is None else a - b
            whole = delta(pairs)
            if whole is None:
                continue
            left = [x for s in sites if (x := delta([p for p in pairs if p[0]["site"] != s]))
                    is not None]
            per_site = [delta([p for p in pairs if p[0]["site"] == s]) or 0.0 for s in sites]
            out[f"{group}/{figure}"] = {
                "delta": whole, "loso_min": min(left) if left else whole,
                "sites_helped": sum(1 for x in per_site if x > 1e-9),
                "sites_hurt": sum(1 for x in per_site if x < -1e-9)}
    return out


def write_baseline(path: Path, extractor: str, rows: dict[str, Record]) -> None:
    """Record ``rows`` (rounded) under ``extractor`` in a JSON baseline file, keeping the
    other extractors' figures."""
    data: dict[str, Any] = json.loads(path.read_text("utf-8")) if path.is_file() else {}
    keys = ("pages", "sites", "f1", "body_pages", "title", "title_pages", "date", "date_pages")
    data[extractor] = {group: {k: round(v, 4) if isinstance(v, float) else v
                               for k, v in row.items() if k in keys}
                       for group, row in rows.items()}
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                    encoding="utf-8")
