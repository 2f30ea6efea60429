"""Fixtures for the name-layer tests: the real committed KB, and a tiny fake KB."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from pipeline.kb import Drug, DrugName, normalise
from pipeline.names import NameIndex

_KIND_ORDER = ("generic", "international", "brand", "salt", "synonym")


@dataclass
class FakeKB:
    """Just enough of `KnowledgeBase` for `NameIndex`: drugs, names, name_index."""

    drugs: dict[str, Drug] = field(default_factory=dict)
    _names: dict[str, list[DrugName]] = field(default_factory=dict)

    def add(self, key: str, *names: tuple[str, str], covered: bool = True) -> None:
        self.drugs[key] = Drug(key, key.title(), f"kb:{key}", {}, "drug", covered, ())
        lst = [DrugName(key, key, "generic", "drug-ner")]
        lst += [DrugName(text, key, kind, "unii") for text, kind in names]
        lst.sort(key=lambda n: _KIND_ORDER.index(n.kind))
        self._names[key] = lst

    def drug(self, key: str) -> Drug | None:
        return self.drugs.get(key)

    def names(self, key: str) -> list[DrugName]:
        return list(self._names.get(key, ()))

    def name_index(self) -> dict[str, list[DrugName]]:
        index: dict[str, list[DrugName]] = {}
        for lst in self._names.values():
            for n in lst:
                bucket = index.setdefault(normalise(n.text), [])
                if all(x.drug != n.drug for x in bucket):
                    bucket.append(n)
        return index

    def multi_word_edges(self) -> tuple[frozenset[str], frozenset[str]]:
        multi = [n for n in self.name_index() if " " in n]
        return (
            frozenset(n[: n.index(" ")] for n in multi),
            frozenset(n[n.rindex(" ") + 1 :] for n in multi),
        )


@pytest.fixture(scope="session")
def fake_index() -> NameIndex:
    kb = FakeKB()
    kb.add("warfarin", ("Coumadin", "brand"), ("warfarine", "international"))
    kb.add("ibuprofen", ("Advil", "brand"), ("Motrin", "brand"))
    kb.add("sertraline", ("Zoloft", "brand"), ("sertraline hydrochloride", "salt"))
    # "duo" is a brand of two drugs: ambiguity; "zeta" a generic of one, brand of another
    kb.add("alphazine", ("Duo", "brand"), ("Zeta", "brand"))
    kb.add("betazine", ("Duo", "brand"), covered=False)
    kb.add("zeta")
    return NameIndex(kb)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def index() -> NameIndex:
    """Index over the real committed KB (data/kb)."""
    from pipeline.names import default_index

    return default_index()
