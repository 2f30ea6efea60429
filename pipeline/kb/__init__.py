"""Drug interaction knowledge base: loader and public API.

The data files under ``data/kb/`` are produced by ``python -m pipeline.kb.build`` from
drug-named-entity-recognition (names), FDA UNII names (brands, salts) and the ANSM
interaction thesaurus (edition 2020-01). See ``data/README.md`` for the data card.

Absence of a pair from the KB means "no evidence", never "safe".
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import NamedTuple

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
    """One name of a drug. A NamedTuple: 108k of them are built at load, ~20x faster than a
    frozen dataclass."""

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


class KBDataMissingError(FileNotFoundError):
    """The KB data files are not where the loader looked."""


def _read_gz_json(path: Path):
    with gzip.open(path, "rb") as fh:
        return json.loads(fh.read())


class KnowledgeBase:
    """Read-only view over the KB files. Indexes are built lazily on first use."""

    _norms: list[tuple[str, DrugName]]

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        missing = [f for f in DATA_FILES if not (self.data_dir / f).is_file()]
        if missing:
            raise KBDataMissingError(
                f"KB data files missing in {self.data_dir}: {', '.join(missing)}. "
                "Run `python -m pipeline.kb.build` or set DDI_DATA_DIR."
            )
        digest = hashlib.sha256()
        for f in DATA_FILES:
            digest.update(f.encode())
            digest.update((self.data_dir / f).read_bytes())
        self.version: str = digest.hexdigest()[:16]

        raw = _read_gz_json(self.data_dir / DRUGS_FILE)
        self.meta: dict = raw.get("meta", {})
        self.drugs: dict[str, Drug] = {
            key: Drug(key, name, drug_id, ids, kind, bool(covered), tuple(classes))
            for key, name, drug_id, ids, kind, covered, classes in raw["drugs"]
        }

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
        for d in self.drugs.values():
            for c in d.classes:
                out.setdefault(c, set()).add(d.key)
        return {c: frozenset(m) for c, m in out.items()}

    # ------------------------------------------------------------------ names
    @cached_property
    def _names_by_drug(self) -> dict[str, list[DrugName]]:
        raw = _read_gz_json(self.data_dir / NAMES_FILE)
        kinds, sources = raw["kinds"], raw["sources"]
        out: dict[str, list[DrugName]] = {}
        norms: list[tuple[str, DrugName]] = []
        for text, drug, k, s, norm in raw["names"]:
            name = DrugName(text, drug, kinds[k], sources[s])
            out.setdefault(drug, []).append(name)
            norms.append((norm, name))
        for lst in out.values():
            lst.sort(key=lambda n: _KIND_RANK.get(n.kind, len(NAME_KINDS)))
        self._norms = norms  # (normalised text, name), precomputed by the build
        return out

    def names(self, key: str) -> list[DrugName]:
        """All names of a drug: generic first, then international, brand, salt, synonym."""
        return list(self._names_by_drug.get(key, ()))

    @cached_property
    def _name_index(self) -> dict[str, list[DrugName]]:
        self._names_by_drug  # noqa: B018 - loads self._norms
        index: dict[str, list[DrugName]] = {}
        for norm, n in self._norms:
            bucket = index.get(norm)
            if bucket is None:
                index[norm] = [n]
            else:
                bucket.append(n)  # the build keeps one name per (norm, drug)
        for bucket in index.values():
            if len(bucket) > 1:
                bucket.sort(key=lambda n: (_KIND_RANK.get(n.kind, 9), n.drug))
        return index

    def name_index(self) -> dict[str, list[DrugName]]:
        """normalise(text) -> names (one per drug; generic names first when ambiguous)."""
        return self._name_index

    # ----------------------------------------------------------- interactions
    @cached_property
    def _interaction_data(self) -> tuple[list[dict], dict[tuple[str, str], list[tuple]]]:
        raw = _read_gz_json(self.data_dir / INTERACTIONS_FILE)
        entries = raw["entries"]
        pairs: dict[tuple[str, str], list[tuple]] = {}
        for a, b, entry_id, via_a, via_b in raw["pairs"]:
            pairs.setdefault((a, b), []).append((entry_id, via_a, via_b))
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
            out.append(
                Interaction(
                    drug_a=a,
                    drug_b=b,
                    severity=e["severity"],
                    severity_least=e["severity_least"],
                    level_fr=e["level_fr"],
                    mechanism_fr=e["mechanism_fr"],
                    management_fr=e["management_fr"],
                    categories=tuple(e["categories"]),
                    via_class_a=via_a,
                    via_class_b=via_b,
                    entry_id=entry_id,
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
    env = os.environ.get("DDI_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "data" / "kb"


@cache
def _load_cached(data_dir: Path) -> KnowledgeBase:
    return KnowledgeBase(data_dir)


def load_kb(data_dir: Path | None = None) -> KnowledgeBase:
    """Load the KB (cached per directory). Default: $DDI_DATA_DIR or <repo>/data/kb."""
    path = Path(data_dir) if data_dir is not None else default_data_dir()
    return _load_cached(path.resolve())
