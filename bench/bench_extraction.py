"""Benchmark of crawlers.extract.article.extract_article on the shared extraction benchmarks.

Input: the datasets under ``<shared>/benchmarks`` (``--shared`` or ``CGTWATCH_SHARED_DIR``,
default: ``shared`` beside the checkout).  Output: a table of dataset, pages, pages/s, body
F1, title accuracy and date accuracy, computed by running the project scorer
(``tools/extraction_eval.py``) in a subprocess, plus the machine's load average before and
after the run (pages/s is wall time, so it drops on a busy machine).

``--by-class`` scores in this process instead and prints body F1 / title / date per page
class (government, university, portal, forum, blog, news-en) and per dataset, with the
number of sites, and pages per second of CPU time (one core; robust to a busy machine).
``--save-pages FILE`` keeps the per-page records and ``--against FILE`` compares with such a
file from an earlier run: per figure the change, its leave-one-site-out minimum and how
many sites it helped or hurt (see ``bench/extraction_classes.py``); ``--write-baseline
FILE`` records the per-class figures for the quality floors of ``tests/quality``.
``--robustness`` scores perturbed copies of the pages (class names, headings, labels or
meta tags removed: ``bench/extraction_perturb.py``).  ``--json`` prints one JSON object as
the last line.

    python bench/bench_extraction.py [--shared DIR] [--limit N] [--by-class] [--robustness]
        [--extractor builtin:trafilatura] [--write-baseline FILE] [--save-pages FILE]
        [--against FILE] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATASETS = ("zh-news", "article-extraction")

from bench import extraction_classes as ec  # noqa: E402


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def run(shared: Path, limit: int) -> list[dict[str, object]]:
    """Run the scorer once over all datasets; return its aggregate records."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.json"
        cmd = [sys.executable, str(shared / "tools" / "extraction_eval.py"),
               "--extractor", "crawlers.extract.article:extract_article", "--path", str(ROOT),
               "--bootstrap", "0", "--json", str(out)]
        for name in DATASETS:
            cmd += ["--data", str(shared / "benchmarks" / name)]
        if limit:
            cmd += ["--limit", str(limit)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        records: list[dict[str, object]] = json.loads(out.read_text(encoding="utf-8"))
    return records


def speed_table(records: list[dict[str, object]]) -> dict[str, Any]:
    print(f"{'dataset':<22}{'pages':>6}{'pages/s':>9}{'body F1':>9}{'title':>8}{'date':>8}")
    for rec in records:
        def num(key: str, rec: dict[str, object] = rec) -> float | None:
            value = rec.get(key)
            return float(value) if isinstance(value, int | float) else None
        print(f"{rec['dataset']!s:<22}{rec['pages']!s:>6}{_fmt(num('pages_per_s'), 1):>9}"
              f"{_fmt(num('f1')):>9}{_fmt(num('title_acc')):>8}{_fmt(num('date_acc')):>8}")
    keys = ("pages", "pages_per_s", "f1", "title_acc", "date_acc")
    return {str(r["dataset"]): {k: r.get(k) for k in keys} for r in records}


def class_table(shared: Path, args: argparse.Namespace) -> dict[str, Any]:
    ev = ec.load_scorer(shared)
    _, extractor = ev.resolve_extractor(args.extractor)
    records: list[ec.Record] = []
    for name in DATASETS:
        records += ec.score_pages(ev, extractor, shared / "benchmarks" / name)
    if args.save_pages:
        Path(args.save_pages).write_text(json.dumps(records), encoding="utf-8")
    rows = ec.by_class(ev, records)
    if args.write_baseline:
        ec.write_baseline(Path(args.write_baseline), args.extractor, rows)
    print(f"{'dataset/class':<30}{'pages':>6}{'sites':>6}{'body F1 (n)':>14}"
          f"{'title (n)':>13}{'date (n)':>13}")
    for key, row in rows.items():
        print(f"{key:<30}{row['pages']:>6}{row['sites']:>6}"
              f"{_fmt(row['f1']):>9} ({row['body_pages']:>2}){_fmt(row['title']):>8} "
              f"({row['title_pages']:>2}){_fmt(row['date']):>8} ({row['date_pages']:>2})")
    speeds: dict[str, float] = {}
    for name in DATASETS:
        mine = [r for r in records if r["dataset"] == name][1:]  # the first call warms up
        speeds[name] = len(mine) / sum(r["cpu_seconds"] for r in mine)
        wall = len(mine) / sum(r["seconds"] for r in mine)
        print(f"{name}: {speeds[name]:.1f} pages/s per core (CPU time), {wall:.1f} wall")
    result: dict[str, Any] = {"classes": rows, "pages_per_cpu_s": speeds}
    if args.against:
        old = json.loads(Path(args.against).read_text(encoding="utf-8"))
        result["against"] = ec.loso(ev, records, old)
        print(f"{'change vs ' + str(args.against):<40}{'delta':>8}{'LOSO min':>10}"
              f"{'helped':>8}{'hurt':>6}")
        for key, row in result["against"].items():
            print(f"{key:<40}{row['delta']:>+8.3f}{row['loso_min']:>+10.3f}"
                  f"{row['sites_helped']:>8}{row['sites_hurt']:>6}")
    return result


def robustness_table(shared: Path, args: argparse.Namespace) -> dict[str, Any]:
    from bench.extraction_perturb import PERTURBATIONS, perturbed_scores

    ev = ec.load_scorer(shared)
    _, extractor = ev.resolve_extractor(args.extractor)
    print(f"{'perturbation':<14}{'dataset':<22}{'body F1':>9}{'title':>8}{'date':>8}")
    result: dict[str, Any] = {}
    for name in PERTURBATIONS:
        for dataset in DATASETS:
            row = perturbed_scores(ev, extractor, shared / "benchmarks" / dataset, name)
            result[f"{name}/{dataset}"] = row
            print(f"{name:<14}{dataset:<22}{_fmt(row['f1']):>9}{_fmt(row['title']):>8}"
                  f"{_fmt(row['date']):>8}")
    return {"robustness": result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    default = os.environ.get("CGTWATCH_SHARED_DIR") or str(ROOT.parent / "shared")
    parser.add_argument("--shared", type=Path, default=Path(default))
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--by-class", action="store_true", help="per page class, in-process")
    parser.add_argument("--robustness", action="store_true",
                        help="scores on perturbed pages (bench/extraction_perturb.py)")
    parser.add_argument("--extractor", default="crawlers.extract.article:extract_article",
                        help="module:function or builtin:NAME of the scorer (with --by-class)")
    parser.add_argument("--write-baseline", help="record the per-class figures of this "
                        "extractor in a baseline file (tests/quality/extraction_baseline.json)")
    parser.add_argument("--save-pages", help="write per-page records (with --by-class)")
    parser.add_argument("--against", help="per-page records of an earlier run to compare")
    parser.add_argument("--json", action="store_true", help="one JSON object as last line")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    if args.robustness:
        result = robustness_table(args.shared, args)
    elif args.by_class or args.against:
        result = class_table(args.shared, args)
    else:
        result = speed_table(run(args.shared, args.limit))
    print(f"load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
