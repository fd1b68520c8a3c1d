"""Article messages of the wire contract: raw (``articles.raw``) and classified
(``articles.classified``), with the classification and the label vocabulary they carry.

Input: JSON through ``config.contracts.wire.decode``. Output: ``RawArticle``,
``ClassifiedArticle``, ``Classification`` and its parts, ``LABELS`` (the shipped taxonomy's
label names: labels are data, not code) and ``SALIENCE_ORDER``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from config.contracts.ids import ArticleId, StoryId
from config.contracts.wire import Message, utcnow
from config.labels import label_names
from config.timezones import aware_published, has_offset

SourceKind = Literal["government", "ftz", "university", "hospital", "regulator", "press", "demo"]
Salience = Literal["primary", "secondary", "passing", "none"]
# The labels of the shipped taxonomy (config/taxonomy.yaml): labels are data, not code.
LABELS: tuple[str, ...] = label_names()
SALIENCE_ORDER: dict[str, int] = {"none": 0, "passing": 1, "secondary": 2, "primary": 3}


class Attachment(BaseModel):
    model_config = ConfigDict(frozen=True)
    url: str
    name: str = ""
    kind: str = ""


class ArticleFields(Message):
    """Fields shared by raw and classified articles."""

    article_id: ArticleId
    url: str
    source_id: str
    source_name: str = ""
    source_kind: str = ""
    region: str = ""
    fetched_at: datetime = Field(default_factory=utcnow)
    title: str = ""
    #: ISO 8601 with the UTC offset (``2026-11-18T09:30:00+08:00``): the page's own offset,
    #: else the source's ``timezone``. Values without an offset only come from messages
    #: written before offsets were required; readers treat them with ``config.timezones``.
    published: str | None = None
    text: str = ""
    language: str = ""
    author: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    content_hash: str = ""
    revision: int = 1


    @field_validator("published")
    @classmethod
    def _published_iso(cls, value: str | None) -> str | None:
        """An offset-bearing value is normalised to ``YYYY-MM-DDTHH:MM:SS+HH:MM``."""
        if value and has_offset(value):
            return aware_published(value, "UTC")
        return value


class RawArticle(ArticleFields):
    """Crawler → ``articles.raw``: extracted fields plus the page itself, for replay."""

    html: str = ""
    encoding: str = ""
    http_status: int = 200
    list_url: str | None = None
    extractor: str = ""


class Evidence(BaseModel):
    model_config = ConfigDict(frozen=True)
    term: str
    snippet: str
    field: Literal["title", "text"] = "text"
    weight: float = 0.0


class LabelResult(BaseModel):
    model_config = ConfigDict(frozen=True)
    score: float = Field(ge=0.0, le=1.0)
    salience: Salience = "none"
    evidence: list[Evidence] = Field(default_factory=list)


class Entity(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    name: str
    name_en: str = ""
    kind: str = ""


class Classification(BaseModel):
    """Output of the pure classifier for one article."""

    model_config = ConfigDict(frozen=True)
    labels: list[str] = Field(default_factory=list)
    results: dict[str, LabelResult] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    institutions: list[Entity] = Field(default_factory=list)
    regions: list[Entity] = Field(default_factory=list)
    classifier: str = ""

    @model_validator(mode="after")
    def _known_labels(self, info: ValidationInfo) -> Classification:
        """Every label has a result; with a ``labels`` validation context (the taxonomy's
        label names), results name only those labels."""
        missing = sorted(set(self.labels) - set(self.results))
        if missing:
            raise ValueError(f"labels {missing} have no result")
        known = (info.context or {}).get("labels") if info else None
        unknown = sorted(set(self.results) - set(known)) if known is not None else []
        if unknown:
            raise ValueError(f"unknown label(s) {unknown}; known: {list(known or [])}")
        return self


class ClassifiedArticle(ArticleFields):
    """Faust worker → ``articles.classified``: the article without its page, classified."""

    classification: Classification
    story_id: StoryId = ""
    classified_at: datetime = Field(default_factory=utcnow)

    @property
    def labels(self) -> list[str]:
        return self.classification.labels
