"""Classification metrics over gold records and predictions (pure; used by ``cgtwatch eval``).

Input: gold records as dicts in the ``dev.jsonl`` shape (``id``, ``lang``, ``labels``,
``salience`` — absent label = ``none`` — and optionally ``uncertain``) and the classifier's
``Classification`` for each, in the same order. Output: ``EvalReport`` with precision/recall/F1
per label and per language (positive = primary or secondary), the salience confusion table and
accuracy per label, passing recall (gold passing mentions predicted passing or stronger), the
misclassified ids, and the same figures restricted to certain and to uncertain items.
``format_report`` renders it as plain text, ``report_dict`` as JSON-ready data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from config.contracts.articles import LABELS, SALIENCE_ORDER, Classification

SALIENCES = ("primary", "secondary", "passing", "none")


@dataclass(frozen=True)
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, gold: bool, pred: bool) -> PRF:
        return PRF(self.tp + (gold and pred), self.fp + (pred and not gold),
                   self.fn + (gold and not pred))


@dataclass(frozen=True)
class EvalReport:
    n: int
    per_label: dict[str, PRF]
    per_label_lang: dict[str, dict[str, PRF]]
    confusion: dict[str, dict[str, dict[str, int]]]
    salience_accuracy: dict[str, float]
    passing_found: int
    passing_total: int
    errors: list[str] = field(default_factory=list)
    subsets: dict[str, EvalReport] = field(default_factory=dict)

    @property
    def passing_recall(self) -> float:
        return self.passing_found / self.passing_total if self.passing_total else 1.0


def gold_salience(record: Mapping[str, Any], label: str) -> str:
    value = (record.get("salience") or {}).get(label, "none")
    return str(value)


def _pred_salience(pred: Classification, label: str) -> str:
    result = pred.results.get(label)
    return result.salience if result is not None else "none"


def _labels_of(pred: Sequence[Classification]) -> tuple[str, ...]:
    """The classifier's labels, in its order (the shipped ones when nothing was classified)."""
    seen: dict[str, None] = {}
    for result in pred:
        seen.update(dict.fromkeys(result.results))
    return tuple(seen) or LABELS


def _compute(gold: Sequence[Mapping[str, Any]], pred: Sequence[Classification],
             labels: tuple[str, ...]) -> EvalReport:
    per_label = {label: PRF() for label in labels}
    per_lang: dict[str, dict[str, PRF]] = {label: {} for label in labels}
    confusion = {label: {g: dict.fromkeys(SALIENCES, 0) for g in SALIENCES} for label in labels}
    correct = dict.fromkeys(labels, 0)
    passing = [0, 0]
    errors: list[str] = []
    for record, result in zip(gold, pred, strict=True):
        lang = str(record.get("lang") or "?")
        wrong = False
        for label in labels:
            g_sal, p_sal = gold_salience(record, label), _pred_salience(result, label)
            g_pos, p_pos = label in record.get("labels", []), label in result.labels
            per_label[label] = per_label[label].add(g_pos, p_pos)
            per_lang[label][lang] = per_lang[label].get(lang, PRF()).add(g_pos, p_pos)
            confusion[label][g_sal][p_sal] += 1
            correct[label] += g_sal == p_sal
            if g_sal == "passing":
                passing[1] += 1
                passing[0] += SALIENCE_ORDER[p_sal] >= SALIENCE_ORDER["passing"]
            wrong = wrong or g_pos != p_pos
        if wrong:
            errors.append(str(record.get("id", "?")))
    n = len(gold)
    return EvalReport(n=n, per_label=per_label, per_label_lang=per_lang, confusion=confusion,
                      salience_accuracy={k: v / n if n else 1.0 for k, v in correct.items()},
                      passing_found=passing[0], passing_total=passing[1], errors=errors)


def evaluate(gold: list[dict[str, Any]], pred: list[Classification]) -> EvalReport:
    """Metrics over all items and every label of the classifier, with ``certain`` and
    ``uncertain`` subsets when marked."""
    labels = _labels_of(pred)
    report = _compute(gold, pred, labels)
    subsets: dict[str, EvalReport] = {}
    flags = [bool(record.get("uncertain")) for record in gold]
    if any(flags):
        for name, want in (("certain", False), ("uncertain", True)):
            pairs = [(g, p) for g, p, f in zip(gold, pred, flags, strict=True) if f == want]
            subsets[name] = _compute([g for g, _ in pairs], [p for _, p in pairs], labels)
    return EvalReport(**{**report.__dict__, "subsets": subsets})


def _prf_line(name: str, prf: PRF) -> str:
    return (f"  {name:<22} P={prf.precision:.3f} R={prf.recall:.3f} F1={prf.f1:.3f}"
            f"  (tp={prf.tp} fp={prf.fp} fn={prf.fn})")


def _summary(report: EvalReport, title: str) -> list[str]:
    lines = [f"{title}: {report.n} items"]
    for label in report.per_label:
        lines.append(_prf_line(label, report.per_label[label]))
        for lang, prf in sorted(report.per_label_lang[label].items()):
            lines.append(_prf_line(f"  {label}[{lang}]", prf))
    for label in report.per_label:
        lines.append(f"  salience accuracy {label}: {report.salience_accuracy[label]:.3f}")
    lines.append(f"  passing recall: {report.passing_recall:.3f} "
                 f"({report.passing_found}/{report.passing_total})")
    return lines


def format_report(report: EvalReport) -> str:
    """Plain-text rendering: metrics, confusion tables, subsets and misclassified ids."""
    lines = _summary(report, "all")
    for label in report.per_label:
        lines.append(f"  salience confusion {label} (rows gold, columns predicted):")
        lines.append("    " + " " * 10 + "".join(f"{s:>10}" for s in SALIENCES))
        for g in SALIENCES:
            row = report.confusion[label][g]
            lines.append(f"    {g:<10}" + "".join(f"{row[p]:>10}" for p in SALIENCES))
    for name, sub in report.subsets.items():
        lines.extend(_summary(sub, name))
    lines.append("misclassified: " + (", ".join(report.errors) or "none"))
    for name, sub in report.subsets.items():
        lines.append(f"misclassified ({name}): " + (", ".join(sub.errors) or "none"))
    return "\n".join(lines)


def _prf_dict(prf: PRF) -> dict[str, float | int]:
    return {"precision": round(prf.precision, 4), "recall": round(prf.recall, 4),
            "f1": round(prf.f1, 4), "tp": prf.tp, "fp": prf.fp, "fn": prf.fn}


def report_dict(report: EvalReport) -> dict[str, Any]:
    """The report as plain data (for ``--json`` output and dashboards)."""
    return {
        "n": report.n,
        "per_label": {k: _prf_dict(v) for k, v in report.per_label.items()},
        "per_label_lang": {k: {lang: _prf_dict(p) for lang, p in v.items()}
                           for k, v in report.per_label_lang.items()},
        "salience_accuracy": {k: round(v, 4) for k, v in report.salience_accuracy.items()},
        "salience_confusion": report.confusion,
        "passing_recall": round(report.passing_recall, 4),
        "misclassified": report.errors,
        "subsets": {k: report_dict(v) for k, v in report.subsets.items()},
    }
