"""Name layer: resolve drug mentions to KB drugs, extract them from text, expand synonyms.

    >>> from pipeline.names import resolve, lookup, extract_drugs, synonyms
    >>> resolve("Coumadin").key                                   # doctest: +SKIP
    'warfarin'

Everything runs on the KB loaded by ``pipeline.kb.load_kb()``; the index is built once
per process on first use (``default_index()``). Pass ``index=NameIndex(kb)`` to use
another KB (tests).
"""

from pipeline.names.expand import synonyms
from pipeline.names.extract import extract_drugs
from pipeline.names.models import Mention, Resolution, ResolvedDrug, Suggestion, Synonym
from pipeline.names.resolver import (
    FUZZY_CUTOFF,
    MIN_FUZZY_LEN,
    NameIndex,
    default_index,
    lookup,
    resolve,
)

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
