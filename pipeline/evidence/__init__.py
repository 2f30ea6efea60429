"""Evidence sources: knowledge that decides what it lists, whatever the models say."""

from pipeline.evidence._ansm import ANSM_LEVEL_NAMES, AnsmThesaurus, level_meaning
from pipeline.evidence._lookup import SOURCE_NAMES, checked_by, default_sources, pair_evidence
from pipeline.evidence._rules_source import PharmacologyRules
from pipeline.evidence._source import EvidenceSource, PairEvidence

__all__ = [
    "ANSM_LEVEL_NAMES",
    "SOURCE_NAMES",
    "AnsmThesaurus",
    "EvidenceSource",
    "PairEvidence",
    "PharmacologyRules",
    "checked_by",
    "default_sources",
    "level_meaning",
    "pair_evidence",
]
