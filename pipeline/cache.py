"""Response cache for validated model answers.

`ResponseCache(path)` stores ``key -> value`` (the validated answer as a JSON object) plus
a little metadata (model, prompt id/hash, role, time). With a path it is a SQLite file in
WAL mode, safe for several processes writing at once (each write is one short
transaction, ``INSERT OR REPLACE``, with a busy timeout); with ``None`` it is an in-memory
dict. Keys are built by `pipeline.llm.cache_key` and already include the model, its
parameters, the prompt hash, the data, the seed and the repeat index, so editing a prompt
invalidates its entries by construction. Only successful, validated answers are stored.

A file that SQLite cannot use (not a database, damaged pages, an I/O error) never fails a
run: the first ``sqlite3.DatabaseError`` (on open or on any later query) is reported once,
naming the file, through ``on_error`` (default: a warning on the ``pipeline.cache`` logger),
and the cache then behaves as an empty cache that stores nothing (``get`` misses, ``put``
drops the answer, ``stats()`` reports the problem under ``"error"``). ``broken`` holds the
reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["ResponseCache"]

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    created REAL NOT NULL
)
"""


def _transient(exc: sqlite3.DatabaseError) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: the file is fine, another connection held it too long."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name:
        return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


class ResponseCache:
    """Key/value store for validated model answers (SQLite file, or memory if path is None)."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        busy_timeout_ms: int = 30_000,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.path: Path | None = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self._memory: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._hits = 0
        self._misses = 0
        self._writes = 0
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self._on_error = on_error
        #: why the file was given up (None while it works); see the module docstring
        self.broken: str | None = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = None
            try:
                conn = sqlite3.connect(
                    str(self.path),
                    timeout=busy_timeout_ms / 1000,
                    isolation_level=None,  # autocommit; explicit short transactions below
                    check_same_thread=False,
                )
                conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
                for _ in range(50):  # switching to WAL needs a moment without other writers
                    try:
                        conn.execute("PRAGMA journal_mode = WAL")
                        break
                    except sqlite3.OperationalError:
                        time.sleep(0.05)
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute(_SCHEMA)
                conn.execute("SELECT key FROM responses LIMIT 1").fetchall()  # reads a page
            except sqlite3.DatabaseError as exc:
                if conn is not None:
                    conn.close()
                self._give_up(exc)
            else:
                self._conn = conn

    def _give_up(self, exc: BaseException) -> None:
        """Stop using the file after a DatabaseError; report it once. Call with the
        lock held (or from __init__)."""
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None
        if self.broken is not None:
            return
        self.broken = f"{type(exc).__name__}: {exc}"
        message = (
            f"warning: response cache {self.path} is corrupt or unreadable ({exc}); "
            "continuing without the cache. Delete the file, or run with --no-cache "
            "(cache=None), to get rid of this warning."
        )
        try:
            if self._on_error is not None:
                self._on_error(message)
            else:
                log.warning("%s", message)
        except Exception:  # noqa: BLE001 - reporting must never fail a run
            pass

    def _query(self, sql: str, params: tuple = ()) -> list[tuple] | None:
        """Run one statement on the file (lock held); None once the file is given up."""
        if self._conn is None:
            return None
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            if _transient(exc):  # another writer held the file past the busy timeout
                raise
            self._give_up(exc)
            return None

    @property
    def _persistent(self) -> bool:
        return self.path is not None

    # ------------------------------------------------------------------ sync API
    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"{self!r} is closed")

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored value for `key`, or None."""
        with self._lock:
            self._check_open()
            if not self._persistent:
                hit = self._memory.get(key)
                value = json.loads(json.dumps(hit[0])) if hit is not None else None
            else:
                rows = self._query("SELECT value FROM responses WHERE key = ?", (key,))
                value = None
                if rows:
                    try:
                        value = json.loads(rows[0][0])
                    except (TypeError, ValueError):  # a damaged value: a miss
                        value = None
            if value is None:
                self._misses += 1
            else:
                self._hits += 1
            return value

    def put(self, key: str, value: dict[str, Any], meta: dict[str, Any] | None = None) -> None:
        """Store one validated answer (one short transaction)."""
        value_text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        meta_text = json.dumps(meta or {}, ensure_ascii=False, sort_keys=True, default=str)
        with self._lock:
            self._check_open()
            if not self._persistent:
                self._writes += 1
                self._memory[key] = (json.loads(value_text), json.loads(meta_text))
                return
            stored = self._query(
                "INSERT OR REPLACE INTO responses (key, value, meta, created) VALUES (?, ?, ?, ?)",
                (key, value_text, meta_text, time.time()),
            )
            if stored is not None:
                self._writes += 1

    def meta(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            if not self._persistent:
                hit = self._memory.get(key)
                return dict(hit[1]) if hit is not None else None
            rows = self._query("SELECT meta FROM responses WHERE key = ?", (key,))
            try:
                return json.loads(rows[0][0]) if rows else None
            except (TypeError, ValueError):
                return None

    def __len__(self) -> int:
        with self._lock:
            if not self._persistent:
                return len(self._memory)
            rows = self._query("SELECT COUNT(*) FROM responses")
            return int(rows[0][0]) if rows else 0

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        with self._lock:
            if not self._persistent:
                return key in self._memory
            return bool(self._query("SELECT 1 FROM responses WHERE key = ?", (key,)))

    def stats(self) -> dict[str, Any]:
        """Hits, misses and writes seen by this instance, the number of stored entries
        (None if the file cannot be read) and ``error`` (why the file was given up, or
        None). Never raises, even on a corrupt or closed file."""
        entries: int | None
        try:
            entries = len(self)
        except sqlite3.Error:  # busy past the time-out: the count is unknown, not an error
            entries = None
        if self.broken is not None:
            entries = None
        return {
            "path": str(self.path) if self.path is not None else None,
            "entries": entries,
            "hits": self._hits,
            "misses": self._misses,
            "writes": self._writes,
            "error": self.broken,
        }

    def clear(self) -> None:
        with self._lock:
            if not self._persistent:
                self._memory.clear()
            else:
                self._query("DELETE FROM responses")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self._closed = True

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ResponseCache({str(self.path) if self.path else None!r})"

    # ----------------------------------------------------------------- async API
    async def aget(self, key: str) -> dict[str, Any] | None:
        """`get` that never blocks the event loop on a busy file."""
        if self._conn is None:  # memory, or a file given up: nothing to wait for
            return self.get(key)
        return await asyncio.to_thread(self.get, key)

    async def aput(self, key: str, value: dict[str, Any], meta: dict[str, Any] | None = None):
        if self._conn is None:
            self.put(key, value, meta)
            return
        await asyncio.to_thread(self.put, key, value, meta)
