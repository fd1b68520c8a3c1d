"""Durable seen-store of crawled articles: which article ids were published, with which content.

Input: article ids and content hashes. Output: the revision to publish (1 for new, +1 for
changed content) or None for unchanged content. Backed by SQLite in the data directory (WAL
mode, so several crawler processes on one host share it safely).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from config.contracts import utcnow

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
  article_id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  revision INTEGER NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL
)
"""


class SeenStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def known(self, article_id: str) -> bool:
        row = self._db.execute("SELECT 1 FROM seen WHERE article_id = ?", (article_id,))
        return row.fetchone() is not None

    def next_revision(self, article_id: str, content_hash: str) -> int | None:
        """The revision this content would get, or None when it is unchanged."""
        row = self._db.execute("SELECT content_hash, revision FROM seen WHERE article_id = ?",
                               (article_id,)).fetchone()
        if row is None:
            return 1
        return None if row[0] == content_hash else int(row[1]) + 1

    def record(self, article_id: str, url: str, content_hash: str, revision: int) -> None:
        """Remember a published revision (call only after the broker acknowledged it)."""
        now = utcnow().isoformat()
        self._db.execute(
            "INSERT INTO seen VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(article_id) DO UPDATE SET "
            "content_hash = excluded.content_hash, revision = excluded.revision, "
            "last_seen = excluded.last_seen",
            (article_id, url, content_hash, revision, now, now))
        self._db.commit()

    def close(self) -> None:
        self._db.close()
