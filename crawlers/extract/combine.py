"""Second opinion for non-Chinese pages: agreement between block scoring and trafilatura.

Input: the body found by block scoring and the page HTML text.  Output: the body to keep.
When one extractor's text is (almost) wholly contained in the other's, the tighter of the
two is kept (the extra text of the wider one is usually boilerplate), except for the
subheadings and embedded posts the block body has between shared lines (styled ``<div>``
subheadings and tweets in ``<blockquote>`` that trafilatura drops), which are put back.
When the block scorer found only a small part of what trafilatura found, trafilatura's text
wins (a split article), but only if what it adds is prose, not a list of links, dates and
tags beside the article.
"""

from __future__ import annotations

import re

import trafilatura
from lxml import etree

from crawlers.extract.clean import is_caption

_WORD = re.compile(r"\w+")
_SQUASH = re.compile(r"[\W_]+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*(\s|$)")
_NOT_HEADING = re.compile(
    r"^\W*(advertisement|caption|close|image \d+ of \d+|continue reading|story continues|"
    r"read more|share|click|sign up|subscribe|follow|related|you may also like|"
    r"see also|more from)\b", re.I)
CONTAINED = 0.93  # share of the tighter text's shingles found in the wider text
NARROW = 0.5  # block-scorer text this much shorter than trafilatura's is too narrow
PROSE_SHARE = 0.5  # share of trafilatura's extra text that must be prose to win as wider


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


def _key(line: str) -> str:
    return _SQUASH.sub("", line.lower())


def _prose(line: str) -> bool:
    """A sentence-like line: not a list item, several words, ending a sentence."""
    line = line.strip()
    return (not line.startswith(("- ", "* ")) and len(_WORD.findall(line)) >= 8
            and bool(_SENTENCE_END.search(line)))


def _adds_prose(mine: str, other: str) -> bool:
    """True when the lines ``other`` has beyond ``mine`` are mostly prose."""
    own = {_key(line) for line in mine.split("\n")}
    extra = [line for line in other.split("\n") if line.strip() and _key(line) not in own]
    total = sum(len(line) for line in extra)
    return total > 0 and sum(len(x) for x in extra if _prose(x)) >= PROSE_SHARE * total


def heading_like(line: str) -> bool:
    """A subheading: a short line of a few words, not ending a sentence with a full stop
    (a question is fine), neither a widget label nor an image caption or credit."""
    words = len(_WORD.findall(line))
    end = line.rstrip()[-1:]
    limit = 40 if end == "?" else 16
    return (2 <= words <= limit and end not in ".,;)" and line.lstrip()[:1].isalnum()
            and not _NOT_HEADING.match(line) and not is_caption(line))


def restore_lines(mine: str, other: str, links: frozenset[str] = frozenset(),
                  quotes: frozenset[str] = frozenset()) -> str:
    """``other`` with what ``mine`` has alone between two lines that are next to each other
    in ``other``: one subheading (never a link's text), or the lines of embedded posts and
    quotes (``quotes``: squashed lines of the block body's ``<blockquote>`` elements)."""
    theirs = other.split("\n")
    pos = {k: i for i, line in enumerate(theirs) if (k := _key(line))}
    inserts: dict[int, list[str]] = {}
    last, gap = -1, []
    for line in mine.split("\n"):
        key = _key(line)
        if key not in pos:
            gap += [line] if key else []
            continue
        quoted = all(_key(g) in quotes for g in gap)
        heading = len(gap) == 1 and heading_like(gap[0]) and _key(gap[0]) not in links
        if gap and last >= 0 and pos[key] == last + 1 and (quoted or heading):
            inserts[pos[key]] = gap
        last, gap = pos[key], []
    if not inserts:
        return other
    return "\n".join(x for i, line in enumerate(theirs) for x in [*inserts.get(i, []), line])


def pick_body(mine: str, other: str) -> str:
    """Choose between the block scorer's body and trafilatura's."""
    own, theirs = shingles(mine), shingles(other)
    if not own or not theirs:
        return mine or other
    common = len(own & theirs)
    ratio = len(own) / len(theirs)
    if ratio > 1 and common / len(theirs) >= CONTAINED:
        return other
    if ratio < NARROW and common / len(own) > 0.8 and _adds_prose(mine, other):
        return other
    return mine
