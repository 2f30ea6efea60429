"""The knowledge base's records: drugs, their names and interactions (frozen values)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

SEVERITIES = ("contraindicated", "major", "moderate", "minor")  # most to least severe
NAME_KINDS = ("generic", "international", "brand", "salt", "synonym")  # names() order
DRUG_KINDS = ("drug", "food", "herbal", "other")
SOURCE = "ANSM thesaurus 2020-01"

SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
KIND_RANK = {k: i for i, k in enumerate(NAME_KINDS)}


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
    """One name of a drug. Built on demand from the column store (`NameColumns.row`), often in
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
