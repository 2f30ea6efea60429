"""`KnowledgeBase` (read-only, lazily indexed) and `load_kb` (one load per directory)."""

from __future__ import annotations

import hashlib
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path

from pipeline.kb._columns import (
    ChunkedList,
    DrugMap,
    NameColumns,
    NameIndexView,
    ShardedMap,
)
from pipeline.kb._disk import (
    DATA_FILES,
    DRUGS_FILE,
    INTERACTIONS_FILE,
    NAMES_FILE,
    KBDataMissingError,
    LoadCache,
    default_data_dir,
    no_gc,
    read_gz_json,
)
from pipeline.kb._records import SEVERITY_RANK, Drug, DrugName, Interaction
from pipeline.kb._rules import level_applies


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
        self._cache = LoadCache(self.data_dir, self.version)
        self._lock = threading.RLock()  # one thread builds each lazy part

        raw = self._cache.load("drugs")
        if raw is None:
            raw = read_gz_json(self.data_dir / DRUGS_FILE)
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
    def _names(self) -> NameColumns:
        with self._lock:
            if "_names" in self.__dict__:  # built by another thread meanwhile
                return self.__dict__["_names"]
            cached = self._cache.load("names")
            if cached is not None:
                return NameColumns(cached)
            with no_gc():
                names = NameColumns.from_json(read_gz_json(self.data_dir / NAMES_FILE))
            self._cache.store("names", names.to_dict())
            return names

    def names(self, key: str) -> list[DrugName]:
        """All names of a drug: generic first, then international, brand, salt, synonym."""
        names = self._names
        return [names.row(i) for i in names.by_drug.get(key, ())]

    def multi_word_edges(self) -> tuple[frozenset[str], frozenset[str]]:
        """The first and the last words of every multi-word normalised name."""
        return self._names.first_words, self._names.last_words

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
    def _interaction_data(
        self,
    ) -> tuple[Sequence[dict], Mapping[tuple[str, str], list[tuple]], Mapping[str, tuple]]:
        """``(entries, pairs, partners)``: from the load cache these are sharded, so a query
        decodes only the entries and pairs it looks at."""
        with self._lock:
            if "_interaction_data" in self.__dict__:
                return self.__dict__["_interaction_data"]
            stored = self._cache.load("interactions")
            if stored is None:
                stored = self._store_interactions()
            return (
                ChunkedList(stored["entries"]),
                ShardedMap(stored["pairs"], _first),
                ShardedMap(stored["partners"], str),
            )

    def _store_interactions(self) -> dict:
        raw = read_gz_json(self.data_dir / INTERACTIONS_FILE)
        pairs: dict[tuple[str, str], list[tuple]] = {}
        partners: dict[str, set[str]] = {}
        with no_gc():
            intern = sys.intern  # shared strings: a smaller, faster marshal cache
            for a, b, entry_id, via_a, via_b in raw["pairs"]:
                via_a = intern(via_a) if via_a else via_a
                via_b = intern(via_b) if via_b else via_b
                a, b = intern(a), intern(b)
                pairs.setdefault((a, b), []).append((entry_id, via_a, via_b))
                partners.setdefault(a, set()).add(b)
                partners.setdefault(b, set()).add(a)
            stored = {
                "entries": ChunkedList.store(raw["entries"]),
                "pairs": ShardedMap.store(pairs, _first),
                "partners": ShardedMap.store(
                    {k: tuple(sorted(v)) for k, v in partners.items()}, str
                ),
            }
        self._cache.store("interactions", stored)
        return stored

    def interactions(self, a: str, b: str) -> list[Interaction]:
        """ANSM interactions between two drug keys (symmetric); empty list if none known."""
        if a == b:
            return []
        if b < a:
            a, b = b, a
        entries, pairs, _ = self._interaction_data
        out = []
        for entry_id, via_a, via_b in pairs.get((a, b), ()):
            e = entries[entry_id]
            levels = e.get("levels") or []
            applies = [lv for lv in levels if level_applies(lv, a, b)]
            if levels and not applies:
                continue
            applies.sort(key=lambda lv: SEVERITY_RANK[lv["severity"]])
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
        out.sort(key=lambda i: (SEVERITY_RANK[i.severity], i.entry_id))
        return out

    def interacting_partners(self, key: str) -> set[str]:
        return set(self._interaction_data[2].get(key, ()))

    def pairs(self) -> Iterator[tuple[str, str]]:
        """All unordered interacting pairs (a < b), sorted."""
        return iter(sorted(self._interaction_data[1]))

    def entry(self, entry_id: int) -> dict:
        """Raw ANSM entry (French main/plus names, levels, texts, categories)."""
        return self._interaction_data[0][entry_id]

    def __repr__(self) -> str:
        return f"KnowledgeBase({self.data_dir}, version={self.version}, drugs={len(self.drugs)})"


def _first(pair: tuple[str, str]) -> str:
    return pair[0]


_LOAD_LOCK = threading.Lock()


@cache
def _load_cached(data_dir: Path) -> KnowledgeBase:
    return KnowledgeBase(data_dir)


def load_kb(data_dir: Path | None = None) -> KnowledgeBase:
    """Load the KB (cached per directory). Default: $DDI_DATA_DIR or <repo>/data/kb."""
    path = Path(data_dir) if data_dir is not None else default_data_dir()
    with _LOAD_LOCK:  # threads asking at once share one load
        return _load_cached(path.resolve())
