"""Aho-Corasick automaton: every occurrence of many strings in one pass over a text.

Input: a mapping ``word -> value`` (built once). Output: ``Automaton.iter(text)`` yields
``(end_index, value)`` for every occurrence of every word, overlapping ones included, with
``end_index`` the index of the word's last character (the ``pyahocorasick`` convention).
Uses the C implementation from ``pyahocorasick`` when installed and a pure-Python automaton
otherwise (same results, several times slower), so a missing wheel never breaks classification.
"""

from __future__ import annotations

import importlib
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

_c_ahocorasick: Any
try:  # pragma: no cover - which branch runs depends on the environment
    _c_ahocorasick = importlib.import_module("ahocorasick")  # untyped C extension
except ImportError:  # pragma: no cover
    _c_ahocorasick = None

V = TypeVar("V")


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
        if self.native and words:
            auto = _c_ahocorasick.Automaton()
            for word, value in words.items():
                auto.add_word(word, value)
            auto.make_automaton()
            self._impl = auto
        else:
            self._impl = PyAutomaton(words)

    def iter(self, text: str) -> Iterator[tuple[int, V]]:
        if not text:
            return iter(())
        result: Iterator[tuple[int, V]] = self._impl.iter(text)
        return result
