"""Term hits per label, after masks, context rules and document caps.

Input: a ``LabelTaxonomy`` (compiled once into ``LabelRules``) and the normalised title and
text of an article plus its mask spans. Output: the label's surviving ``Hit`` list and the
maximum salience its document caps allow; ``ConventionRule`` then adjusts saliences between
labels (e.g. CAR-T is cell therapy first). Pure; compiled regexes are reused across calls.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from config.contracts.articles import SALIENCE_ORDER
from config.taxonomy import ContextRule, Convention, DocumentCap, LabelTaxonomy
from config.taxonomy_rules import HitSpec
from streams.classify_match import Lexicon, PhraseMatcher, Watch, near, overlaps
from streams.classify_pairs import PairFinder
from streams.classify_score import Hit
from streams.classify_text import normalize

Fields = dict[str, str]
Spans = dict[str, list[tuple[int, int]]]
IGNORED = "ignored"
# Where a clause ends (normalised text: full-width punctuation is folded to ASCII).
_CLAUSE_BREAK = re.compile(r"[,、;。!?:\n]|\.(?=\s)")


@dataclass
class LabelExtras:
    """What other rules add to a label: generated compound terms (phrase → weight, kind),
    phrases to ignore, and pair rules with the hit each gives."""

    compounds: dict[str, tuple[float, str]] = dataclasses.field(default_factory=dict)
    ignored: set[str] = dataclasses.field(default_factory=set)
    pairs: list[tuple[PairFinder, HitSpec]] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class _Term:
    weight: float
    kind: str


class _Context:
    def __init__(self, rule: ContextRule, lexicon: Lexicon | None) -> None:
        self.rule = rule
        self.terms = frozenset(normalize(t) for t in rule.terms)
        self.near = PhraseMatcher(rule.near, lexicon)

    def applies(self, term: str) -> bool:
        return not self.terms or term in self.terms


class _Cap:
    def __init__(self, rule: DocumentCap, lexicon: Lexicon | None) -> None:
        self.rule = rule
        self.when = PhraseMatcher(rule.when_any, lexicon)
        self.unless = PhraseMatcher(rule.unless_any, lexicon)

    def limit(self, fields: Fields, has_core: bool) -> str | None:
        if has_core and self.rule.unless_core:
            return None
        seen = sum(len(self.when.find(norm)) for norm in fields.values())
        if seen < self.rule.min_count:
            return None
        if any(self.unless.find(norm) for norm in fields.values()):
            return None
        return self.rule.max_salience


class _Scan(dict[_Context, list[tuple[int, int]]]):
    """One field's context-word spans per context (``scan[ctx]``) and clause breaks, found
    when first asked for (a dict: the lookup per hit and context stays in C)."""

    def __init__(self, norm: str) -> None:
        super().__init__()
        self.norm = norm
        self._breaks: list[int] | None = None

    def __missing__(self, ctx: _Context) -> list[tuple[int, int]]:
        found = self[ctx] = [(s, e) for _, s, e in ctx.near.find(self.norm)]
        return found

    def breaks(self) -> list[int]:
        if self._breaks is None:
            self._breaks = [m.start() for m in _CLAUSE_BREAK.finditer(self.norm)]
        return self._breaks


class LabelRules:
    """A label's terms (listed, generated compounds, ignored phrases), pair rules, context
    rules and caps, compiled."""

    def __init__(self, name: str, spec: LabelTaxonomy, lexicon: Lexicon | None = None,
                 extra: LabelExtras | None = None) -> None:
        self.name = name
        self.terms: dict[str, _Term] = {}
        extra = extra or LabelExtras()
        listed = [(t, g.weight, g.kind) for g in spec.term_groups for t in g.terms]
        generated = [(t, w, k) for t, (w, k) in extra.compounds.items()]
        self._add(listed)
        self._bridge_overlaps()
        self._add(generated)
        for term in extra.ignored:  # longer phrases that consume a term without counting
            self.terms[normalize(term)] = _Term(0.0, IGNORED)
        self.pairs = extra.pairs
        self._pair_contexts: dict[tuple[str, str], tuple[_Context, ...]] = {}
        self.matcher = PhraseMatcher(self.terms, lexicon)
        # a field where neither a term nor the first word of a pair occurs gives no hit
        self._watch = Watch([self.matcher, *(finder.first for finder, _ in self.pairs)])
        self.contexts = [_Context(rule, lexicon) for rule in spec.contexts]
        self.caps = [_Cap(rule, lexicon) for rule in spec.caps]
        self._contexts_of = {key: tuple(c for c in self.contexts if c.applies(key) or c.applies(
            self._joined_from.get(key, key))) for key in self.terms}

    def _add(self, terms: Sequence[tuple[str, float, str]]) -> None:
        for term, weight, kind in terms:
            key = normalize(term)
            old = self.terms.get(key)
            if old is None or weight > old.weight:
                self.terms[key] = _Term(weight, kind)

    def _bridge_overlaps(self) -> None:
        """A weaker term that ends where a core term begins (T细胞 + 细胞疗法, "immune cell" +
        "cell therapy") would hide the core term, as matches do not overlap; the joined phrase
        (T细胞疗法, "immune cell therapy") is a term of the core term's weight and kind, under
        the weaker term's contexts too."""
        self._joined_from: dict[str, str] = {}  # joined phrase → the weaker term (contexts)
        by_start: dict[str, list[str]] = {}  # a core term's beginnings → core terms
        for key, term in self.terms.items():
            if term.kind == "core":
                for k in range(2, len(key)):
                    by_start.setdefault(key[:k], []).append(key)
        for key, term in list(self.terms.items()):
            if term.kind == "core":
                continue
            for k in range(len(key) - 1, 1, -1):
                for core_key in by_start.get(key[-k:], ()):
                    joined = _joined(key, core_key)
                    if joined and joined not in self.terms:
                        self.terms[joined] = self.terms[core_key]
                        self._joined_from[joined] = key

    def hits(self, fields: Fields, masks: Spans) -> list[Hit]:
        """Surviving hits in title and text."""
        out: list[Hit] = []
        for field, norm in fields.items():
            if self._watch.silent(norm):
                continue
            scan = _Scan(norm)
            mask = masks[field]
            found: list[Hit] = []
            for key, start, end in self.matcher.find(norm):
                if mask and overlaps(start, end, mask):
                    continue
                term = self.terms[key]
                if term.kind == IGNORED:
                    continue
                kind = self._context_kind(self._contexts_of[key], term.kind, start, end,
                                          scan)
                if kind is not None:
                    found.append(Hit(key, term.weight, kind, field, start, end))
            out += found + self._pair_hits(field, norm, found, mask, scan)
        return out

    def _pair_hits(self, field: str, norm: str, found: list[Hit], mask: list[tuple[int, int]],
                   scan: _Scan) -> list[Hit]:
        """Hits of pair rules, except where one listed core term already spans the pair (a
        term that names only one of the two words leaves the pair its own evidence)."""
        out: list[Hit] = []
        ends = [h.end for h in found if h.kind == "core"]  # hits do not overlap: sorted
        starts = [h.start for h in found if h.kind == "core"]
        for finder, spec in self.pairs:
            for m in finder.find(norm):
                i = bisect.bisect_right(ends, m.start)  # first core hit ending after m starts
                if (i < len(starts) and starts[i] <= m.start and ends[i] >= m.end) or (
                        mask and overlaps(m.start, m.end, mask)):
                    continue
                rules = self._pair_contexts.get((m.first, m.second))
                if rules is None:
                    rules = self._pair_contexts[(m.first, m.second)] = tuple(
                        c for c in self.contexts if c.applies(m.first) or c.applies(m.second))
                kind = self._context_kind(rules, spec.kind, m.start, m.end, scan)
                if kind is not None:
                    out.append(Hit(finder.key, spec.weight, kind, field, m.start, m.end))
        return out

    def _context_kind(self, contexts: tuple[_Context, ...], kind: str, start: int, end: int,
                      scan: _Scan) -> str | None:
        for ctx in contexts:
            found = scan[ctx]
            if found and ctx.rule.same_clause:
                breaks = scan.breaks()
                found = [(s, e) for s, e in found if _same_clause(breaks, s, e, start, end)]
            if found and near(found, start, end, ctx.rule.window):
                if ctx.rule.action == "drop":
                    return None
                kind = "weak"
        return kind

    def max_salience(self, fields: Fields, hits: list[Hit]) -> str:
        """The strictest cap that applies, or ``primary`` when none does."""
        core = any(h.kind == "core" for h in hits)
        limits = [lim for cap in self.caps if (lim := cap.limit(fields, core)) is not None]
        order = ("none", "passing", "secondary", "primary")
        return min(limits, key=order.index) if limits else "primary"


def _joined(first: str, second: str) -> str | None:
    """``first`` continued by ``second`` where ``first`` ends with the beginning of ``second``
    (two or more Chinese characters, or whole words), or None."""
    for k in range(min(len(first), len(second)) - 1, 1, -1):
        if not first.endswith(second[:k]):
            continue
        if second[k - 1].isascii() and (second[k] != " " or first[-k - 1] != " "):
            continue  # an English overlap must be whole words at both ends
        return first + second[k:]
    return None


def _same_clause(breaks: list[int], s: int, e: int, start: int, end: int) -> bool:
    """Whether span ``[s, e)`` lies outside the hit ``[start, end)`` with no clause break
    between them."""
    if s < end and start < e:
        return False
    lo, hi = (e, start) if e <= start else (end, s)
    return bisect.bisect_left(breaks, lo) == bisect.bisect_left(breaks, hi)


class ConventionRule:
    """A compiled ``Convention``."""

    def __init__(self, rule: Convention, lexicon: Lexicon | None = None) -> None:
        self.rule = rule
        self.when = PhraseMatcher(rule.when_any, lexicon)
        self.unless = PhraseMatcher(rule.unless_any, lexicon)
        self.pairs = frozenset(f"<{name}>" for name in rule.when_pairs)

    def apply(self, sal: dict[str, str], fields: Fields,
              hit_terms: frozenset[str] = frozenset()) -> dict[str, str]:
        """Saliences after this convention (unchanged when it does not apply);
        ``hit_terms`` are the terms of every label's hits (pair rules as ``<name>``)."""
        rule = self.rule
        if all(sal[label] == "none" for label in rule.then):
            return sal  # a convention never raises "none"
        if any(SALIENCE_ORDER[sal[k]] < SALIENCE_ORDER[v] for k, v in rule.requires.items()):
            return sal
        if not (self.pairs & hit_terms) and sum(
                len(self.when.find(norm)) for norm in fields.values()) < rule.min_count:
            return sal
        if any(self.unless.find(norm) for norm in fields.values()):
            return sal
        out = dict(sal)
        for label, bound in rule.then.items():
            level = SALIENCE_ORDER[out[label]]
            if level > 0:
                level = max(level, SALIENCE_ORDER[bound.min])
            level = min(level, SALIENCE_ORDER[bound.max])
            out[label] = next(k for k, v in SALIENCE_ORDER.items() if v == level)
        return out
