"""Multi-phrase matching over normalised text.

Input: phrases (any script; normalised with ``classify_text.normalize`` when compiled) and a
normalised text. Output: non-overlapping ``(key, start, end)`` matches, longest phrase first at
each position. English phrases match whole words, accept "-"/space variants and a plural
ending. One compiled alternation without capturing groups per matcher (capturing groups make
``re`` save hundreds of marks per position) keeps a 3,000-character article around a
millisecond per matcher; the matched text is mapped back to its phrase by a canonical form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from streams.classify_text import normalize

_LATIN_END = re.compile(r"[a-z0-9+]$")
_WORDCHAR = re.compile(r"[a-z0-9]")
_SEPARATORS = re.compile(r"[\s\-]+")


def _canonical(text: str) -> str:
    return _SEPARATORS.sub(" ", text)


def _singulars(text: str) -> list[str]:
    """``text`` and the forms it may have had before an English plural ending."""
    forms = [text]
    if text.endswith("ies"):
        forms.append(text[:-3] + "y")
    if text.endswith("es"):
        forms.append(text[:-2])
    if text.endswith("s"):
        forms.append(text[:-1])
    return forms


def _phrase_pattern(phrase: str) -> str:
    """Regex for one normalised phrase: flexible separators, optional English plural."""
    parts = re.split(r"[\s\-]+", phrase)
    body = r"[\s\-]+".join(re.escape(p) for p in parts if p)
    if re.search(r"[a-z]$", phrase):
        if phrase.endswith("y") and len(phrase) > 3:
            body = body[:-1] + "(?:y|ies)"
        else:
            body += "(?:e?s)?"
        body += r"(?![a-z])"
    elif _LATIN_END.search(phrase):
        body += r"(?![a-z0-9])"
    return body


def _alternation(keys: list[str]) -> str:
    return "|".join(f"(?:{_phrase_pattern(k)})" for k in keys)


def _compile(prefix: str, keys: list[str]) -> re.Pattern[str] | None:
    return re.compile(f"{prefix}(?:{_alternation(keys)})") if keys else None


class PhraseMatcher:
    """Find many phrases at once; ``key`` of a match is the phrase as normalised."""

    def __init__(self, phrases: Iterable[str]) -> None:
        keys = sorted({normalize(p.strip()) for p in phrases if p.strip()},
                      key=lambda k: (-len(k), k))
        self.keys: list[str] = keys
        self._exact = frozenset(keys)
        self._by_canonical: dict[str, str] = {}
        for key in keys:
            self._by_canonical.setdefault(_canonical(key), key)
        latin = [k for k in keys if _WORDCHAR.match(k)]
        other = [k for k in keys if not _WORDCHAR.match(k)]
        # Latin phrases: a lookbehind skips mid-word positions quickly in English text, while
        # the plain alternation lets ``re`` skip CJK positions by its first-character set.
        self._latin_bounded = _compile(r"(?<![a-z0-9])", latin)
        self._latin_plain = _compile("", latin)
        self._other = _compile("", other)

    def _key(self, matched: str) -> str | None:
        if matched in self._exact:
            return matched
        canonical = _canonical(matched)
        for form in _singulars(canonical):
            key = self._by_canonical.get(form)
            if key is not None:
                return key
        return None

    def find(self, norm: str) -> list[tuple[str, int, int]]:
        """All matches in ``norm`` (already normalised), left to right, non-overlapping."""
        found: list[tuple[str, int, int]] = []
        mostly_latin = len(norm.encode("ascii", "ignore")) * 2 > len(norm)
        latin = self._latin_bounded if mostly_latin else self._latin_plain
        for regex in (latin, self._other):
            if regex is None:
                continue
            for match in regex.finditer(norm):
                start = match.start()
                key = self._key(match.group())
                if key is None or (start > 0 and _WORDCHAR.match(norm[start - 1])
                                   and _WORDCHAR.match(key)):
                    continue
                found.append((key, start, match.end()))
        if latin is None or self._other is None:
            return found
        found.sort(key=lambda m: (m[1], -m[2]))
        out: list[tuple[str, int, int]] = []
        for item in found:
            if not out or item[1] >= out[-1][2]:
                out.append(item)
        return out

    def count(self, norm: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for key, _, _ in self.find(norm):
            counts[key] = counts.get(key, 0) + 1
        return counts


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``[start, end)`` overlaps any of ``spans``."""
    return any(s < end and start < e for s, e in spans)


def near(positions: list[tuple[int, int]], start: int, end: int, window: int) -> bool:
    """Whether any span in ``positions`` lies within ``window`` characters of ``[start, end)``."""
    return any(s < end + window and e > start - window for s, e in positions)
