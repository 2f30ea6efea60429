"""Name layer: resolve drug mentions to KB drugs, extract them from text, expand synonyms.

    >>> from pipeline.names import resolve, lookup, extract_drugs, synonyms
    >>> resolve("Coumadin").key                                   # doctest: +SKIP
    'warfarin'

Everything runs on the KB loaded by ``pipeline.kb.load_kb()``; the index is built once
per process on first use (``default_index()``). Pass ``index=NameIndex(kb)`` to use
another KB (tests).
"""

from pipeline.names._expand import synonyms
from pipeline.names._extract import extract_drugs
from pipeline.names._resolver import (
    FUZZY_CUTOFF,
    MIN_FUZZY_LEN,
    NameIndex,
    default_index,
    lookup,
    resolve,
)
from pipeline.names._results import Mention, Resolution, ResolvedDrug, Suggestion, Synonym

__all__ = [
    "FUZZY_CUTOFF",
    "MIN_FUZZY_LEN",
    "Mention",
    "NameIndex",
    "Resolution",
    "ResolvedDrug",
    "Suggestion",
    "Synonym",
    "default_index",
    "extract_drugs",
    "lookup",
    "resolve",
    "synonyms",
]
