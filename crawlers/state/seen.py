"""Durable seen-store: which articles were published, with which content and HTTP validators.

Input: article ids, content hashes, ``ETag``/``Last-Modified`` values of article and list pages.
Output: the revision to publish (1 for new, +1 for changed content, None for unchanged), the
records of known articles (for re-checks with conditional GET) and the validators of list
pages, every record (``records``, for ``cgtwatch reconcile``) and ``forget`` (the crawler
then takes an article for new and fetches it again). Two backends with one interface:
``ElasticSeenStore`` (``crawlers.state.seen_es``, the default: one index shared by every
crawler replica on any host) and ``SqliteSeenStore`` (a file in the data directory; WAL mode,
shared by crawler processes on one host only).
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from config.contracts.ids import article_id as url_id
from config.contracts.wire import utcnow


@dataclass(frozen=True, slots=True)
class SeenRecord:
    """What the store remembers about one published article (or one list page)."""

    article_id: str
    url: str
    content_hash: str = ""
    revision: int = 0
    etag: str | None = None
    last_modified: str | None = None
    first_seen: str = ""
    last_seen: str = ""
    next_check: str = ""  # list pages: when an article on it is next due for a re-check


def page_key(url: str) -> str:
    """Store key of a list page (kept apart from article ids)."""
    return "page-" + url_id(url)


class SeenStore(ABC):
    """The seen-store interface; revisions are decided here, storage by the subclasses."""

    @abstractmethod
    def lookup(self, article_ids: list[str]) -> dict[str, SeenRecord]:
        """Records of those ids that are known (one round trip)."""

    @abstractmethod
    def _write(self, record: SeenRecord) -> None:
        """Insert or update ``record``, keeping ``first_seen`` of an existing one."""

    @abstractmethod
    def records(self) -> Iterator[SeenRecord]:
        """Every record, articles and list pages (``page-`` keys), in no particular order."""

    @abstractmethod
    def forget(self, keys: list[str]) -> None:
        """Delete these records (unknown keys are ignored)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def articles(self) -> Iterator[SeenRecord]:
        """The records of published articles (not of list pages)."""
        return (r for r in self.records() if not r.article_id.startswith("page-"))

    def get(self, article_id: str) -> SeenRecord | None:
        return self.lookup([article_id]).get(article_id)

    def known(self, article_id: str) -> bool:
        return self.get(article_id) is not None

    def next_revision(self, article_id: str, content_hash: str) -> int | None:
        """The revision this content would get, or None when it is unchanged."""
        record = self.get(article_id)
        if record is None:
            return 1
        return None if record.content_hash == content_hash else record.revision + 1

    def record(self, article_id: str, url: str, content_hash: str, revision: int,
               etag: str | None = None, last_modified: str | None = None) -> None:
        """Remember a published revision (call only after the broker acknowledged it)."""
        now = utcnow().isoformat()
        self._write(SeenRecord(article_id, url, content_hash, revision, etag, last_modified,
                               now, now))

    def touch(self, article_id: str, etag: str | None, last_modified: str | None) -> None:
        """A re-checked article was unchanged: refresh its validators and ``last_seen``."""
        old = self.get(article_id)
        if old is not None:
            self.record(article_id, old.url, old.content_hash, old.revision,
                        etag or old.etag, last_modified or old.last_modified)

    def page_validators(self, url: str) -> SeenRecord | None:
        """The ``ETag``/``Last-Modified`` a list page had when it was last fully crawled."""
        return self.get(page_key(url))

    def record_page(self, url: str, etag: str | None, last_modified: str | None,
                    links_hash: str = "", next_check: str = "") -> None:
        """Remember a list page after a clean crawl: its validators, the fingerprint of its
        article links (kept as its ``content_hash``) and its next re-check time."""
        if etag or last_modified or links_hash:
            now = utcnow().isoformat()
            self._write(SeenRecord(page_key(url), url, links_hash, 0, etag, last_modified,
                                   now, now, next_check))


_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
  article_id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  revision INTEGER NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  etag TEXT,
  last_modified TEXT,
  next_check TEXT
)
"""
_COLUMNS = ("article_id, url, content_hash, revision, etag, last_modified, first_seen, "
            "last_seen, next_check")


class SqliteSeenStore(SeenStore):
    """Single-host backend: one SQLite file (``CGTWATCH_CRAWLER__SEEN_STORE=sqlite``)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(seen)")}
        for added in ("etag", "last_modified", "next_check"):  # files from older versions
            if added not in columns:
                self._db.execute(f"ALTER TABLE seen ADD COLUMN {added} TEXT")
        self._db.commit()

    def lookup(self, article_ids: list[str]) -> dict[str, SeenRecord]:
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM seen WHERE article_id IN ({marks})",
                                article_ids).fetchall()
        return {row[0]: SeenRecord(row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                                   row[7], row[8] or "") for row in rows}

    def _write(self, record: SeenRecord) -> None:
        self._db.execute(
            f"INSERT INTO seen ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(article_id) DO UPDATE SET content_hash = excluded.content_hash, "
            "revision = excluded.revision, etag = excluded.etag, "
            "last_modified = excluded.last_modified, last_seen = excluded.last_seen, "
            "next_check = excluded.next_check",
            (record.article_id, record.url, record.content_hash, record.revision, record.etag,
             record.last_modified, record.first_seen, record.last_seen,
             record.next_check or None))
        self._db.commit()

    def records(self) -> Iterator[SeenRecord]:
        for row in self._db.execute(f"SELECT {_COLUMNS} FROM seen").fetchall():
            yield SeenRecord(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                             row[8] or "")

    def forget(self, keys: list[str]) -> None:
        self._db.executemany("DELETE FROM seen WHERE article_id = ?", [(k,) for k in keys])
        self._db.commit()

    def close(self) -> None:
        self._db.close()


class MemorySeenStore(SeenStore):
    """An empty store in memory: a preview crawl sees every article as new, stores nothing."""

    def __init__(self) -> None:
        self._records: dict[str, SeenRecord] = {}

    def lookup(self, article_ids: list[str]) -> dict[str, SeenRecord]:
        return {i: self._records[i] for i in article_ids if i in self._records}

    def _write(self, record: SeenRecord) -> None:
        self._records[record.article_id] = record

    def records(self) -> Iterator[SeenRecord]:
        return iter(list(self._records.values()))

    def forget(self, keys: list[str]) -> None:
        for key in keys:
            self._records.pop(key, None)
