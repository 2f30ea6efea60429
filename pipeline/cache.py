"""Response cache for validated model answers.

`ResponseCache(path)` stores ``key -> value`` (the validated answer as a JSON object) plus
a little metadata (model, prompt id/hash, role, time). With a path it is a SQLite file in
WAL mode, safe for several processes writing at once (each write is one short
transaction, ``INSERT OR REPLACE``, with a busy timeout); with ``None`` it is an in-memory
dict. Keys are built by `pipeline.llm.cache_key` and already include the model, its
parameters, the prompt hash, the data, the seed and the repeat index, so editing a prompt
invalidates its entries by construction. Only successful, validated answers are stored.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["ResponseCache"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    created REAL NOT NULL
)
"""


class ResponseCache:
    """Key/value store for validated model answers (SQLite file, or memory if path is None)."""

    def __init__(self, path: str | Path | None = None, *, busy_timeout_ms: int = 30_000) -> None:
        self.path: Path | None = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self._memory: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._hits = 0
        self._misses = 0
        self._writes = 0
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
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
            self._conn = conn

    # ------------------------------------------------------------------ sync API
    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"{self!r} is closed")

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored value for `key`, or None."""
        with self._lock:
            self._check_open()
            if self._conn is None:
                hit = self._memory.get(key)
                value = json.loads(json.dumps(hit[0])) if hit is not None else None
            else:
                row = self._conn.execute(
                    "SELECT value FROM responses WHERE key = ?", (key,)
                ).fetchone()
                value = json.loads(row[0]) if row is not None else None
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
            self._writes += 1
            if self._conn is None:
                self._memory[key] = (json.loads(value_text), json.loads(meta_text))
                return
            self._conn.execute(
                "INSERT OR REPLACE INTO responses (key, value, meta, created) VALUES (?, ?, ?, ?)",
                (key, value_text, meta_text, time.time()),
            )

    def meta(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            if self._conn is None:
                hit = self._memory.get(key)
                return dict(hit[1]) if hit is not None else None
            row = self._conn.execute("SELECT meta FROM responses WHERE key = ?", (key,)).fetchone()
            return json.loads(row[0]) if row is not None else None

    def __len__(self) -> int:
        with self._lock:
            if self._conn is None:
                return len(self._memory)
            return int(self._conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        with self._lock:
            if self._conn is None:
                return key in self._memory
            row = self._conn.execute("SELECT 1 FROM responses WHERE key = ?", (key,)).fetchone()
            return row is not None

    def stats(self) -> dict[str, Any]:
        """Hits, misses and writes seen by this instance, and the number of stored entries."""
        return {
            "path": str(self.path) if self.path is not None else None,
            "entries": len(self),
            "hits": self._hits,
            "misses": self._misses,
            "writes": self._writes,
        }

    def clear(self) -> None:
        with self._lock:
            if self._conn is None:
                self._memory.clear()
            else:
                self._conn.execute("DELETE FROM responses")

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
        if self._conn is None:
            return self.get(key)
        return await asyncio.to_thread(self.get, key)

    async def aput(self, key: str, value: dict[str, Any], meta: dict[str, Any] | None = None):
        if self._conn is None:
            self.put(key, value, meta)
            return
        await asyncio.to_thread(self.put, key, value, meta)
