"""Multi-phrase matching over normalised text: all phrases of a classifier in one pass.

Input: phrases (any script; normalised with ``classify_text.normalize`` when compiled) and a
normalised text. Output: per ``PhraseMatcher`` non-overlapping ``(key, start, end)`` matches,
left to right, the longest phrase first at each position. English phrases match whole words,
accept "-"/space variants and a plural ending ("s"/"es", y→"ies").

Every matcher of a classifier registers its phrases with one shared ``Lexicon``; the lexicon
compiles them into a single Aho-Corasick automaton over a separator-folded copy of the text
and scans each text once for all matchers (the scan of the last few texts is memoised, so
``find`` on the title and text of an article costs one pass each, however many matchers ask).
A matcher built without a lexicon gets a private one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from typing import NamedTuple

from streams.classify_ac import Automaton
from streams.classify_text import normalize

_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_ALPHA = frozenset("abcdefghijklmnopqrstuvwxyz")
_SEPARATORS = re.compile(r"[\s\-]+")
_OTHER_SPACE = re.compile(  # whitespace other than " \n\t\r" (what ``\s`` also matches)
    r"[\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_LONG_RUNS = re.compile(r"[\s\-]{2,}")
_MEMO = 4

Match = tuple[str, int, int]


def canonical(text: str) -> str:
    """Separators (whitespace and "-") folded to one space: the form the automaton knows."""
    return _SEPARATORS.sub(" ", text)


class _Form(NamedTuple):
    """One spelling in the automaton: its length, the boundaries it needs and its keys."""

    length: int
    start_word: bool  # must not follow a letter or digit
    end: frozenset[str]  # characters that must not follow it
    keys: tuple[tuple[str, int], ...]  # canonical keys spelled this way, with -len(key)


def _forms(key: str) -> tuple[list[str], bool, frozenset[str]]:
    """The spellings of a canonical key and the boundaries they need."""
    start = key[0] in _WORD
    last = key[-1]
    if last in _ALPHA:
        forms = [key, key[:-1] + "ies"] if last == "y" and len(key) > 3 else [
            key, key + "s", key + "es"]
        return forms, start, _ALPHA
    if last in _WORD or last == "+":
        return [key], start, _WORD
    return [key], start, frozenset()


def _fold(norm: str) -> tuple[str, list[int], list[int]]:
    """``norm`` with separator runs folded to one space, and the offset map back to ``norm``:
    a position ``p`` of the folded text is ``p + shifts[i]`` with ``i`` the last mark ≤ p."""
    # fast path: single separators become spaces in place (str.replace runs in C)
    spaced = norm.replace("-", " ").replace("\n", " ").replace("\t", " ").replace("\r", " ")
    if "  " not in spaced and _OTHER_SPACE.search(spaced) is None:
        return spaced, [0], [0]
    marks, shifts = [0], [0]
    removed = 0
    for run in _LONG_RUNS.finditer(norm):
        extra = run.end() - run.start() - 1
        marks.append(run.start() + 1 - removed)
        removed += extra
        shifts.append(removed)
    return _SEPARATORS.sub(" ", norm), marks, shifts


class Lexicon:
    """The phrases of many matchers, scanned in one pass (see module docstring)."""

    def __init__(self, pure_python: bool = False) -> None:
        self._owners: dict[str, list[int]] = {}
        self._count = 0
        self._pure = pure_python
        self._automaton: Automaton[_Form] | None = None
        self._memo: dict[str, dict[int, list[Match]]] = {}

    def register(self, keys: Iterable[str]) -> int:
        """Add a matcher's canonical keys; returns the matcher's id."""
        ident = self._count
        self._count += 1
        for key in keys:
            self._owners.setdefault(key, []).append(ident)
        self._automaton, self._memo = None, {}
        return ident

    def forget(self) -> None:
        """Drop memoised scans (the classifier calls this after each article)."""
        self._memo.clear()

    def _compile(self) -> Automaton[_Form]:
        spellings: dict[tuple[str, bool, frozenset[str]], list[str]] = {}
        for key in self._owners:
            forms, start, end = _forms(key)
            for form in forms:
                spellings.setdefault((form, start, end), []).append(key)
        merged: dict[str, _Form] = {}
        for (form, start, end), keys in spellings.items():
            # a spelling shared by keys with different boundaries keeps the strictest ones
            old = merged.get(form)
            merged[form] = _Form(len(form), start or (old is not None and old.start_word),
                                 end | (old.end if old else frozenset()),
                                 (*(old.keys if old else ()), *((k, -len(k)) for k in keys)))
        return Automaton(merged, pure_python=self._pure)

    def scan(self, norm: str) -> dict[int, list[Match]]:
        """Per matcher id that has any, candidate ``(canonical key, start, end)`` sorted by
        start, longest key first; overlapping candidates are kept (each matcher resolves its
        own). Matchers without candidates in ``norm`` are absent."""
        cached = self._memo.get(norm)
        if cached is not None:
            return cached
        if self._automaton is None:
            self._automaton = self._compile()
        per_owner: dict[int, list[Match]] = {}
        owners = self._owners
        for item in self._candidates(self._automaton, norm):
            for ident in owners[item[0]]:
                found = per_owner.get(ident)
                if found is None:
                    per_owner[ident] = [item]
                else:
                    found.append(item)
        if len(self._memo) >= _MEMO:
            del self._memo[next(iter(self._memo))]
        self._memo[norm] = per_owner
        return per_owner

    @staticmethod
    def _candidates(automaton: Automaton[_Form], norm: str) -> list[Match]:
        text, marks, shifts = _fold(norm)
        size, shifted = len(text), len(marks) > 1
        found: list[tuple[int, int, int, str, int]] = []
        append = found.append
        for last, (length, start_word, end_set, keys) in automaton.iter(text):
            start = last - length + 1
            if start_word and start > 0 and text[start - 1] in _WORD:
                continue
            end = last + 1
            if end_set and end < size and text[end] in end_set:
                continue
            if shifted:
                end += shifts[bisect.bisect_right(marks, last) - 1]
                start += shifts[bisect.bisect_right(marks, start) - 1]
            for key, neg_len in keys:
                append((start, neg_len, start - end, key, end))
        found.sort()
        return [(key, start, end) for start, _, _, key, end in found]


class PhraseMatcher:
    """Find many phrases at once; ``key`` of a match is the phrase as normalised."""

    def __init__(self, phrases: Iterable[str], lexicon: Lexicon | None = None) -> None:
        keys = sorted({normalize(p.strip()) for p in phrases if p.strip()},
                      key=lambda k: (-len(k), k))
        self.keys: list[str] = keys
        self._exact = frozenset(keys)
        self._by_canonical: dict[str, str] = {}
        for key in keys:
            if canonical(key).strip():
                self._by_canonical.setdefault(canonical(key).strip(), key)
        # keys that only one spelling can match (no separator, no letter): the key itself
        self._plain = frozenset(k for k in self._by_canonical.values()
                                if k == canonical(k) and not _WORD.intersection(k)
                                and " " not in k)
        self.lexicon = lexicon if lexicon is not None else Lexicon()
        self.ident = self.lexicon.register(self._by_canonical)

    def find(self, norm: str) -> list[Match]:
        """All matches in ``norm`` (already normalised), left to right, non-overlapping."""
        candidates = self.lexicon.scan(norm).get(self.ident)
        if candidates is None:
            return []
        out: list[Match] = []
        reached = 0
        plain = self._plain
        for ckey, start, end in candidates:
            if start < reached:
                continue
            if ckey in plain:  # no separator or letter case to tell spellings apart
                key = ckey
            else:
                matched = norm[start:end]
                key = matched if matched in self._exact else self._by_canonical[ckey]
            out.append((key, start, end))
            reached = end
        return out

    def count(self, norm: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for key, _, _ in self.find(norm):
            counts[key] = counts.get(key, 0) + 1
        return counts


class Watch:
    """Whether any of several matchers has a candidate in a text: one look at each lexicon's
    scan instead of a ``find`` per matcher (a text none of them can match is skipped)."""

    def __init__(self, matchers: Iterable[PhraseMatcher]) -> None:
        ids: dict[Lexicon, set[int]] = {}
        for matcher in matchers:
            ids.setdefault(matcher.lexicon, set()).add(matcher.ident)
        self._ids = tuple((lexicon, frozenset(idents)) for lexicon, idents in ids.items())

    def silent(self, norm: str) -> bool:
        """True when no watched matcher can find anything in ``norm``."""
        return all(idents.isdisjoint(lexicon.scan(norm)) for lexicon, idents in self._ids)


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``[start, end)`` overlaps any of ``spans``."""
    return any(s < end and start < e for s, e in spans)


def near(positions: list[tuple[int, int]], start: int, end: int, window: int) -> bool:
    """Whether any span in ``positions`` lies within ``window`` characters of ``[start, end)``."""
    return any(s < end + window and e > start - window for s, e in positions)
