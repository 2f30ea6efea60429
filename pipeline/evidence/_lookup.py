"""Consult every evidence source for a pair, with honest coverage."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from pipeline.evidence._ansm import AnsmThesaurus
from pipeline.evidence._curated import CuratedList
from pipeline.evidence._onc import OncHighPriority
from pipeline.evidence._rules_source import PharmacologyRules
from pipeline.evidence._source import EvidenceSource, PairEvidence
from pipeline.schemas import SEVERITY_ORDER

__all__ = ["SOURCE_NAMES", "checked_by", "default_sources", "pair_evidence"]

#: the evidence sources the pipeline ships, by `EvidenceSource.name`
SOURCE_NAMES: tuple[str, ...] = ("ansm", "pharm", "onc", "us-hp")


@cache
def _all_sources() -> tuple[EvidenceSource, ...]:
    rules = PharmacologyRules()
    return (AnsmThesaurus(), rules, OncHighPriority(rules), CuratedList())


def default_sources(names: tuple[str, ...] = SOURCE_NAMES) -> tuple[EvidenceSource, ...]:
    """The shipped sources (one instance per process), or those of them named."""
    return tuple(s for s in _all_sources() if s.name in names)


def _label(source: EvidenceSource) -> str:
    return f"{source.title} {source.edition}"


def checked_by(pair: Sequence[str], sources: Sequence[EvidenceSource]) -> bool:
    """One exhaustive source covers every drug of the pair: its silence then means
    "nothing listed" (the coverage rule of the evidence stage and of grounding)."""
    return any(s.exhaustive and all(s.covers(k) for k in pair) for s in sources)


def pair_evidence(
    pair: tuple[str, str], sources: Sequence[EvidenceSource], names: dict[str, str]
) -> PairEvidence:
    """Every source's entries for the pair, and which sources could not check it.

    The pair is checked when at least one exhaustive source covers both drugs; otherwise
    every exhaustive source says what it lacks (a pair whose drugs are covered by two
    different sources is checked by neither)."""
    a, b = pair
    entries = []
    for source in sources:
        entries.extend(source.lookup(a, b))
    # most severe first; on a tie a listed entry before a mechanism-based (inferred) one
    entries.sort(key=lambda e: (SEVERITY_ORDER.index(e.severity), e.inferred))
    exhaustive = [s for s in sources if s.exhaustive]
    gaps = []
    if not checked_by(pair, sources):
        for source in exhaustive:
            missing = [names.get(k, k) for k in (a, b) if not source.covers(k)]
            gaps.append(f"{_label(source)} does not cover {' or '.join(missing)}")
    return PairEvidence(
        pair=pair,
        entries=tuple(entries),
        consulted=tuple(_label(s) for s in sources if s.exhaustive),
        gaps=tuple(gaps),
    )
