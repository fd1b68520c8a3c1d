"""The wire contract: topic names, message models and the one ``article_id``.

Every stage imports its topics and message models from here and nothing else crosses a
process boundary. Messages are JSON (``encode``/``decode``); each model carries a
``schema_version`` so a consumer can refuse, with a clear error, what it does not understand.
The Kafka key of every article message, its Elasticsearch ``_id`` and the alert dedupe key all
derive from ``article_id(url)``: a hash of the canonical URL.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from config.labels import label_names
from config.timezones import aware_published, has_offset

SCHEMA_VERSION = 1
ARTICLE_ID_PATTERN = r"^[0-9a-f]{32}$"
#: What ``article_id()`` produces: 32 lower-case hex digits. Validated at decode, so no stage
#: (Kafka key, Elasticsearch ``_id``, alert key, mail header) ever sees anything else.
ArticleId = Annotated[str, StringConstraints(pattern=ARTICLE_ID_PATTERN)]
#: A story id (the ``article_id`` of its first article) or empty: a short ASCII token, never
#: control characters (it is part of the alert dedupe key).
StoryId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{0,64}$")]


class Topics:
    """Kafka topic names (one place; every stage imports them from here)."""

    CRAWL_REQUESTS = "crawl.requests"
    CRAWL_STATS = "crawl.stats"
    RAW = "articles.raw"
    CLASSIFIED = "articles.classified"
    DEADLETTER = "articles.deadletter"
    OPS_EVENTS = "ops.events"

    @classmethod
    def all(cls) -> list[str]:
        return [cls.CRAWL_REQUESTS, cls.CRAWL_STATS, cls.RAW, cls.CLASSIFIED,
                cls.DEADLETTER, cls.OPS_EVENTS]


_TRACKING_PARAMS = frozenset({"utm_source", "utm_medium", "utm_campaign", "utm_term",
                              "utm_content", "spm", "from", "fbclid", "gclid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Normalise a URL so that trivially different spellings of one page are equal.

    Lower-cases scheme and host, drops default ports, fragments and tracking parameters,
    sorts the query and removes a trailing ``index.html``-free slash difference at the root.
    """
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    # Keep each parameter exactly as written (percent-escapes may be GBK, not UTF-8).
    pairs = [p for p in parts.query.split("&") if p]
    query = "&".join(sorted(p for p in pairs
                            if p.split("=", 1)[0].lower() not in _TRACKING_PARAMS))
    return urlunsplit((scheme, host, path, query, ""))


def article_id(url: str) -> str:
    """The article id: first 32 hex digits of SHA-256 over the canonical URL."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:32]


def content_hash(*parts: str | None) -> str:
    """Stable hash of an article's content, used to detect revisions."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part or "").strip().encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:32]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Message(BaseModel):
    """Base of every message on the wire: strict fields, a schema version, JSON encoding."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    schema_version: Literal[1] = 1

    def encode(self) -> bytes:
        return self.model_dump_json().encode("utf-8")


M = TypeVar("M", bound=Message)


def decode(model: type[M], data: bytes | str, labels: tuple[str, ...] | None = None) -> M:
    """Parse a wire message; raises ``pydantic.ValidationError`` with the failing fields.
    With ``labels`` (a taxonomy's label names) a classification naming others is refused."""
    context = {"labels": labels} if labels is not None else None
    return model.model_validate_json(data, context=context)


SourceKind = Literal["government", "ftz", "university", "hospital", "regulator", "press", "demo"]
Salience = Literal["primary", "secondary", "passing", "none"]
# The labels of the shipped taxonomy (config/taxonomy.yaml): labels are data, not code.
LABELS: tuple[str, ...] = label_names()
SALIENCE_ORDER: dict[str, int] = {"none": 0, "passing": 1, "secondary": 2, "primary": 3}


class CrawlJob(Message):
    """Scheduler → crawler workers: crawl one source now."""

    job_id: str
    source_id: str
    requested_at: datetime = Field(default_factory=utcnow)
    reason: Literal["schedule", "manual", "retry"] = "schedule"
    attempt: int = 1


class CrawlStats(Message):
    """Crawler → ``crawl.stats``: the outcome of one crawl of one source."""

    job_id: str
    source_id: str
    worker: str
    started_at: datetime
    finished_at: datetime
    ok: bool
    error: str | None = None
    pages_fetched: int = 0
    list_pages: int = 0
    links_found: int = 0
    articles_published: int = 0
    articles_unchanged: int = 0
    errors: int = 0
    http_status: dict[str, int] = Field(default_factory=dict)
    not_modified: int = 0  # list or article pages answered 304 (conditional GET)
    cause: str = ""  # why, in words: "DNS failure", "HTTP 403", "unchanged (304)", ...
    articles_new: int = 0  # of articles_published, those seen for the first time
    articles_rechecked: int = 0  # known articles fetched again (re-check schedule)


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


class DeadLetter(Message):
    """Any stage → ``articles.deadletter``: an input it could not process, and why."""

    stage: str
    error_type: str
    error: str
    topic: str = ""
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    article_id: str | None = None
    payload: str = ""
    failed_at: datetime = Field(default_factory=utcnow)


class OpsEvent(Message):
    """An operator alert: a source turned unhealthy, a channel keeps failing, ..."""

    kind: str
    subject: str
    message: str
    severity: Literal["info", "warning", "error"] = "warning"
    at: datetime = Field(default_factory=utcnow)
    details: dict[str, Any] = Field(default_factory=dict)


SourceHealthState = Literal["healthy", "unhealthy", "unknown"]


class SourceHealth(Message):
    """Crawler → ``<prefix>-sources`` index (one document per source): durable crawl health."""

    source_id: str
    health: SourceHealthState = "unknown"
    reason: str = ""
    last_run: datetime | None = None
    last_success: datetime | None = None
    last_new_items: int = 0
    new_items_total: int = 0
    last_links_found: int = 0
    consecutive_failures: int = 0
    last_error: str | None = None
    last_cause: str = ""  # the last crawl's outcome in words (see ``CrawlStats.cause``)
    last_job_id: str = ""
    worker: str = ""


def dead_letter_for(stage: str, exc: BaseException, payload: bytes | str | None, **where: Any
                    ) -> DeadLetter:
    """Build a dead letter with a readable reason and the (truncated) offending payload."""
    text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else (payload or "")
    return DeadLetter(stage=stage, error_type=type(exc).__name__, error=str(exc)[:4000],
                      payload=text[:100_000], **where)
