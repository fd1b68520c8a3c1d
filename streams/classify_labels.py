"""Term hits per label, after masks, context rules and document caps.

Input: a ``LabelTaxonomy`` (compiled once into ``LabelRules``) and the normalised title and
text of an article plus its mask spans. Output: the label's surviving ``Hit`` list and the
maximum salience its document caps allow; ``ConventionRule`` then adjusts saliences between
labels (e.g. CAR-T is cell therapy first). Pure; compiled regexes are reused across calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.contracts import SALIENCE_ORDER
from config.taxonomy import ContextRule, Convention, DocumentCap, LabelTaxonomy
from streams.classify_match import Lexicon, PhraseMatcher, near, overlaps
from streams.classify_score import Hit
from streams.classify_text import normalize

Fields = dict[str, str]
Spans = dict[str, list[tuple[int, int]]]


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

    def limit(self, fields: Fields) -> str | None:
        seen = sum(len(self.when.find(norm)) for norm in fields.values())
        if seen < self.rule.min_count:
            return None
        if any(self.unless.find(norm) for norm in fields.values()):
            return None
        return self.rule.max_salience


class LabelRules:
    """A label's terms, context rules and caps, compiled."""

    def __init__(self, name: str, spec: LabelTaxonomy, lexicon: Lexicon | None = None) -> None:
        self.name = name
        self.terms: dict[str, _Term] = {}
        for group in spec.term_groups:
            for term in group.terms:
                key = normalize(term)
                old = self.terms.get(key)
                if old is None or group.weight > old.weight:
                    self.terms[key] = _Term(group.weight, group.kind)
        self.matcher = PhraseMatcher(self.terms, lexicon)
        self.contexts = [_Context(rule, lexicon) for rule in spec.contexts]
        self.caps = [_Cap(rule, lexicon) for rule in spec.caps]
        self._contexts_of = {key: tuple(c for c in self.contexts if c.applies(key))
                             for key in self.terms}

    def hits(self, fields: Fields, masks: Spans) -> list[Hit]:
        """Surviving hits in title and text."""
        out: list[Hit] = []
        for field, norm in fields.items():
            context_spans = {id(c): [(s, e) for _, s, e in c.near.find(norm)]
                             for c in self.contexts}
            mask = masks[field]
            for key, start, end in self.matcher.find(norm):
                if mask and overlaps(start, end, mask):
                    continue
                term = self.terms[key]
                kind = self._context_kind(key, term.kind, start, end, context_spans)
                if kind is not None:
                    out.append(Hit(key, term.weight, kind, field, start, end))
        return out

    def _context_kind(self, key: str, kind: str, start: int, end: int,
                      spans: dict[int, list[tuple[int, int]]]) -> str | None:
        for ctx in self._contexts_of[key]:
            found = spans[id(ctx)]
            if found and near(found, start, end, ctx.rule.window):
                if ctx.rule.action == "drop":
                    return None
                kind = "weak"
        return kind

    def max_salience(self, fields: Fields) -> str:
        """The strictest cap that applies, or ``primary`` when none does."""
        limits = [lim for cap in self.caps if (lim := cap.limit(fields)) is not None]
        order = ("none", "passing", "secondary", "primary")
        return min(limits, key=order.index) if limits else "primary"


class ConventionRule:
    """A compiled ``Convention``."""

    def __init__(self, rule: Convention, lexicon: Lexicon | None = None) -> None:
        self.rule = rule
        self.when = PhraseMatcher(rule.when_any, lexicon)
        self.unless = PhraseMatcher(rule.unless_any, lexicon)

    def apply(self, sal: dict[str, str], fields: Fields) -> dict[str, str]:
        """Saliences after this convention (unchanged when it does not apply)."""
        rule = self.rule
        if any(SALIENCE_ORDER[sal[k]] < SALIENCE_ORDER[v] for k, v in rule.requires.items()):
            return sal
        if sum(len(self.when.find(norm)) for norm in fields.values()) < rule.min_count:
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
