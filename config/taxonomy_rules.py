"""Taxonomy rules beyond single terms: compounds, term pairs, bulletins and lists of fields.

Input: sections ``compounds``, ``pairs``, ``bulletins`` and ``lists`` of ``taxonomy.yaml``.
Output: validated, frozen models that ``config.taxonomy.Taxonomy`` embeds; the classifier
(``streams.classify_compounds``, ``streams.classify_pairs``, ``streams.classify_items``)
compiles them. Like every term in the taxonomy, Chinese is written in simplified script.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

HitKind = Literal["core", "support", "context", "weak"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HitSpec(_Strict):
    weight: float = Field(default=1.0, gt=0.0, le=2.0)
    kind: HitKind = "core"


class CompoundRule(_Strict):
    """Modifiers of several labels sharing one head ("基因与细胞治疗", "cell and gene therapy").

    Every ordered pair of modifiers of different labels, joined by a ``joiner`` (coordinated)
    or by ``juxtaposed`` (no conjunction), followed by a ``head`` is a term of both labels.
    Coordinated, it counts fully (``weight``, ``kind``) for each; juxtaposed ("基因细胞治疗",
    "cell-based gene therapy") the modifier next to the head counts fully and the other one
    with ``modifier_weight`` (a gene-modified cell therapy is cell therapy first).
    ``not_after``: a modifier right after one of these ("体细胞", "sickle cell") is not one.
    ``bare_kind``: coordinated modifiers without a head ("细胞与基因" in a list of fields) also
    name every label, with this kind (``weak``: a passing mention at most); unset, they don't.
    """

    name: str
    note: str = ""
    modifiers: dict[str, list[str]] = Field(min_length=2)
    joiners: list[str] = Field(min_length=1)
    juxtaposed: str | None = ""
    heads: list[str] = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0.0, le=2.0)
    kind: HitKind = "core"
    modifier_weight: float = Field(default=0.7, gt=0.0, le=2.0)
    not_after: list[str] = Field(default_factory=list)
    bare_kind: HitKind | None = None

    @field_validator("modifiers")
    @classmethod
    def _non_empty(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if any(not words or any(not w.strip() for w in words) for words in value.values()):
            raise ValueError("every label needs at least one non-empty modifier")
        return value


class PairRule(_Strict):
    """Two kinds of words close together mean more than either alone.

    A word of ``first`` within ``window`` characters of a word of ``second`` (either order)
    is one hit for each label in ``hits`` (e.g. "edited" near "stem cells": an ex vivo
    gene-modified cell product, both labels). No hit when a word of ``unless_near`` lies
    within ``unless_window`` characters of the pair. The label's context rules for either
    word still apply (a stem cell beside "activate" stays dropped).
    """

    name: str
    note: str = ""
    first: list[str] = Field(min_length=1)
    second: list[str] = Field(min_length=1)
    window: int = Field(default=30, ge=1, le=400)
    unless_near: list[str] = Field(default_factory=list)
    unless_window: int = Field(default=60, ge=1, le=400)
    hits: dict[str, HitSpec] = Field(min_length=1)


class BulletinConfig(_Strict):
    """Multi-item bulletins: independent briefs, each a headline line and a body.

    A text with at least ``min_items`` briefs (headline: a line of ``headline_min_chars`` to
    ``headline_max_chars`` characters, ``headline_max_chars_latin`` in Latin script, not
    ending a sentence, followed by a longer line) that
    make up at least ``min_line_share`` of its lines is a bulletin (an article with a few
    subheadings or short quoted lines is not). When a label's hits lie in at most
    ``max_share_with_hits`` of the briefs and the bulletin's own title has none, the label's
    salience is that of its strongest brief, read as an article of its own (headline as
    title) and at most ``max_salience``: a self-contained brief is a substantive part, a
    clause in one brief is a passing mention. A brief that names the therapy with a core term
    in a clause enumerating nothing (none of ``enumeration_marks``) is about it: at least
    ``stated_salience``, though its headline does not name it.
    """

    min_items: int = Field(default=3, ge=2)
    headline_min_chars: int = Field(default=6, ge=1)
    headline_max_chars: int = Field(default=40, ge=5)
    headline_max_chars_latin: int = Field(default=90, ge=5,
                                          description="for a headline in Latin script")
    min_line_share: float = Field(default=0.7, gt=0.0, le=1.0)
    max_share_with_hits: float = Field(default=0.5, gt=0.0, le=1.0)
    max_salience: Literal["passing", "secondary"] = "secondary"
    enumeration_marks: list[str] = Field(
        default_factory=lambda: ["、", "等", "和", "与", "及", " and ", " or "])
    stated_salience: Literal["passing", "secondary"] = "secondary"


class ListConfig(_Strict):
    """Lists of fields: a sentence enumerating at least ``min_items`` items (split at
    ``separators``; the inner items at most ``max_item_chars`` long, as names of fields are,
    unlike clauses) in which at most ``max_share`` of the items name the label. When every
    text hit of a label sits in such lists and the title has none, the label is at most
    ``max_salience`` (a policy that names cell therapy among supported fields)."""

    separators: list[str] = Field(default_factory=lambda: ["、"])
    min_items: int = Field(default=4, ge=2)
    max_item_chars: int = Field(default=30, ge=2)
    max_share: float = Field(default=0.34, gt=0.0, le=1.0)
    max_salience: Literal["passing", "secondary"] = "passing"
