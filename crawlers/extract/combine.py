"""Second opinion for non-Chinese pages: agreement between block scoring and trafilatura.

Input: the body found by block scoring and the page HTML text.  Output: the body to keep.
When one extractor's text is (almost) wholly contained in the other's, the tighter of the
two is kept (the extra text of the wider one is usually boilerplate); when the block scorer
found only a small part of what trafilatura found, trafilatura's text wins (a split article).
"""

from __future__ import annotations

import re

import trafilatura
from lxml import etree

_WORD = re.compile(r"\w+")
CONTAINED = 0.93  # share of the tighter text's shingles found in the wider text
NARROW = 0.5  # block-scorer text this much shorter than trafilatura's is too narrow


def shingles(text: str, size: int = 4) -> set[tuple[str, ...]]:
    """Set of word n-grams of ``text``."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i:i + size]) for i in range(max(1, len(words) - size + 1))} - {()}


def trafilatura_text(html: str | etree._Element, url: str) -> str:
    """Body text by trafilatura (fast mode, recall-oriented, no metadata).

    ``html`` may be the page text or an already parsed (and pruned) ``lxml.html`` tree,
    which trafilatura then changes in place.
    """
    text = trafilatura.extract(html, url=url or None, fast=True, favor_recall=True,
                               with_metadata=False, include_comments=False)
    return text or ""


def pick_body(mine: str, other: str) -> str:
    """Choose between the block scorer's body and trafilatura's."""
    own, theirs = shingles(mine), shingles(other)
    if not own or not theirs:
        return mine or other
    common = len(own & theirs)
    ratio = len(own) / len(theirs)
    if ratio > 1 and common / len(theirs) >= CONTAINED:
        return other
    if ratio < NARROW and common / len(own) > 0.8:
        return other
    return mine
