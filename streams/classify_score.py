"""Evidence → score and salience for one label.

Input: the surviving term hits of one label (title and text), the text length in word-like
units and the taxonomy's ``SalienceConfig``. Output: ``Features`` (title strength, evidence,
density) and from them a 0–1 score and a salience. Pure functions, no I/O.

Evidence rewards distinct terms more than repetition (weight × (1 + ln count) per term), gives
the lead paragraph a bonus, and density relates evidence to length so that a long article
that names a therapy a few times is not "about" it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from config.contracts.articles import SALIENCE_ORDER
from config.taxonomy import SalienceConfig

SALIENCES = ("none", "passing", "secondary", "primary")


class Hit(NamedTuple):
    """One term occurrence that counts for a label (a tuple: built hundreds of times)."""

    term: str
    weight: float
    kind: str
    field: str
    start: int
    end: int


@dataclass(frozen=True)
class Features:
    title: float
    evidence: float
    density: float
    coverage: float
    lead: bool
    any_hit: bool
    has_text: bool

    def strength(self, cfg: SalienceConfig) -> float:
        """Title and text evidence on one scale (used to rank labels and for the score)."""
        return self.title * cfg.title_factor + self.evidence


_NO_HITS = {has_text: Features(title=0.0, evidence=0.0, density=0.0, coverage=0.0, lead=False,
                               any_hit=False, has_text=has_text) for has_text in (False, True)}


def _title_strength(hits: list[Hit]) -> float:
    return max((h.weight for h in hits if h.field == "title" and h.kind in ("core", "support")),
               default=0.0)


def _coverage(hits: list[Hit], text_len: int, segments: int) -> float:
    """Share of equal text segments that contain a hit (how much of the article is on it)."""
    if text_len <= 0:
        return 0.0
    size = text_len / segments
    touched = {min(int(h.start / size), segments - 1) for h in hits if h.field == "text"}
    return len(touched) / segments


def _counted(hits: list[Hit]) -> list[Hit]:
    """Hits that add evidence: not weak; ``context`` hits only beside a specific hit."""
    specific = any(h.kind in ("core", "support") for h in hits)
    return [h for h in hits if h.kind != "weak" and (specific or h.kind != "context")]


def _text_evidence(hits: list[Hit], lead_end: int, cfg: SalienceConfig) -> float:
    per_term: dict[str, tuple[float, int]] = {}
    lead = 0.0
    for hit in hits:
        if hit.field != "text":
            continue
        weight, count = per_term.get(hit.term, (0.0, 0))
        per_term[hit.term] = (max(weight, hit.weight), count + 1)
        if hit.start < lead_end:
            lead = max(lead, hit.weight)
    total = sum(w * (1.0 + math.log(n)) for w, n in per_term.values())
    return total + (cfg.lead_factor - 1.0) * lead


def features(hits: list[Hit], units: float, text_len: int, cfg: SalienceConfig) -> Features:
    """Summarise a label's hits (``text_len`` in characters, ``units`` in words; the lead is
    the first ``lead_share`` of the text, at least ``lead_chars`` characters)."""
    if not hits:
        return _NO_HITS[text_len > 0]
    counted = _counted(hits)
    lead_end = max(cfg.lead_chars, int(cfg.lead_share * text_len))
    evidence = _text_evidence(counted, lead_end, cfg)
    segments = max(3, min(cfg.max_segments, round(units / cfg.segment_units)))
    return Features(title=_title_strength(counted), evidence=evidence,
                    density=evidence / max(units / 100.0, 1.0),
                    coverage=_coverage(counted, text_len, segments),
                    lead=any(h.field == "text" and h.start < lead_end for h in counted),
                    any_hit=any(h.kind != "context" for h in hits) or bool(counted),
                    has_text=text_len > 0)


def _title_led(f: Features, cfg: SalienceConfig) -> bool:
    """The title names the topic and the text confirms it."""
    if f.title >= cfg.primary_title:
        return f.evidence >= cfg.primary_title_text or not f.has_text
    return f.title >= cfg.primary_support_title and f.evidence >= cfg.primary_support_title_text


def _body_led(f: Features, cfg: SalienceConfig) -> bool:
    """Strong evidence spread over the article; the lead names the topic, or the topic runs
    through so much of the text that an anecdotal opening does not matter."""
    if f.evidence < cfg.primary_evidence:
        return False
    return f.coverage >= (cfg.primary_coverage if f.lead else cfg.primary_coverage_without_lead)


def salience(f: Features, cfg: SalienceConfig) -> str:
    """Map features to ``primary|secondary|passing|none``."""
    if not f.any_hit:
        return "none"
    if _title_led(f, cfg) or _body_led(f, cfg):
        return "primary"
    if f.evidence >= cfg.secondary_evidence or f.title > 0.0:
        return "secondary"
    return "passing"


def score(f: Features, cfg: SalienceConfig) -> float:
    """Monotone 0–1 confidence from title and text evidence and density."""
    raw = f.strength(cfg) + min(f.density, 3.0)
    return round(1.0 - math.exp(-raw / cfg.score_scale), 4) if f.any_hit else 0.0


def cap(current: str, maximum: str) -> str:
    """The lower of two saliences."""
    return current if SALIENCE_ORDER[current] <= SALIENCE_ORDER[maximum] else maximum


def resolve_co_primary(sal: dict[str, str], strength: dict[str, float],
                       cfg: SalienceConfig) -> dict[str, str]:
    """When several labels are primary, keep only comparable ones primary."""
    primaries = [label for label, s in sal.items() if s == "primary"]
    if len(primaries) < 2:
        return sal
    top = max(strength[label] for label in primaries)
    out = dict(sal)
    for label in primaries:
        if strength[label] < cfg.co_primary_ratio * top:
            out[label] = "secondary"
    return out
