"""Append-only results journal: ``results.jsonl`` doubles as the resume log.

Each finished (sample, repeat) is one JSON line, flushed and fsync'ed before the next is
written, keyed by ``(sample_id, repeat, config_hash)`` plus the sample's content hash. On
restart the journal is read back, lines cut short by a kill are ignored, and every key
already present is skipped, so an interrupted eval resumes where it stopped and a rerun
of finished work costs nothing. Rows with an ``error`` are not "done": they are retried.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["Journal", "row_key"]


def row_key(row: dict) -> tuple[str, int, str, str]:
    return (row["sample_id"], int(row["repeat"]), row["config_hash"], row.get("sample_hash", ""))


class Journal:
    """An append-only JSONL file with fsync per record."""

    def __init__(self, path: str | Path, *, fsync: bool = True) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self.skipped_lines = 0
        self._rows: dict[tuple, dict] = {}
        self._fh = None
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                try:
                    row = json.loads(line)
                    key = row_key(row)
                except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                    self.skipped_lines += 1  # a line cut short by a kill
                    continue
                self._rows[key] = row  # last record for a key wins

    def done(self, key: tuple) -> bool:
        row = self._rows.get(key)
        return row is not None and not row.get("error")

    def get(self, key: tuple) -> dict | None:
        return self._rows.get(key)

    def rows(self, config_hash: str | None = None) -> list[dict]:
        return [
            r for r in self._rows.values() if config_hash is None or r["config_hash"] == config_hash
        ]

    def __len__(self) -> int:
        return len(self._rows)

    def append(self, row: dict) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            needs_newline = False
            if self.path.exists() and self.path.stat().st_size > 0:
                with open(self.path, "rb") as fh:
                    fh.seek(-1, os.SEEK_END)
                    needs_newline = fh.read(1) != b"\n"
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open
            if needs_newline:  # never glue a record onto a half-written line
                self._fh.write("\n")
        self._fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str) + "\n")
        self._fh.flush()
        if self.fsync:
            os.fsync(self._fh.fileno())
        self._rows[row_key(row)] = row

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
