"""Drug interaction knowledge base: loader and public API.

The data files under ``data/kb/`` are produced by ``python -m tools.kb.build`` from
drug-named-entity-recognition (names), FDA UNII names (brands, salts) and the ANSM
interaction thesaurus (edition 2020-01). See ``data/README.md`` for the data card.

Loading is lazy and cached: `load_kb()` reads only the drugs; names and interactions load
on first use (`KnowledgeBase.prepare()` loads them at once). Each part is parsed from gzip
JSON once, then kept as `marshal` files in ``data/kb/.cache/`` keyed by the data version
(`_LoadCache`), which later processes read about 3x faster.

Absence of a pair from the KB means "no evidence", never "safe".
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import hashlib
import json
import marshal
import os
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from pipeline.kb.rules import level_applies
from pipeline.kb.text import normalise

__all__ = [
    "SEVERITIES",
    "Drug",
    "DrugName",
    "Interaction",
    "KnowledgeBase",
    "KBDataMissingError",
    "load_kb",
    "normalise",
    "default_data_dir",
]

SEVERITIES = ("contraindicated", "major", "moderate", "minor")  # most to least severe
NAME_KINDS = ("generic", "international", "brand", "salt", "synonym")  # names() order
DRUG_KINDS = ("drug", "food", "herbal", "other")
SOURCE = "ANSM thesaurus 2020-01"

DRUGS_FILE = "drugs.json.gz"
NAMES_FILE = "names.json.gz"
INTERACTIONS_FILE = "interactions.json.gz"
DATA_FILES = (DRUGS_FILE, NAMES_FILE, INTERACTIONS_FILE)

_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_KIND_RANK = {k: i for i, k in enumerate(NAME_KINDS)}


@dataclass(frozen=True, slots=True)
class Drug:
    key: str  # canonical lowercase English name, e.g. "warfarin"
    name: str  # display name, "Warfarin"
    drug_id: str  # DrugBank id when known, else "kb:<key>"
    ids: dict  # drugbank / mesh / medlineplus / unii when known
    kind: str  # "drug" | "food" | "herbal" | "other"
    covered: bool  # appears in ANSM (directly or via a class)
    classes: tuple[str, ...]  # ANSM class names (French) it belongs to

    def __hash__(self) -> int:  # ids is a dict: hash on the key only
        return hash(self.key)


class DrugName(NamedTuple):
    """One name of a drug. Built on demand from the column store (`_Names.row`), often in
    bulk (every name of a drug, every entry of an index key): a NamedTuple builds ~20x
    faster than a frozen dataclass."""

    text: str
    drug: str  # Drug.key
    kind: str  # generic | brand | salt | synonym | international
    source: str  # drug-ner | unii | ansm | lexicon


@dataclass(frozen=True, slots=True)
class Interaction:
    drug_a: str  # keys, drug_a < drug_b
    drug_b: str
    severity: str  # most severe reading, in SEVERITIES
    severity_least: str  # least severe reading (differs for conditional ANSM entries)
    level_fr: str  # ANSM level(s), e.g. "CONTRE-INDICATION / Association DECONSEILLEE"
    mechanism_fr: str  # ANSM text (French), attribute ANSM
    management_fr: str  # ANSM management text (French), attribute ANSM
    categories: tuple[str, ...]  # English mechanism categories (rule-based)
    via_class_a: str | None  # ANSM class through which drug_a is concerned, if any
    via_class_b: str | None
    entry_id: int  # index of the ANSM thesaurus entry
    source: str = SOURCE
    #: the entry's levels that can apply to this pair, most severe first: dicts with
    #: ``level`` (an ANSM level id), ``severity``, ``condition_en``, ``only_with``
    levels: tuple[dict, ...] = ()
    mechanism_en: str = ""  # reviewed English texts (data/kb/ansm_en/)
    management_en: str = ""


class KBDataMissingError(FileNotFoundError):
    """The KB data files are not where the loader looked."""


def _read_gz_json(path: Path):
    with gzip.open(path, "rb") as fh, _no_gc():
        return json.loads(fh.read())


@contextlib.contextmanager
def _no_gc():
    """Pause the cyclic GC while building large acyclic structures (it would otherwise
    rescan the growing heap many times: 2-5x slower loads)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ----------------------------------------------------------------- on-disk load cache
#: bump when the layout of the cached structures changes
CACHE_FORMAT = 4
CACHE_DIR_NAME = ".cache"


def _cache_tag() -> str:
    return f"f{CACHE_FORMAT}-py{sys.version_info[0]}{sys.version_info[1]}-m{marshal.version}"


def cache_disabled() -> bool:
    """``DDI_KB_CACHE=0`` turns the on-disk load cache off (always parse the JSON)."""
    return os.environ.get("DDI_KB_CACHE", "1").strip().lower() in ("0", "false", "no", "off")


_CHUNK = 8192  # items per marshal blob


def _chunk(value: dict[str, Any]) -> list:
    """A dict of fields as ``[(name, kind, [blob, ...]), ...]``: large lists and dicts are
    cut into blobs of `_CHUNK` items. `marshal.loads` holds the GIL for a whole blob, so
    small blobs let the event loop run while a worker thread loads (no 50-100 ms stalls)."""
    out = []
    for name, v in value.items():
        if isinstance(v, list) and len(v) > _CHUNK:
            blobs = [marshal.dumps(v[i : i + _CHUNK]) for i in range(0, len(v), _CHUNK)]
            out.append((name, "list", blobs))
        elif isinstance(v, dict) and len(v) > _CHUNK:
            items = list(v.items())
            blobs = [
                marshal.dumps(dict(items[i : i + _CHUNK])) for i in range(0, len(items), _CHUNK)
            ]
            out.append((name, "dict", blobs))
        else:
            out.append((name, "one", [marshal.dumps(v)]))
    return out


def _unchunk(chunks: list) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, kind, blobs in chunks:
        if kind == "list":
            acc: Any = []
            for b in blobs:
                acc.extend(marshal.loads(b))
        elif kind == "dict":
            acc = {}
            for b in blobs:
                acc.update(marshal.loads(b))
        else:
            acc = marshal.loads(blobs[0])
        out[name] = acc
    return out


_DIGEST_SIZE = 32


class _LoadCache:
    """Prepared KB structures as `marshal` files next to the data (``<data>/.cache/``).

    Each file is named after the KB version (a hash of the data files), the cache format
    and the Python / marshal version, so new data or another interpreter simply misses and
    rebuilds; stale files of other versions are removed when a new one is written. Files
    are written to a temporary name and renamed (atomic: concurrent processes never see a
    partial file); an unreadable or unwritable cache falls back to the JSON files. Each
    file starts with a digest of its payload, checked on every load: an edited or damaged
    cache file (even one of the same length) is rebuilt, never believed.
    """

    def __init__(self, data_dir: Path, version: str) -> None:
        self.dir = data_dir / CACHE_DIR_NAME
        self.version = version
        self.tag = _cache_tag()

    def path(self, part: str) -> Path:
        return self.dir / f"kb-{self.version}-{self.tag}.{part}.marshal"

    def load(self, part: str) -> Any:
        if cache_disabled():
            return None
        try:
            data = self.path(part).read_bytes()
        except OSError:
            return None
        digest, payload = data[:_DIGEST_SIZE], data[_DIGEST_SIZE:]
        if hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest() != digest:
            return None  # edited or damaged: rebuilt from JSON and rewritten
        try:
            with _no_gc():
                return _unchunk(marshal.loads(payload))
        except (EOFError, ValueError, TypeError, KeyError, IndexError):
            return None  # corrupt: rebuilt from JSON and rewritten

    def store(self, part: str, value: Any) -> None:
        if cache_disabled():
            return
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            ignore = self.dir / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n")
            fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-", suffix=".marshal")
            try:
                payload = marshal.dumps(_chunk(value))
                with os.fdopen(fd, "wb") as fh:
                    fh.write(hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest())
                    fh.write(payload)
                os.chmod(tmp, 0o644)  # mkstemp creates 0600; the data dir may be shared
                os.replace(tmp, self.path(part))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            for old in self.dir.glob(f"kb-*.{part}.marshal"):
                if old.name != self.path(part).name:
                    with contextlib.suppress(OSError):
                        old.unlink()
        except OSError:
            pass  # read-only data directory: keep working from JSON


class _Names:
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

    def row(self, i: int) -> DrugName:
        return DrugName(
            self.texts[i],
            self.drugs[i],
            self.kind_names[self.kinds[i]],
            self.source_names[self.sources[i]],
        )

    @classmethod
    def from_json(cls, raw: dict) -> _Names:
        kind_names, source_names = list(raw["kinds"]), list(raw["sources"])
        rank = [_KIND_RANK.get(k, len(NAME_KINDS)) for k in kind_names]
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
            }
        )

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}


class DrugMap(Mapping):
    """``key -> Drug``, a read-only mapping over the raw rows; each `Drug` is built on first
    access (most queries look at a handful of the ~20k drugs)."""

    __slots__ = ("rows", "_built")

    def __init__(self, rows: list) -> None:
        with _no_gc():
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

    def __init__(self, names: _Names) -> None:
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


class KnowledgeBase:
    """Read-only view over the KB files. Indexes are built lazily on first use."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        missing = [f for f in DATA_FILES if not (self.data_dir / f).is_file()]
        if missing:
            raise KBDataMissingError(
                f"KB data files missing in {self.data_dir}: {', '.join(missing)}. "
                "Run `python -m tools.kb.build` or set DDI_DATA_DIR."
            )
        digest = hashlib.sha256()
        for f in DATA_FILES:
            digest.update(f.encode())
            digest.update((self.data_dir / f).read_bytes())
        self.version: str = digest.hexdigest()[:16]
        self._cache = _LoadCache(self.data_dir, self.version)
        self._lock = threading.RLock()  # one thread builds each lazy part

        raw = self._cache.load("drugs")
        if raw is None:
            raw = _read_gz_json(self.data_dir / DRUGS_FILE)
            raw = {"meta": raw.get("meta", {}), "drugs": [tuple(r) for r in raw["drugs"]]}
            self._cache.store("drugs", raw)
        self.meta: dict = raw.get("meta", {})
        self.drugs: Mapping[str, Drug] = DrugMap(raw["drugs"])

    # ------------------------------------------------------------------ drugs
    def drug(self, key: str) -> Drug | None:
        return self.drugs.get(key)

    def is_covered(self, key: str) -> bool:
        d = self.drugs.get(key)
        return bool(d and d.covered)

    def classes_of(self, key: str) -> tuple[str, ...]:
        d = self.drugs.get(key)
        return d.classes if d else ()

    def class_members(self, cls: str) -> frozenset[str]:
        return self._class_members.get(cls, frozenset())

    @cached_property
    def _class_members(self) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        for key, row in self.drugs.rows.items():  # no Drug objects needed
            for c in row[6]:
                out.setdefault(c, set()).add(key)
        return {c: frozenset(m) for c, m in out.items()}

    # ------------------------------------------------------------------ names
    @cached_property
    def _names(self) -> _Names:
        with self._lock:
            if "_names" in self.__dict__:  # built by another thread meanwhile
                return self.__dict__["_names"]
            cached = self._cache.load("names")
            if cached is not None:
                return _Names(cached)
            with _no_gc():
                names = _Names.from_json(_read_gz_json(self.data_dir / NAMES_FILE))
            self._cache.store("names", names.to_dict())
            return names

    def names(self, key: str) -> list[DrugName]:
        """All names of a drug: generic first, then international, brand, salt, synonym."""
        names = self._names
        return [names.row(i) for i in names.by_drug.get(key, ())]

    @cached_property
    def _name_index(self) -> NameIndexView:
        return NameIndexView(self._names)

    def name_index(self) -> Mapping[str, list[DrugName]]:
        """normalise(text) -> names (one per drug; generic names first when ambiguous).

        A read-only mapping; each list is built on first access.
        """
        return self._name_index

    def prepare(self, interactions: bool = True) -> KnowledgeBase:
        """Load the lazy parts now (names; interactions too by default), e.g. in a worker
        thread before serving (``await asyncio.to_thread(kb.prepare)``)."""
        self._names  # noqa: B018
        if interactions:
            self._interaction_data  # noqa: B018
        return self

    def prepared(self, interactions: bool = True) -> bool:
        """Whether `prepare(interactions)` has nothing left to load (no I/O, no lock)."""
        parts = ("_names", "_interaction_data") if interactions else ("_names",)
        return all(p in self.__dict__ for p in parts)  # where cached_property stores them

    # ----------------------------------------------------------- interactions
    @cached_property
    def _interaction_data(self) -> tuple[list[dict], dict[tuple[str, str], list[tuple]]]:
        with self._lock:
            if "_interaction_data" in self.__dict__:
                return self.__dict__["_interaction_data"]
            cached = self._cache.load("interactions")
            if cached is not None:
                return cached["entries"], cached["pairs"]
            raw = _read_gz_json(self.data_dir / INTERACTIONS_FILE)
            entries = raw["entries"]
            pairs: dict[tuple[str, str], list[tuple]] = {}
            with _no_gc():
                intern = sys.intern  # shared strings: a smaller, faster marshal cache
                for a, b, entry_id, via_a, via_b in raw["pairs"]:
                    via_a = intern(via_a) if via_a else via_a
                    via_b = intern(via_b) if via_b else via_b
                    pairs.setdefault((intern(a), intern(b)), []).append((entry_id, via_a, via_b))
            self._cache.store("interactions", {"entries": entries, "pairs": pairs})
            return entries, pairs

    @cached_property
    def _partners(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for a, b in self._interaction_data[1]:
            out.setdefault(a, set()).add(b)
            out.setdefault(b, set()).add(a)
        return out

    def interactions(self, a: str, b: str) -> list[Interaction]:
        """ANSM interactions between two drug keys (symmetric); empty list if none known."""
        if a == b:
            return []
        if b < a:
            a, b = b, a
        entries, pairs = self._interaction_data
        out = []
        for entry_id, via_a, via_b in pairs.get((a, b), ()):
            e = entries[entry_id]
            levels = e.get("levels") or []
            applies = [lv for lv in levels if level_applies(lv, a, b)]
            if levels and not applies:
                continue
            applies.sort(key=lambda lv: _SEVERITY_RANK[lv["severity"]])
            out.append(
                Interaction(
                    drug_a=a,
                    drug_b=b,
                    severity=applies[0]["severity"] if applies else e["severity"],
                    severity_least=applies[-1]["severity"] if applies else e["severity_least"],
                    level_fr=e["level_fr"],
                    mechanism_fr=e["mechanism_fr"],
                    management_fr=e["management_fr"],
                    categories=tuple(e["categories"]),
                    via_class_a=via_a,
                    via_class_b=via_b,
                    entry_id=entry_id,
                    levels=tuple(applies),
                    mechanism_en=e.get("mechanism_en", ""),
                    management_en=e.get("management_en", ""),
                )
            )
        out.sort(key=lambda i: (_SEVERITY_RANK[i.severity], i.entry_id))
        return out

    def interacting_partners(self, key: str) -> set[str]:
        return set(self._partners.get(key, ()))

    def pairs(self) -> Iterator[tuple[str, str]]:
        """All unordered interacting pairs (a < b), sorted."""
        return iter(sorted(self._interaction_data[1]))

    def entry(self, entry_id: int) -> dict:
        """Raw ANSM entry (French main/plus names, levels, texts, categories)."""
        return self._interaction_data[0][entry_id]

    def __repr__(self) -> str:
        return f"KnowledgeBase({self.data_dir}, version={self.version}, drugs={len(self.drugs)})"


def default_data_dir() -> Path:
    """$DDI_DATA_DIR, else ``data/kb`` of a source checkout, else the data shipped in the
    installed package (``pipeline._kb``)."""
    env = os.environ.get("DDI_DATA_DIR")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[2] / "data" / "kb"
    if (checkout / DRUGS_FILE).is_file():
        return checkout
    return Path(str(resources.files("pipeline._kb")))


_LOAD_LOCK = threading.Lock()


@cache
def _load_cached(data_dir: Path) -> KnowledgeBase:
    return KnowledgeBase(data_dir)


def load_kb(data_dir: Path | None = None) -> KnowledgeBase:
    """Load the KB (cached per directory). Default: $DDI_DATA_DIR or <repo>/data/kb."""
    path = Path(data_dir) if data_dir is not None else default_data_dir()
    with _LOAD_LOCK:  # threads asking at once share one load
        return _load_cached(path.resolve())
