"""Append-only results journal: ``results.jsonl`` doubles as the resume log.

Each finished (sample, repeat) is one JSON line, flushed and fsync'ed before the next is
written, keyed by ``(sample_id, repeat, config_hash)`` plus the sample's content hash. On
restart the journal is read back, lines cut short by a kill are ignored, and every key
already present is skipped, so an interrupted eval resumes where it stopped and a rerun
of finished work costs nothing. Rows with an ``error`` are not "done": they are retried.

The file is read as bytes and decoded line by line: a damaged line (torn by a kill, even
inside a multi-byte UTF-8 character, binary junk, not JSON, not a row) is skipped and
counted in ``skipped_lines``; its sample is simply run again. The journal is never
written through a symbolic link (`JournalError`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["ResultJournal", "JournalError", "row_key"]


class JournalError(OSError):
    """The journal file cannot be written safely (e.g. it is a symbolic link)."""


def row_key(row: dict) -> tuple[str, int, str, str]:
    return (row["sample_id"], int(row["repeat"]), row["config_hash"], row.get("sample_hash", ""))


def _parse_line(raw: bytes) -> tuple[tuple, dict] | None:
    """(key, row) of one journal line, or None for a damaged line."""
    try:
        row = json.loads(raw.decode("utf-8"))  # strict: a torn or binary line fails here
        if not isinstance(row, dict):
            return None
        key = row_key(row)
        if not all(isinstance(k, str) for k in (key[0], key[2], key[3])):
            return None
        hash(key)
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError):
        return None  # UnicodeDecodeError and JSONDecodeError are ValueErrors too
    return key, row


class ResultJournal:
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
        data = self.path.read_bytes()
        for raw in data.split(b"\n"):
            raw = raw.strip()
            if not raw:
                continue
            parsed = _parse_line(raw)
            if parsed is None:
                self.skipped_lines += 1  # torn by a kill, binary junk, not a row
                continue
            key, row = parsed
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

    def damage_warning(self) -> str | None:
        """One line naming the file and the damaged lines it skipped (None if none)."""
        if not self.skipped_lines:
            return None
        return (
            f"warning: {self.path}: skipped {self.skipped_lines} damaged line(s) (torn, "
            "not UTF-8 or not a result row); their samples are run again"
        )

    def __len__(self) -> int:
        return len(self._rows)

    def append(self, row: dict) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            refusal = f"{self.path} is a symbolic link; refusing to write through it"
            if self.path.is_symlink():
                raise JournalError(refusal)
            flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
            try:
                fd = os.open(self.path, flags, 0o666)
            except OSError:
                if self.path.is_symlink():  # placed between the check and the open
                    raise JournalError(refusal) from None
                raise
            try:
                size = os.fstat(fd).st_size
                needs_newline = False
                if size > 0:  # never glue a record onto a half-written line
                    os.lseek(fd, size - 1, os.SEEK_SET)
                    needs_newline = os.read(fd, 1) != b"\n"
                self._fh = open(fd, "a", encoding="utf-8")  # noqa: SIM115 - kept open
            except BaseException:
                os.close(fd)
                raise
            if needs_newline:
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

    def __enter__(self) -> ResultJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
