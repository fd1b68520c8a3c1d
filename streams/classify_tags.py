"""Topic tags (policy, clinical, approval, industry, research) for an article.

Input: the taxonomy's ``tags`` (compiled once) and an article's normalised title and text.
Output: the sorted list of tag names whose weighted evidence reaches the tag's
``min_weight``. Each distinct term counts once per field; a title hit counts ``title_factor``
times, so a long article does not collect every tag by repetition alone.
"""

from __future__ import annotations

from config.taxonomy import TagDef
from streams.classify_match import Lexicon, PhraseMatcher
from streams.classify_text import normalize


class TagFinder:
    """Weighted keyword tags."""

    def __init__(self, tags: dict[str, TagDef], lexicon: Lexicon | None = None) -> None:
        self.tags = tags
        self._weights: dict[str, list[tuple[str, float]]] = {}
        for name, tag in tags.items():
            for term, weight in tag.terms.items():
                self._weights.setdefault(normalize(term), []).append((name, weight))
        self._matcher = PhraseMatcher(self._weights, lexicon)

    def find(self, title: str, text: str) -> list[str]:
        """Tags of an article given its normalised title and text."""
        totals: dict[str, float] = {}
        for field, norm in (("title", title), ("text", text)):
            for key in {k for k, _, _ in self._matcher.find(norm)}:
                for name, weight in self._weights[key]:
                    factor = self.tags[name].title_factor if field == "title" else 1.0
                    totals[name] = totals.get(name, 0.0) + weight * factor
        return sorted(name for name, total in totals.items()
                      if total >= self.tags[name].min_weight)
