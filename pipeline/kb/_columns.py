"""Column-wise stores and lazy mapping views: objects are built only for what is looked at."""

from __future__ import annotations

import marshal
import sys
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from pipeline.kb._disk import no_gc
from pipeline.kb._records import KIND_RANK, NAME_KINDS, Drug, DrugName


class NameColumns:
    """Names stored column-wise (`DrugName` objects are built only for names looked at)."""

    __slots__ = (
        "texts",
        "drugs",
        "kinds",
        "sources",
        "kind_names",
        "source_names",
        "by_drug",
        "index",
        "first_words",
        "last_words",
    )

    def __init__(self, d: dict) -> None:
        self.texts: list[str] = d["texts"]
        self.drugs: list[str] = d["drugs"]
        self.kinds: bytes = d["kinds"]
        self.sources: bytes = d["sources"]
        self.kind_names: tuple[str, ...] = tuple(d["kind_names"])
        self.source_names: tuple[str, ...] = tuple(d["source_names"])
        self.by_drug: dict[str, tuple[int, ...]] = d["by_drug"]
        self.index: dict[str, int | tuple[int, ...]] = d["index"]
        #: first and last word of every multi-word normalised name (extraction prunes
        #: n-grams with them); kept in the load cache: computing them costs 0.15 s
        self.first_words: frozenset[str] = d["first_words"]
        self.last_words: frozenset[str] = d["last_words"]

    def row(self, i: int) -> DrugName:
        return DrugName(
            self.texts[i],
            self.drugs[i],
            self.kind_names[self.kinds[i]],
            self.source_names[self.sources[i]],
        )

    @classmethod
    def from_json(cls, raw: dict) -> NameColumns:
        kind_names, source_names = list(raw["kinds"]), list(raw["sources"])
        rank = [KIND_RANK.get(k, len(NAME_KINDS)) for k in kind_names]
        texts: list[str] = []
        drugs: list[str] = []
        kinds = bytearray()
        sources = bytearray()
        by_drug: dict[str, list[int]] = {}
        index: dict[str, list[int]] = {}
        intern = sys.intern  # shared strings: marshal then stores references, not copies
        for i, (text, drug, k, src, norm) in enumerate(raw["names"]):
            drug = intern(drug)
            texts.append(text)
            drugs.append(drug)
            kinds.append(k)
            sources.append(src)
            by_drug.setdefault(drug, []).append(i)
            index.setdefault(norm, []).append(i)  # the build keeps one name per (norm, drug)
        for rows in by_drug.values():
            rows.sort(key=lambda i: rank[kinds[i]])  # stable: file order within a kind
        packed: dict[str, int | tuple[int, ...]] = {}
        for norm, rows in index.items():
            if len(rows) == 1:
                packed[norm] = rows[0]
            else:
                rows.sort(key=lambda i: (rank[kinds[i]], drugs[i]))
                packed[norm] = tuple(rows)
        multi = [n for n in packed if " " in n]
        return cls(
            {
                "texts": texts,
                "drugs": drugs,
                "kinds": bytes(kinds),
                "sources": bytes(sources),
                "kind_names": kind_names,
                "source_names": source_names,
                "by_drug": {d: tuple(rows) for d, rows in by_drug.items()},
                "index": packed,
                "first_words": frozenset(n[: n.index(" ")] for n in multi),
                "last_words": frozenset(n[n.rindex(" ") + 1 :] for n in multi),
            }
        )

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}


class DrugMap(Mapping):
    """``key -> Drug``, a read-only mapping over the raw rows; each `Drug` is built on first
    access (most queries look at a handful of the ~20k drugs)."""

    __slots__ = ("rows", "_built")

    def __init__(self, rows: list) -> None:
        with no_gc():
            self.rows: dict[str, tuple] = {r[0]: r for r in rows}
        self._built: dict[str, Drug] = {}

    def _build(self, key: str, row: tuple) -> Drug:
        _, name, drug_id, ids, kind, covered, classes = row
        d = Drug(key, name, drug_id, ids, kind, bool(covered), tuple(classes))
        self._built[key] = d
        return d

    def __getitem__(self, key: str) -> Drug:
        d = self._built.get(key)
        if d is not None:
            return d
        return self._build(key, self.rows[key])

    def get(self, key: str, default: Any = None) -> Any:
        d = self._built.get(key)
        if d is not None:
            return d
        row = self.rows.get(key)
        return default if row is None else self._build(key, row)

    def __contains__(self, key: object) -> bool:
        return key in self.rows

    def __iter__(self) -> Iterator[str]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


class NameIndexView(Mapping):
    """``normalise(text) -> [DrugName, ...]`` over the column store: a read-only mapping
    whose lists are built on first access (and then reused)."""

    __slots__ = ("_names", "_index", "_built")

    def __init__(self, names: NameColumns) -> None:
        self._names = names
        self._index = names.index
        self._built: dict[str, list[DrugName]] = {}

    def _build(self, norm: str, rows: int | tuple[int, ...]) -> list[DrugName]:
        row = self._names.row
        out = [row(rows)] if isinstance(rows, int) else [row(i) for i in rows]
        self._built[norm] = out
        return out

    def __getitem__(self, norm: str) -> list[DrugName]:
        hit = self._built.get(norm)
        if hit is not None:
            return hit
        return self._build(norm, self._index[norm])

    def get(self, norm: str, default: Any = None) -> Any:
        hit = self._built.get(norm)
        if hit is not None:
            return hit
        rows = self._index.get(norm)
        if rows is None:
            return default
        return self._build(norm, rows)

    def __contains__(self, norm: object) -> bool:
        return norm in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


#: shards of a `ShardedMap`, items per chunk of a `ChunkedList`
SHARDS = 64
CHUNK = 128


def shard_of(key: str, shards: int = SHARDS) -> int:
    """A stable shard number for a KB key (``hash()`` of a str changes between processes)."""
    return zlib.crc32(key.encode()) % shards


class ShardedMap(Mapping):
    """A read-only mapping kept as one marshal blob per shard of its keys: a lookup decodes
    only its key's shard (a two-drug query reads a few of the 64), iteration decodes all."""

    __slots__ = ("_blobs", "_shards", "_shard_key", "_len")

    def __init__(self, stored: dict, shard_key: Callable[[Any], str]) -> None:
        self._blobs: list[bytes] = stored["blobs"]
        self._shards: list[dict | None] = [None] * len(self._blobs)
        self._shard_key = shard_key
        self._len: int = stored["len"]

    @staticmethod
    def store(items: Mapping, shard_key: Callable[[Any], str], shards: int = SHARDS) -> dict:
        parts: list[dict] = [{} for _ in range(shards)]
        for key, value in items.items():
            parts[shard_of(shard_key(key), shards)][key] = value
        return {"blobs": [marshal.dumps(part) for part in parts], "len": len(items)}

    def _shard(self, i: int) -> dict:
        shard = self._shards[i]
        if shard is None:  # two threads may both decode it: the same value either way
            with no_gc():
                shard = self._shards[i] = marshal.loads(self._blobs[i])
        return shard

    def _for(self, key: Any) -> dict:
        return self._shard(shard_of(self._shard_key(key), len(self._blobs)))

    def __getitem__(self, key: Any) -> Any:
        return self._for(key)[key]

    def get(self, key: Any, default: Any = None) -> Any:
        return self._for(key).get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._for(key)

    def __iter__(self) -> Iterator:
        for i in range(len(self._blobs)):
            yield from self._shard(i)

    def __len__(self) -> int:
        return self._len


class ChunkedList(Sequence):
    """A read-only list kept as marshal blobs of `CHUNK` items, each decoded on first use."""

    __slots__ = ("_blobs", "_chunks", "_len")

    def __init__(self, stored: dict) -> None:
        self._blobs: list[bytes] = stored["blobs"]
        self._chunks: list[list | None] = [None] * len(self._blobs)
        self._len: int = stored["len"]

    @staticmethod
    def store(items: list) -> dict:
        blobs = [marshal.dumps(items[i : i + CHUNK]) for i in range(0, len(items), CHUNK)]
        return {"blobs": blobs, "len": len(items)}

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError(i)
        chunk = self._chunks[i // CHUNK]
        if chunk is None:
            with no_gc():
                chunk = self._chunks[i // CHUNK] = marshal.loads(self._blobs[i // CHUNK])
        return chunk[i % CHUNK]

    def __len__(self) -> int:
        return self._len
