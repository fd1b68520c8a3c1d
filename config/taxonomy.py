"""Operator files ``taxonomy.yaml`` and ``gazetteers/*.yaml``: what the classifier looks for.

Input: ``taxonomy.yaml`` (per label weighted bilingual terms, negative contexts, salience
thresholds and topic tags), ``gazetteers/institutions.yaml`` and ``gazetteers/regions.yaml``.
Output: validated ``Taxonomy`` / ``Institutions`` / ``Regions`` models; errors name file, line
and field (via ``load_yaml_model``). Chinese terms are written in simplified script; the
classifier folds traditional script before matching.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from config.labels import LABEL_NAME
from config.taxonomy_rules import BulletinConfig, CompoundRule, ListConfig, PairRule
from config.yamlfile import OperatorFileError, load_yaml_model

TermKind = Literal["core", "support", "context", "weak"]
ContextAction = Literal["drop", "weak"]
SalienceCap = Literal["none", "passing", "secondary"]
SalienceName = Literal["none", "passing", "secondary", "primary"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _clean_terms(values: list[str]) -> list[str]:
    cleaned = [v.strip() for v in values]
    if any(not v for v in cleaned):
        raise ValueError("terms must not be empty")
    return cleaned


class TermGroup(_Strict):
    """Terms sharing a weight and a kind.

    ``core`` terms name the therapy itself (a title hit can make it the main topic);
    ``support`` terms are topical but ambiguous; ``weak`` terms can at most make a passing
    mention.
    """

    weight: float = Field(gt=0.0, le=2.0)
    kind: TermKind = "support"
    note: str = ""
    terms: list[str] = Field(min_length=1)

    @field_validator("terms")
    @classmethod
    def _check_terms(cls, value: list[str]) -> list[str]:
        return _clean_terms(value)


class ContextRule(_Strict):
    """Drop or weaken a label's hits that have a confusing word nearby (same field)."""

    name: str
    note: str = ""
    terms: list[str] = Field(default_factory=list,
                             description="hits this rule applies to; empty = every hit")
    near: list[str] = Field(min_length=1)
    window: int = Field(default=15, ge=1, le=400, description="characters either side")
    same_clause: bool = Field(default=False, description=(
        "near words count only outside the hit and in its clause (no comma, 、, ; : or "
        "sentence end between)"))
    action: ContextAction = "drop"


class DocumentCap(_Strict):
    """Cap a label's salience when the article is about a confusable topic."""

    name: str
    note: str = ""
    when_any: list[str] = Field(min_length=1)
    min_count: int = Field(default=1, ge=1)
    unless_any: list[str] = Field(default_factory=list)
    unless_core: bool = Field(default=False, description="not when the label has a core hit")
    max_salience: SalienceCap = "passing"


class SalienceBound(_Strict):
    min: SalienceName = "none"
    max: SalienceName = "primary"


class Convention(_Strict):
    """A labelling convention between labels, e.g. "CAR-T is cell therapy first".

    When ``when_any`` phrases occur ``min_count`` times (title + text) or a pair rule named
    in ``when_pairs`` matched, none of ``unless_any`` occurs and every label in ``requires``
    has at least that salience, each label in ``then`` is moved into its bounds (a ``min``
    only lifts a label that has some hit).
    """

    name: str
    note: str = ""
    when_any: list[str] = Field(min_length=1)
    min_count: int = Field(default=1, ge=1)
    when_pairs: list[str] = Field(default_factory=list, description="names of pair rules")
    unless_any: list[str] = Field(default_factory=list)
    requires: dict[str, SalienceName] = Field(default_factory=dict)
    then: dict[str, SalienceBound] = Field(min_length=1)


class LabelTaxonomy(_Strict):
    description: str = ""
    term_groups: list[TermGroup] = Field(min_length=1)
    contexts: list[ContextRule] = Field(default_factory=list)
    caps: list[DocumentCap] = Field(default_factory=list)


class MaskGroup(_Strict):
    """Phrases that use "cell"/"gene"/... in another sense; no term inside them counts."""

    name: str
    note: str = ""
    phrases: list[str] = Field(min_length=1)


class TagDef(_Strict):
    description: str = ""
    min_weight: float = Field(default=2.0, gt=0.0)
    title_factor: float = Field(default=2.0, ge=1.0)
    terms: dict[str, float] = Field(min_length=1)


class SalienceConfig(_Strict):
    """How evidence becomes a salience; units are weighted hits (see taxonomy.yaml)."""

    title_factor: float = Field(default=2.5, ge=1.0)
    lead_chars: int = Field(default=240, ge=0)
    lead_share: float = Field(default=0.2, ge=0.0, le=1.0)
    lead_factor: float = Field(default=1.5, ge=1.0)
    units_per_char_zh: float = Field(default=0.6, gt=0.0)
    primary_title: float = Field(default=0.8, gt=0.0)
    primary_title_text: float = Field(default=1.0, ge=0.0)
    primary_support_title: float = Field(default=0.5, gt=0.0)
    primary_support_title_text: float = Field(default=2.0, ge=0.0)
    primary_evidence: float = Field(default=6.0, gt=0.0)
    secondary_evidence: float = Field(default=2.0, gt=0.0)
    co_primary_ratio: float = Field(default=0.6, gt=0.0, le=1.0)
    score_scale: float = Field(default=4.0, gt=0.0)
    segment_units: float = Field(default=60.0, gt=0.0)
    max_segments: int = Field(default=10, ge=3)
    primary_coverage: float = Field(default=0.5, gt=0.0, le=1.0)
    primary_coverage_without_lead: float = Field(
        default=1.0, gt=0.0, le=1.0,
        description="coverage that makes evidence primary even without a lead hit")


class Taxonomy(_Strict):
    """The labels (names are data: ``labels`` keys, in file order) and how to find them."""

    unique_fields: ClassVar[tuple[tuple[str, str], ...]] = (("masks", "name"),
                                                            ("conventions", "name"))
    version: str = Field(min_length=1)
    salience: SalienceConfig = Field(default_factory=SalienceConfig)
    labels: dict[str, LabelTaxonomy] = Field(min_length=1)
    masks: list[MaskGroup] = Field(default_factory=list)
    conventions: list[Convention] = Field(default_factory=list)
    compounds: list[CompoundRule] = Field(default_factory=list)
    pairs: list[PairRule] = Field(default_factory=list)
    bulletins: BulletinConfig = Field(default_factory=BulletinConfig)
    lists: ListConfig = Field(default_factory=ListConfig)
    tags: dict[str, TagDef] = Field(default_factory=dict)

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(self.labels)

    @field_validator("labels")
    @classmethod
    def _label_names(cls, value: dict[str, LabelTaxonomy]) -> dict[str, LabelTaxonomy]:
        bad = [name for name in value if not re.match(LABEL_NAME, name)]
        if bad:
            raise ValueError(f"label names must match {LABEL_NAME} (snake_case); got {bad}")
        return value

    @model_validator(mode="after")
    def _known_labels(self) -> Taxonomy:
        named = [(f"convention {c.name!r}", set(c.requires) | set(c.then))
                 for c in self.conventions]
        named += [(f"compound {c.name!r}", set(c.modifiers)) for c in self.compounds]
        named += [(f"pair {p.name!r}", set(p.hits)) for p in self.pairs]
        for what, labels in named:
            bad = sorted(labels - set(self.labels))
            if bad:
                raise ValueError(f"{what} names unknown label(s) {bad}; "
                                 f"defined: {list(self.labels)}")
        pairs = {p.name for p in self.pairs}
        for c in self.conventions:
            if bad := sorted(set(c.when_pairs) - pairs):
                raise ValueError(f"convention {c.name!r} names unknown pair rule(s) {bad}; "
                                 f"defined: {sorted(pairs)}")
        return self


InstitutionKind = Literal["agency", "regulator", "university", "hospital", "company",
                          "institute", "association", "park", "other"]
RegionKind = Literal["province", "municipality", "autonomous_region", "sar", "city"]


class Institution(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    name_en: str = Field(min_length=1)
    kind: InstitutionKind
    names: list[str] = Field(default_factory=list, description="Chinese names and aliases")
    aliases_en: list[str] = Field(default_factory=list, description="English names/acronyms")
    region: str = Field(default="", description="id of a region in regions.yaml")

    @model_validator(mode="after")
    def _has_names(self) -> Institution:
        if not self.names and not self.aliases_en:
            raise ValueError("give at least one Chinese name or English alias")
        return self


class Region(_Strict):
    id: str = Field(pattern=r"^CN-[A-Z]{2}(:[a-z0-9-]+)?$")
    name: str = Field(min_length=1, description="official Chinese name")
    name_en: str = Field(min_length=1)
    kind: RegionKind
    aliases: list[str] = Field(default_factory=list, description="short or other names")
    aliases_en: list[str] = Field(default_factory=list)
    province: str = Field(default="", description="id of the province of a city")


class Institutions(_Strict):
    unique_fields: ClassVar[tuple[tuple[str, str], ...]] = (("institutions", "id"),)
    institutions: list[Institution] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Institutions:
        _check_unique([i.id for i in self.institutions])
        return self


class Regions(_Strict):
    unique_fields: ClassVar[tuple[tuple[str, str], ...]] = (("regions", "id"),)
    regions: list[Region] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_and_linked(self) -> Regions:
        ids = [r.id for r in self.regions]
        _check_unique(ids)
        known = set(ids)
        for region in self.regions:
            if region.province and region.province not in known:
                raise ValueError(f"region {region.id} names unknown province {region.province}")
        return self


def _check_unique(ids: list[str]) -> None:
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate id(s) {dupes}")


class Gazetteers(_Strict):
    institutions: list[Institution] = Field(default_factory=list)
    regions: list[Region] = Field(default_factory=list)


def load_taxonomy(path: Path) -> Taxonomy:
    """Load and validate ``taxonomy.yaml``."""
    return load_yaml_model(path, Taxonomy)


def load_gazetteers(directory: Path) -> Gazetteers:
    """Load ``institutions.yaml`` and ``regions.yaml`` from ``directory``; check links."""
    insts = load_yaml_model(directory / "institutions.yaml", Institutions).institutions
    regions = load_yaml_model(directory / "regions.yaml", Regions).regions
    known = {r.id for r in regions}
    bad: list[tuple[int | None, str, str]] = [
        (None, f"institutions.{i.id}.region", f"unknown region {i.region!r}")
        for i in insts if i.region and i.region not in known]
    if bad:
        raise OperatorFileError(directory / "institutions.yaml", bad)
    return Gazetteers(institutions=insts, regions=regions)
