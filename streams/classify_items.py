"""Document structure for salience: bulletin briefs and lists of fields.

Input: an article's normalised text, one label's hits and the taxonomy's ``BulletinConfig``
/ ``ListConfig``. Output: ``briefs`` — the (headline, body) spans of a multi-item bulletin,
or ``[]`` for an ordinary article; ``brief_hits`` — a label's hits regrouped per brief, with
the headline as the brief's title; ``only_listed`` — whether every text hit of a label sits
in an enumeration of other fields ("生物育种、合成生物、细胞治疗、高端医疗器械");
``stated_alone`` — whether a core hit sits in a clause that enumerates nothing. Pure.
"""

from __future__ import annotations

import functools
import re

from config.taxonomy_rules import BulletinConfig, ListConfig
from streams.classify_score import Hit

_SENTENCE_END = "。！？!?；;：:.…"
# A clause: no sentence end or colon, no Chinese comma (，, folded to "," without a space
# after it) and no "." before a space; an English list comma (", ") stays inside.
_CLAUSE = re.compile(r"(?:[^。！？!?；;:\n,.]|,(?= )|\.(?!\s))+")

Brief = tuple[int, int, int]  # headline start, body start, brief end


def _lines(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + line.index(stripped[0])
            out.append((start, start + len(stripped)))
        pos += len(line) + 1
    return out


def briefs(text: str, cfg: BulletinConfig) -> list[Brief]:
    """The briefs of a bulletin: a short headline line (no sentence end) followed by a longer
    body; ``[]`` when the text is not a bulletin (see ``BulletinConfig``)."""
    lines = _lines(text)
    heads = [i for i, (s, e) in enumerate(lines[:-1])
             if cfg.headline_min_chars <= e - s <= _longest(text[s:e], cfg)
             and text[e - 1] not in _SENTENCE_END and lines[i + 1][1] - lines[i + 1][0] > e - s]
    if len(heads) < cfg.min_items or 2 * len(heads) < cfg.min_line_share * len(lines):
        return []
    out: list[Brief] = []
    for n, i in enumerate(heads):
        end = lines[heads[n + 1]][0] if n + 1 < len(heads) else len(text)
        out.append((lines[i][0], lines[i + 1][0], end))
    return out


def _longest(line: str, cfg: BulletinConfig) -> int:
    """The longest a headline may be: Latin-script headlines spend more characters."""
    return cfg.headline_max_chars_latin if line.isascii() else cfg.headline_max_chars


def brief_hits(hits: list[Hit], items: list[Brief]) -> list[tuple[list[Hit], int]]:
    """Text hits per brief, each brief read as an article: headline hits as ``title`` hits,
    body offsets relative to the body; with the body's length. Briefs without hits are left
    out."""
    out: list[tuple[list[Hit], int]] = []
    for head, body, end in items:
        group = [h._replace(field="title", start=h.start - head, end=h.end - head)
                 if h.start < body else
                 h._replace(start=h.start - body, end=h.end - body)
                 for h in hits if h.field == "text" and head <= h.start < end]
        if group:
            out.append((group, end - body))
    return out


def only_listed(text: str, hits: list[Hit], cfg: ListConfig) -> bool:
    """Every non-weak text hit lies in a clause that enumerates at least ``min_items``
    items, at most ``max_share`` of which name the label."""
    counted = [h for h in hits if h.field == "text" and h.kind in ("core", "support")]
    if not counted:
        return False
    for sentence in _CLAUSE.finditer(text):
        inside = [h for h in counted if sentence.start() <= h.start < sentence.end()]
        if inside and not _is_list(sentence.group(), sentence.start(), inside, cfg):
            return False
    return True


def stated_alone(text: str, hits: list[Hit], marks: tuple[str, ...]) -> bool:
    """Whether a core hit lies in a clause with none of the enumeration ``marks`` (、, 等,
    ", "): the therapy is what the clause is about, not one field named among others."""
    core = [h for h in hits if h.field == "text" and h.kind == "core"]
    for clause in _CLAUSE.finditer(text) if core else ():
        if any(clause.start() <= h.start < clause.end() for h in core) and not any(
                mark in clause.group() for mark in marks):
            return True
    return False


@functools.lru_cache(maxsize=8)
def _separators(separators: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(sep) for sep in separators))


def _is_list(sentence: str, offset: int, hits: list[Hit], cfg: ListConfig) -> bool:
    found = _separators(tuple(cfg.separators)).finditer(sentence)
    bounds = [0, *sorted({m.end() for m in found}), len(sentence)]
    items = len(bounds) - 1
    if items < cfg.min_items or any(bounds[i + 1] - bounds[i] > cfg.max_item_chars + 2
                                    for i in range(1, items - 1)):
        return False
    touched = {next(i for i in range(items) if h.start - offset < bounds[i + 1])
               for h in hits}
    return len(touched) <= cfg.max_share * items
