"""One story per event: near-duplicate notices share a ``story_id`` (pure core, no I/O).

Input: an article's title and text (and its source, see below). Output: a MinHash
``signature`` over 5-character shingles of the normalised title+text (traditional script,
width, case, punctuation and whitespace folded away), its LSH ``bands`` (32 bands of 4 rows,
each a short string key), and ``assign_story(bands, lookup, article_id, source_id)``: the
story that enough of the bands already point to, else the article's own id. ``new_entries``
gives the ``band -> entry`` pairs to record once the article is delivered; ``lookup`` is any
mapping (the band index every worker holds, ``streams.shared_maps``; a dict in tests).

The signature is one-permutation MinHash with rotation densification: each shingle is hashed
once (CRC-32, mixed), its top bits choose one of 128 bins and each bin keeps the minimum; empty
bins of short texts borrow their right neighbour's value. Two signatures agree in a bin with
probability ≈ the Jaccard similarity of the shingle sets; a band matches with probability
≈ J⁴, and a story needs ``MIN_BANDS`` matching bands, which puts the threshold near J ≈ 0.55
(re-posts with a new header and a few edited sentences stay well above, distinct notices that
share boilerplate well below).

A site does not re-post its own notice: near-identical texts from the *same source* (weekly
bulletins, numbered meeting notices built from one template) are kept as separate stories, so
an entry records the source of the article that created it and votes from the same source are
ignored.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence

from streams.classify_text import NORMALIZE_TABLE

SHINGLE = 5
BINS = 128
ROWS = 4
BANDS = BINS // ROWS
MIN_BANDS = 3
_BIN_SHIFT = 32 - (BINS.bit_length() - 1)  # top bits of the mixed 32-bit hash choose a bin
_VALUE_MASK = (1 << _BIN_SHIFT) - 1
_MIX = 0x9E3779B1  # odd: multiplication is a bijection on 32-bit values
_OFFSET = 1 << 32  # added per step of densification, beyond any real value
_SEP = " "

Signature = tuple[int, ...]


def _story_table() -> dict[int, str | None]:
    """``normalize``'s table, plus: every non-alphanumeric BMP character is deleted."""
    table: dict[int, str | None] = {code: None for code in range(0x10000)
                                    if not chr(code).isalnum()}
    for code, value in NORMALIZE_TABLE.items():
        table[code] = value if value.isalnum() else None
    return table


_STORY_TABLE = _story_table()


def story_text(title: str, text: str) -> str:
    """Title and text folded (script, width, case) with punctuation and whitespace removed."""
    return f"{title}\n{text}".translate(_STORY_TABLE)


def shingle_hashes(folded: str) -> set[int]:
    """Mixed 32-bit hashes of the distinct ``SHINGLE``-character shingles of ``folded``."""
    if not folded:
        return set()
    data = folded.encode("utf-32-le")
    width, crc, mix = 4 * SHINGLE, zlib.crc32, _MIX
    last = max(len(data) - width, 0)
    return {(crc(data[i:i + width]) * mix) & 0xFFFFFFFF for i in range(0, last + 1, 4)}


def signature(title: str, text: str) -> Signature:
    """The article's MinHash signature (``BINS`` values; empty for an empty article)."""
    hashes = shingle_hashes(story_text(title, text))
    if not hashes:
        return ()
    bins: list[int | None] = [None] * BINS
    for h in hashes:
        slot, value = h >> _BIN_SHIFT, h & _VALUE_MASK
        current = bins[slot]
        if current is None or value < current:
            bins[slot] = value
    return tuple(_densify(bins))


def _densify(bins: list[int | None]) -> list[int]:
    """Fill empty bins from the next filled bin to the right (circular), offset per step."""
    out: list[int] = []
    for index in range(BINS):
        for step in range(BINS):
            value = bins[(index + step) % BINS]
            if value is not None:
                out.append(value + step * _OFFSET)
                break
    return out


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of two articles' shingle sets."""
    if not a or not b:
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def bands(sig: Signature) -> list[str]:
    """LSH band keys: ``"bNN-<hash of the band's rows>"``, one per band."""
    keys: list[str] = []
    for band in range(len(sig) // ROWS):
        rows = ",".join(str(v) for v in sig[band * ROWS:(band + 1) * ROWS])
        digest = hashlib.blake2b(rows.encode("ascii"), digest_size=8).hexdigest()
        keys.append(f"b{band:02d}-{digest}")
    return keys


def entry(story_id: str, source_id: str, day: str = "") -> str:
    """The value recorded for a band: the story, the source of the article that set it and
    the day it was seen (ISO date; lets an index forget old stories)."""
    return _SEP.join((story_id, source_id, day)) if day else f"{story_id}{_SEP}{source_id}"


def parse_entry(value: str) -> tuple[str, str]:
    """``(story_id, source_id)`` of an entry."""
    parts = value.split(_SEP)
    return parts[0], parts[1] if len(parts) > 1 else ""


def entry_day(value: str) -> str:
    """The ISO day of an entry, or "" when it has none."""
    parts = value.split(_SEP)
    return parts[2] if len(parts) > 2 else ""


def assign_story(bands: Sequence[str], lookup: Mapping[str, str], article_id: str,
                 source_id: str = "", min_bands: int = MIN_BANDS) -> str:
    """The story this article belongs to: the story most of its bands point to, when at least
    ``min_bands`` bands set by *other* sources (or by this article itself) do; otherwise a new
    story, named by the article's own id. Ties go to the smaller id (deterministic)."""
    votes: Counter[str] = Counter()
    for band in bands:
        value = lookup.get(band)
        if value is None:
            continue
        story_id, setter = parse_entry(value)
        if story_id == article_id or setter != source_id or not source_id:
            votes[story_id] += 1
    if not votes:
        return article_id
    best, count = min(votes.items(), key=lambda kv: (-kv[1], kv[0]))
    return best if count >= min_bands else article_id


def new_entries(bands: Sequence[str], lookup: Mapping[str, str], story_id: str,
                source_id: str, day: str = "") -> dict[str, str]:
    """Bands not yet recorded, pointing to ``story_id`` (existing entries are never moved)."""
    value = entry(story_id, source_id, day)
    return {band: value for band in bands if lookup.get(band) is None}
