"""Body ensemble: block scoring and trafilatura, decided by evidence on the page.

Input: the body found by block scoring, the page's visible lines and the headline's line,
and (when asked for) trafilatura's body.  Output: whether a second opinion is needed and
which body to keep, with the name of its extractor.

A second opinion is asked for when the block scorer's body is doubtful: short, with little
sentence-like text, or not starting just after the headline.  The two bodies are then
compared by agreement (the share of the block body's 4-token shingles found in the other):
when they agree the tighter block body stays; when they disagree (each found a different
part of the page), the body with more sentence-like text close after the headline wins.
A trafilatura body that only adds a stretch of the page full of post times (a comment
thread) is not taken.  Nothing here knows any site: all evidence is text, punctuation and
position.
"""

from __future__ import annotations

import re

from crawlers.extract.body import POST_TIME, THREAD_STAMPS

_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W\u3040-\u30ff"
                    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SENTENCE = re.compile(r"[。！？；，、,.!?;:：]")
_SQUASH = re.compile(r"[\W_]+")
SHORT_BODY = 200  # characters
SENTENCE_SHARE = 0.5  # sentence-like share of a body below which it is doubtful
NEAR_LINES = 25  # a body starting this many lines after the headline is "beside it"
AGREE = 0.5  # share of the block body found in trafilatura's that counts as agreement
FAR_WEIGHT = 0.6  # weight of sentence-like text of a body far from the headline


def shingles(text: str) -> set[tuple[str, ...]]:
    """Set of token 4-grams (every Han/kana character is a token)."""
    t = _TOKEN.findall(text.lower())
    return set(zip(t, t[1:], t[2:], t[3:], strict=False)) if len(t) >= 4 else {tuple(t)} - {()}


def coverage(part: str, whole: str) -> float:
    """Share of ``part``'s shingles that ``whole`` also has (1.0 when ``part`` is empty)."""
    mine = shingles(part)
    return len(mine & shingles(whole)) / len(mine) if mine else 1.0


def sentence_chars(text: str) -> int:
    """Characters in sentence-like lines (long enough, with punctuation)."""
    return sum(len(line) for line in text.split("\n")
               if len(line) >= 15 and _SENTENCE.search(line))


def start_line(text: str, page_lines: list[str]) -> int:
    """Page line where a body starts (its first line found on the page), or -1."""
    keys = {_SQUASH.sub("", line.lower()): i for i, line in enumerate(page_lines)
            if len(line) <= 2000}
    for line in text.split("\n")[:5]:
        hit = keys.get(_SQUASH.sub("", line.lower()))
        if hit is not None:
            return hit
    return -1


def _beside(start: int, headline: int) -> bool:
    return headline < 0 or (start >= 0 and headline - 2 <= start <= headline + NEAR_LINES)


def doubtful(body: str, page_lines: list[str], headline: int) -> bool:
    """True when the block body should be checked against a second extractor."""
    if len(body) < SHORT_BODY:
        return True
    if sentence_chars(body) < SENTENCE_SHARE * len(body):
        return True
    return headline >= 0 and not _beside(start_line(body, page_lines), headline)


def _evidence(text: str, page_lines: list[str], headline: int) -> float:
    weight = 1.0 if _beside(start_line(text, page_lines), headline) else FAR_WEIGHT
    return sentence_chars(text) * weight


def choose_body(mine: str, other: str, page_lines: list[str],
                headline: int) -> tuple[str, str]:
    """(body, extractor) between the block body and trafilatura's."""
    if not other.strip():
        return mine, "blocks"
    if not mine.strip():
        return other, "trafilatura"
    if coverage(mine, other) >= AGREE:
        return mine, "blocks"
    if _evidence(other, page_lines, headline) > _evidence(mine, page_lines, headline):
        return other, "trafilatura"
    return mine, "blocks"


def thread_extra(mine: str, other: str, page_lines: list[str]) -> bool:
    """True when what ``other`` adds to ``mine`` spans a stretch of the page holding many
    post times: a comment or reply thread, not the rest of a split article."""
    own = _SQUASH.sub("", mine.lower())
    extra = "|".join(k for line in other.split("\n")
                     if (k := _SQUASH.sub("", line.lower())) and k not in own)
    keys = ((i, _SQUASH.sub("", line.lower())) for i, line in enumerate(page_lines)
            if 15 <= len(line) <= 2000)
    hits = [i for i, key in keys if len(key) >= 15 and key in extra]
    if len(hits) < 2:
        return False
    span = "\n".join(page_lines[hits[0]:hits[-1] + 1])
    return len(POST_TIME.findall(span)) > THREAD_STAMPS

