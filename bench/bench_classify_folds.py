"""Classifier accuracy per source of the labelled set: how it holds beyond one kind of page.

Input: ``shared/datasets/classification/dev.jsonl`` (beside the checkout, or under
``CGTWATCH_SHARED_DIR``) and the shipped ``config/``. Output: a table of precision, recall
and F1 per label, salience accuracy and passing mentions reported (passing or stronger) for
the whole set and for each fold: items grouped by where they come from (national news-
broadcast transcripts, other Chinese pages, an English health-news dataset, other English
pages). The classifier has no trained parameters, so a fold is not held out from fitting; it
shows whether the figures depend on one kind of source. Without the data set it says so and
exits 0. Run with ``python bench/bench_classify_folds.py [--json]``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.summary import print_summary, split_json_flag  # noqa: E402
from streams.classify import default_classifier  # noqa: E402
from streams.evaluate import evaluate  # noqa: E402

SHARED = Path(os.environ.get("CGTWATCH_SHARED_DIR") or ROOT.parent / "shared")
CORPUS = SHARED / "datasets" / "classification" / "dev.jsonl"


def fold(record: dict[str, Any]) -> str:
    """The kind of source an item comes from (a repository of transcripts or stories, or
    web pages), with its language."""
    source = record.get("source") or {}
    repo = str(source.get("repo", "")) if isinstance(source, dict) else ""
    kind = repo.rsplit("/", 1)[-1].lower() if repo else "pages"
    return f"{record.get('lang', '?')}:{kind}"


def figures(gold: list[dict[str, Any]], preds: list[Any]) -> dict[str, Any]:
    report = evaluate(gold, preds)
    out: dict[str, Any] = {"items": len(gold)}
    for label, prf in report.per_label.items():
        out[label] = {"precision": round(prf.precision, 3), "recall": round(prf.recall, 3),
                      "f1": round(prf.f1, 3), "positives": prf.tp + prf.fn,
                      "salience_accuracy": round(report.salience_accuracy[label], 3)}
    out["passing"] = f"{report.passing_found}/{report.passing_total}"
    return out


def main() -> None:
    _, as_json = split_json_flag(sys.argv[1:])
    if not CORPUS.is_file():
        print(f"labelled set not found at {CORPUS}; nothing measured")
        print_summary({"skipped": str(CORPUS)}, as_json)
        return
    gold = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    clf = default_classifier(ROOT / "config")
    preds = [clf.classify(g["title"], g["text"], g.get("lang")) for g in gold]
    rows = {"all": figures(gold, preds)}
    for name in sorted({fold(g) for g in gold}):
        picked = [(g, p) for g, p in zip(gold, preds, strict=True) if fold(g) == name]
        rows[name] = figures([g for g, _ in picked], [p for _, p in picked])
    labels = [k for k in rows["all"] if isinstance(rows["all"][k], dict)]
    print(f"{'fold':<16}{'items':>6}" + "".join(f"{lab[:12] + ' F1/P/R (pos)':>30}{'sal':>7}"
                                               for lab in labels) + f"{'passing':>9}")
    for name, row in rows.items():
        cells = "".join(
            f"{row[lab]['f1']:>12.3f}/{row[lab]['precision']:.3f}/{row[lab]['recall']:.3f}"
            f" ({row[lab]['positives']:>2}){row[lab]['salience_accuracy']:>7.3f}"
            for lab in labels)
        print(f"{name:<16}{row['items']:>6}{cells}{row['passing']:>9}")
    print_summary({"folds": rows}, as_json)


if __name__ == "__main__":
    main()
