"""Drug interaction knowledge base: loader and public API.

The data files under ``data/kb/`` are produced by ``python -m tools.kb.build`` from
drug-named-entity-recognition (names), FDA UNII names (brands, salts) and the ANSM
interaction thesaurus (edition 2020-01). See ``data/README.md`` for the data card.

Loading is lazy and cached: `load_kb()` reads only the drugs; names and interactions load
on first use (`KnowledgeBase.prepare()` loads them at once). Each part is parsed from gzip
JSON once, then kept as `marshal` files in ``data/kb/.cache/`` keyed by the data version
(`LoadCache`), which later processes read about 3x faster.

Absence of a pair from the KB means "no evidence", never "safe".
"""

from __future__ import annotations

from pipeline.kb._base import KnowledgeBase, load_kb
from pipeline.kb._disk import (
    CACHE_DIR_NAME,
    DATA_FILES,
    DRUGS_FILE,
    INTERACTIONS_FILE,
    NAMES_FILE,
    KBDataMissingError,
    LoadCache,
    default_data_dir,
)
from pipeline.kb._records import NAME_KINDS, SEVERITIES, SOURCE, Drug, DrugName, Interaction
from pipeline.kb._text import normalise

__all__ = [
    "CACHE_DIR_NAME",
    "DATA_FILES",
    "DRUGS_FILE",
    "INTERACTIONS_FILE",
    "NAMES_FILE",
    "NAME_KINDS",
    "SEVERITIES",
    "SOURCE",
    "Drug",
    "DrugName",
    "Interaction",
    "KBDataMissingError",
    "KnowledgeBase",
    "LoadCache",
    "default_data_dir",
    "load_kb",
    "normalise",
]
