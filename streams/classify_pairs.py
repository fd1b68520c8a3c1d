"""Pair rules: two kinds of words close together ("edited" near "stem cells").

Input: a ``PairRule`` (compiled once, sharing the classifier's ``Lexicon``) and a normalised
title or text. Output: ``PairMatch`` list — the span from the first to the last of the two
words and both matched keys, for pairs within the rule's window and without an
``unless_near`` word close by. ``LabelRules`` turns them into hits of its label. Pure.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple

from config.taxonomy_rules import PairRule
from streams.classify_match import Lexicon, PhraseMatcher, near


class PairMatch(NamedTuple):
    start: int
    end: int
    first: str
    second: str


class PairFinder:
    """A compiled ``PairRule``."""

    def __init__(self, rule: PairRule, lexicon: Lexicon | None = None) -> None:
        self.rule = rule
        self.key = f"<{rule.name}>"
        self.first = PhraseMatcher(rule.first, lexicon)
        self._second = PhraseMatcher(rule.second, lexicon)
        self._unless = PhraseMatcher(rule.unless_near, lexicon)
        self._last: tuple[str, list[PairMatch]] = ("", [])

    def find(self, norm: str) -> list[PairMatch]:
        """Non-overlapping pairs, left to right (each first word pairs with its nearest); the
        last text's answer is kept, as every label of the rule asks for it."""
        if self._last[0] is not norm:
            self._last = (norm, self._find(norm))
        return self._last[1]

    def _find(self, norm: str) -> list[PairMatch]:
        firsts = self.first.find(norm)
        if not firsts:
            return []
        seconds = self._second.find(norm)
        if not seconds:
            return []
        starts = [s for _, s, _ in seconds]
        unless = [(s, e) for _, s, e in self._unless.find(norm)]
        out: list[PairMatch] = []
        reached = 0
        window = self.rule.window
        for key, start, end in firsts:
            best = self._nearest(seconds, starts, start, end, window)
            if best is None:
                continue
            skey, s2, e2 = best
            lo, hi = min(start, s2), max(end, e2)
            if lo < reached or (unless and near(unless, lo, hi, self.rule.unless_window)):
                continue
            out.append(PairMatch(lo, hi, key, skey))
            reached = hi
        return out

    @staticmethod
    def _nearest(seconds: list[tuple[str, int, int]], starts: list[int], start: int,
                 end: int, window: int) -> tuple[str, int, int] | None:
        """The second word closest to ``[start, end)`` within ``window``, not overlapping it."""
        lo = bisect.bisect_left(starts, start - window - 200)
        best: tuple[int, tuple[str, int, int]] | None = None
        for item in seconds[lo:]:
            _, s, e = item
            if s >= end + window:
                break
            gap = s - end if s >= end else start - e if e <= start else -1
            if 0 <= gap <= window and (best is None or gap < best[0]):
                best = (gap, item)
        return best[1] if best else None
