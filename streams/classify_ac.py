"""Aho-Corasick automaton: every occurrence of many strings in one pass over a text.

Input: a mapping ``word -> value`` (built once). Output: ``Automaton.iter(text)`` yields
``(end_index, value)`` for every occurrence of every word, overlapping ones included, with
``end_index`` the index of the word's last character (the ``pyahocorasick`` convention).
Uses the C implementation from ``pyahocorasick`` when installed and a pure-Python automaton
otherwise (same results, several times slower), so a missing wheel never breaks classification.

The C automaton looks a character up among a node's children one after the other, and most
characters of a text are looked up among the root's, one per word's first character: hundreds
for Chinese words. It is therefore built over the words' UTF-16 code units, written as two
bytes each (UTF-32 and four bytes when a word holds a character beyond the BMP): a character
costs two short look-ups (its high byte among a few dozen, then its low byte among the few
first characters that share it) instead of one long one. Matches that do not begin on a
character's first byte are dropped and end indices are mapped back to characters.
"""

from __future__ import annotations

import importlib
import re
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

_c_ahocorasick: Any
try:  # pragma: no cover - which branch runs depends on the environment
    _c_ahocorasick = importlib.import_module("ahocorasick")  # untyped C extension
except ImportError:  # pragma: no cover
    _c_ahocorasick = None

V = TypeVar("V")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # characters UTF-16 writes in 4 bytes


class PyAutomaton(Generic[V]):
    """Pure-Python Aho-Corasick (goto/fail tables as dicts), used without ``pyahocorasick``."""

    def __init__(self, words: Mapping[str, V]) -> None:
        self._goto: list[dict[str, int]] = [{}]
        self._out: list[list[V]] = [[]]
        for word, value in words.items():
            node = 0
            for char in word:
                nxt = self._goto[node].get(char)
                if nxt is None:
                    nxt = len(self._goto)
                    self._goto[node][char] = nxt
                    self._goto.append({})
                    self._out.append([])
                node = nxt
            self._out[node].append(value)
        self._fail = [0] * len(self._goto)
        self._link_failures()

    def _link_failures(self) -> None:
        queue = deque(self._goto[0].values())
        while queue:
            node = queue.popleft()
            for char, child in self._goto[node].items():
                queue.append(child)
                back = self._fail[node]
                while back and char not in self._goto[back]:
                    back = self._fail[back]
                target = self._goto[back].get(char, 0)
                self._fail[child] = target if target != child else 0
                self._out[child] = self._out[child] + self._out[self._fail[child]]

    def iter(self, text: str) -> Iterator[tuple[int, V]]:
        goto, fail, out = self._goto, self._fail, self._out
        node = 0
        for index, char in enumerate(text):
            while node and char not in goto[node]:
                node = fail[node]
            node = goto[node].get(char, 0)
            for value in out[node]:
                yield index, value


class Automaton(Generic[V]):
    """The fastest available automaton over ``words`` (see module docstring)."""

    def __init__(self, words: Mapping[str, V], pure_python: bool = False) -> None:
        self.native = _c_ahocorasick is not None and not pure_python
        self._impl: Any
        chars = {char for word in words for char in word}
        self._codec, self._shift = ("utf-32-be", 2) if any(
            ord(char) > 0xFFFF for char in chars) else ("utf-16-be", 1)
        # what stands for characters beyond the BMP in a text when no word holds one
        self._stand_in = next(chr(c) for c in range(0xFFFD, 0, -1) if chr(c) not in chars)
        if self.native and words:
            auto = _c_ahocorasick.Automaton()
            for word, value in words.items():
                auto.add_word(self._code(word), value)
            auto.make_automaton()
            self._impl = auto
        else:
            self.native = False
            self._impl = PyAutomaton(words)

    def _code(self, text: str) -> str:
        """``text`` as code units of a fixed width, one character per byte."""
        coded = text.encode(self._codec, "surrogatepass").decode("latin-1")
        if len(coded) != len(text) << self._shift:  # UTF-16 and characters beyond the BMP
            coded = _ASTRAL.sub(self._stand_in, text).encode(
                self._codec, "surrogatepass").decode("latin-1")
        return coded

    def iter(self, text: str) -> Iterator[tuple[int, V]]:
        if not text:
            return iter(())
        if not self.native:
            result: Iterator[tuple[int, V]] = self._impl.iter(text)
            return result
        shift = self._shift
        last_byte = (1 << shift) - 1  # an occurrence ends on a character's last byte
        return ((end >> shift, value) for end, value in self._impl.iter(self._code(text))
                if end & last_byte == last_byte)
