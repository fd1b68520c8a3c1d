"""Commands about classification: ``classify`` a JSONL file and ``eval`` on labelled data.

Input: JSON Lines files — ``classify`` reads ``{id, title, text, lang?}`` per line, ``eval``
reads labelled records in the ``dev.jsonl`` shape (``labels``, ``salience``, ``uncertain``).
The classifier is built from the taxonomy and gazetteers beside ``CGTWATCH_PATHS__TAXONOMY``.
Output: ``classify`` writes one line per article ``{id, labels, scores, salience, evidence,
tags, entities}`` and reports progress and bad lines (by line number) on stderr; ``eval``
prints precision/recall/F1 per label and language, the salience confusion tables, passing
recall and the uncertain items separately (``streams.evaluate``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from cgtwatch.cli.util import console, err, fail

if TYPE_CHECKING:  # imported where used: `cgtwatch --help` must not load the classifier
    from config.contracts.articles import Classification
    from streams.classify import Classifier

PROGRESS_EVERY = 1000

InputOpt = Annotated[Path, typer.Option("--input", "-i", help="JSON Lines input file")]


def numbered_lines(handle: TextIO) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their 1-based line numbers."""
    for number, line in enumerate(handle, start=1):
        if line.strip():
            yield number, line


def record(ident: str | int, result: Classification) -> dict[str, Any]:
    """The output line of one classified article."""
    return {
        "id": ident,
        "labels": result.labels,
        "scores": {k: r.score for k, r in result.results.items()},
        "salience": {k: r.salience for k, r in result.results.items()},
        "evidence": {k: [{"term": e.term, "snippet": e.snippet, "field": e.field}
                         for e in r.evidence] for k, r in result.results.items()},
        "tags": result.tags,
        "entities": {"institutions": [_entity(e) for e in result.institutions],
                     "regions": [_entity(e) for e in result.regions]},
    }


def _entity(entity: Any) -> dict[str, str]:
    return {"id": entity.id, "name_en": entity.name_en or entity.name, "name": entity.name,
            "kind": entity.kind}


def _classifier() -> Classifier:
    from config.settings import Settings
    from config.yamlfile import OperatorFileError
    from streams.classify import default_classifier

    try:
        return default_classifier(Settings().paths.taxonomy.parent)
    except OperatorFileError as exc:
        fail(str(exc))


def _open(path: Path) -> TextIO:
    try:
        return path.open(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")


def _create(path: Path) -> AbstractContextManager[TextIO]:
    """The output file, or stdout for ``-``; a folder that does not exist is one line."""
    if str(path) == "-":
        import sys
        from contextlib import nullcontext

        return nullcontext(sys.stdout)
    if not path.parent.is_dir():
        fail(f"cannot write {path}: the folder {path.parent} does not exist (create it first)")
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")


def classify(
    input_path: InputOpt,
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="JSON Lines output file; - writes to stdout")],
) -> None:
    """Classify articles from a JSON Lines file ({id, title, text, lang?} per line)."""
    from cgtwatch.cli.jsonl import BadLineError, parse_line

    clf = _classifier()
    done = bad = 0
    start = time.perf_counter()
    with _open(input_path) as src, _create(output) as dst:
        for number, line in numbered_lines(src):
            try:
                item = parse_line(input_path, number, line)
            except BadLineError as exc:
                err.print(f"[bold red]error:[/] {exc} (skipped)", markup=True, highlight=False)
                bad += 1
                continue
            result = clf.classify(item.title, item.text, item.lang)
            dst.write(json.dumps(record(item.id, result), ensure_ascii=False) + "\n")
            done += 1
            if done % PROGRESS_EVERY == 0:
                err.print(f"classified {done} articles …", highlight=False)
    elapsed = max(time.perf_counter() - start, 1e-9)
    target = "stdout" if str(output) == "-" else output
    err.print(f"classified {done} articles in {elapsed:.1f} s ({done / elapsed:.0f}/s) → "
              f"{target}" + (f"; {bad} bad line(s) skipped" if bad else ""), highlight=False)
    if bad:
        raise typer.Exit(1)


def load_labelled(path: Path, known: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Labelled records; a bad line is an error naming it (nothing is evaluated then).
    ``known``: the labels a record may carry (default: the shipped taxonomy's)."""
    from cgtwatch.cli.jsonl import BadLineError, parse_line
    from config.contracts.articles import LABELS

    known = LABELS if known is None else known
    records: list[dict[str, Any]] = []
    with _open(path) as handle:
        for number, line in numbered_lines(handle):
            item = parse_line(path, number, line)
            data = json.loads(line)
            if "labels" not in data:
                raise BadLineError(path, number, "no \"labels\" field: eval needs labelled "
                                   "records ({id, title, text, labels: [...]}); use "
                                   "`cgtwatch classify` for unlabelled articles")
            labels = data["labels"]
            if not isinstance(labels, list) or not set(labels) <= set(known):
                raise BadLineError(path, number, f"labels must be a subset of {list(known)}")
            records.append({**data, "id": item.id, "title": item.title, "text": item.text})
    return records


def evaluate_command(
    input_path: InputOpt,
    json_out: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False,
) -> None:
    """Measure the classifier on labelled JSONL (dev.jsonl shape): P/R/F1 per label and
    language, salience confusion, passing recall; uncertain items reported separately."""
    from cgtwatch.cli.jsonl import BadLineError
    from streams.evaluate import evaluate, format_report, report_dict

    clf = _classifier()
    try:
        gold = load_labelled(input_path, clf.labels)
    except BadLineError as exc:
        fail(str(exc))
    if not gold:
        fail(f"{input_path} has no labelled records")
    predicted = [clf.classify(g["title"], g["text"], g.get("lang")) for g in gold]
    report = evaluate(gold, predicted)
    if json_out:
        typer.echo(json.dumps(report_dict(report), ensure_ascii=False))
        return
    console.print(format_report(report), markup=False, highlight=False)
    console.print(misclassified_table(gold, predicted, set(report.errors)))


def misclassified_table(gold: list[dict[str, Any]], predicted: list[Classification],
                        wrong: set[str]) -> Any:
    """Each misclassified item with its title, gold and predicted labels (not its id alone)."""
    from rich.table import Table

    table = Table("id", "gold", "predicted", "title", title="misclassified items",
                  title_justify="left")
    for column in table.columns:
        column.overflow = "fold"
    for item, result in zip(gold, predicted, strict=True):
        if str(item.get("id")) in wrong:
            table.add_row(str(item["id"]), ", ".join(item.get("labels") or []) or "none",
                          ", ".join(result.labels) or "none", str(item.get("title") or ""))
    return table


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main application."""
    app.command("classify")(classify)
    app.command("eval")(evaluate_command)
