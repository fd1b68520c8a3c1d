"""Compound terms generated from the taxonomy's ``compounds`` rules.

Input: ``CompoundRule`` list (modifiers per label, joiners, heads). Output: per label the
generated phrases with their weight and kind, and per label the phrases to ignore (a modifier
after a ``not_after`` word: "体细胞基因治疗" is somatic gene therapy, not cell therapy). So
"基因与细胞治疗", "细胞、基因疗法", "cell & gene therapies" and "基因细胞治疗" are matched in every
order and with every joiner without listing each; with ``bare_kind``, the coordinated
modifiers alone too ("细胞与基因"). Pure; run once when the classifier is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

from config.taxonomy_rules import CompoundRule

BARE_WEIGHT = 0.3  # what a weak term weighs in the taxonomy (shown as evidence weight 0)


@dataclass
class CompoundTerms:
    """Generated phrases: ``terms[label][phrase] = (weight, kind)``; ``ignored[label]``."""

    terms: dict[str, dict[str, tuple[float, str]]] = field(default_factory=dict)
    ignored: dict[str, set[str]] = field(default_factory=dict)

    def _add(self, label: str, phrase: str, weight: float, kind: str) -> None:
        out = self.terms.setdefault(label, {})
        old = out.get(phrase)
        if old is None or weight > old[0]:
            out[phrase] = (weight, kind)


def _pairs(rule: CompoundRule) -> list[tuple[str, str, str, str]]:
    """``(label_a, modifier_a, label_b, modifier_b)`` for modifiers of different labels."""
    words = [(label, word.strip()) for label, ws in rule.modifiers.items() for word in ws]
    return [(la, a, lb, b) for (la, a), (lb, b) in product(words, words) if la != lb]


def expand(rules: list[CompoundRule]) -> CompoundTerms:
    """Every coordinated and juxtaposed compound of every rule (see module docstring)."""
    out = CompoundTerms()
    for rule in rules:
        if rule.bare_kind is not None:
            for (la, a, lb, b), joiner in product(_pairs(rule), rule.joiners):
                if joiner.strip():  # "细胞与基因", not two words side by side
                    out._add(la, f"{a}{joiner}{b}", BARE_WEIGHT, rule.bare_kind)
                    out._add(lb, f"{a}{joiner}{b}", BARE_WEIGHT, rule.bare_kind)
        for (la, a, lb, b), head in product(_pairs(rule), rule.heads):
            for joiner in rule.joiners:
                phrase = f"{a}{joiner}{b}{head}"
                out._add(la, phrase, rule.weight, rule.kind)
                out._add(lb, phrase, rule.weight, rule.kind)
            if rule.juxtaposed is None:
                continue
            phrase = f"{a}{rule.juxtaposed}{b}{head}"
            out._add(lb, phrase, rule.weight, rule.kind)  # the head's own modifier
            out._add(la, phrase, rule.modifier_weight, rule.kind)
            for before in rule.not_after:
                out.ignored.setdefault(la, set()).add(f"{before}{phrase}")
    return out
