"""Robustness of an extractor to the ways unseen sites differ from the benchmark pages.

Input: the shared benchmarks, the project scorer and an extractor.  Output: body F1, title
and date accuracy per dataset on perturbed copies of every page:

- ``no-class``: every ``class`` and ``id`` attribute removed (containers without the usual
  class names);
- ``no-heading``: ``<h1>``–``<h6>`` turned into ``<div>`` and title/Open Graph meta tags
  removed (the title only in ``<title>``, as on many forums);
- ``label``: ``[原创]`` before the ``<title>`` text and ``<span>原创</span>`` at the start of
  the first ``<h1>`` (status-labelled headlines);
- ``no-meta``: all meta tags, JSON-LD and the URL removed (dates only in the page text);
- ``all``: the four at once (no class names, no headings, a label, no meta tags or URL).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

_ATTR = re.compile(r"""\s(?:class|id)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_HEADING = re.compile(r"<(/?)h[1-6]\b[^>]*>", re.I)
_TITLE_META = re.compile(r"<meta\b[^>]*(?:title|og:)[^>]*>", re.I)
_META = re.compile(r"<meta\b[^>]*>", re.I)
_JSONLD = re.compile(r"<script[^>]*ld\+json[^>]*>.*?</script>", re.I | re.S)


def _label(html: str) -> str:
    html = re.sub(r"(<h1\b[^>]*>)", r"\1<span>原创</span>", html, count=1, flags=re.I)
    return re.sub(r"(<title\b[^>]*>)", r"\1[原创]", html, count=1, flags=re.I)


PERTURBATIONS: dict[str, tuple[Callable[[str], str], bool]] = {
    # name: (page rewrite, keep the URL)
    "no-class": (lambda h: _ATTR.sub("", h), True),
    "no-heading": (lambda h: _TITLE_META.sub("", _HEADING.sub(r"<\1div>", h)), True),
    "label": (_label, True),
    "no-meta": (lambda h: _JSONLD.sub("", _META.sub("", h)), False),
    "all": (lambda h: _JSONLD.sub("", _META.sub("", _label(_HEADING.sub(
        r"<\1div>", _ATTR.sub("", h))))), False),
}


def perturbed_scores(ev: ModuleType, fn: Callable[..., dict[str, Any]], data: Path,
                     name: str) -> dict[str, Any]:
    """Body F1 (scorer's definition), title and date accuracy on one perturbation."""
    rewrite, keep_url = PERTURBATIONS[name]
    _, pages = ev.load_dataset(data)
    triples, titles, dates = [], [], []
    for page in pages:
        out = fn(rewrite(ev.decode_html(page.raw)), page.url if keep_url else "") or {}
        gt = page.gt
        if gt.get("articleBody") is not None:
            mode = "cjk" if ev.lang_primary(gt.get("lang")) in ("zh", "ja") else "words"
            triples.append(ev.tp_fp_fn(gt["articleBody"], out.get("text") or "", mode))
        if gt.get("title"):
            titles.append(ev.norm_title(gt["title"]) == ev.norm_title(out.get("title")))
        matched = ev.date_match(gt.get("date"), out.get("date"))
        if matched is not None:
            dates.append(matched)
    return {"f1": ev.prf(triples)["f1"] if triples else None,
            "title": statistics.mean(titles) if titles else None,
            "date": statistics.mean(dates) if dates else None}
