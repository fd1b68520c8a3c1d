"""Benchmark of crawlers.extract.article.extract_article on the shared extraction benchmarks.

Input: the datasets under ``<shared>/benchmarks`` (``--shared`` or ``CGTWATCH_SHARED_DIR``,
default: ``shared`` beside the checkout).  Output: a table of dataset, pages, pages/s, body
F1, title accuracy and date accuracy, computed by running the project scorer
(``tools/extraction_eval.py``) in a subprocess, plus the machine's load average before and
after the run (pages/s is wall time, so it drops on a busy machine).

    python bench/bench_extraction.py [--shared DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ("zh-news", "article-extraction")


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("CGTWATCH_SHARED_DIR") or str(ROOT.parent / "shared")
    parser.add_argument("--shared", type=Path, default=Path(default))
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    records = run(args.shared, args.limit)
    print(f"load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"{'dataset':<22}{'pages':>6}{'pages/s':>9}{'body F1':>9}{'title':>8}{'date':>8}")
    for rec in records:
        def num(key: str, rec: dict[str, object] = rec) -> float | None:
            value = rec.get(key)
            return float(value) if isinstance(value, int | float) else None
        print(f"{rec['dataset']!s:<22}{rec['pages']!s:>6}{_fmt(num('pages_per_s'), 1):>9}"
              f"{_fmt(num('f1')):>9}{_fmt(num('title_acc')):>8}{_fmt(num('date_acc')):>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
