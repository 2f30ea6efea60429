"""Consult every evidence source for a pair, with honest coverage."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from pipeline.evidence._ansm import AnsmThesaurus
from pipeline.evidence._curated import CuratedList
from pipeline.evidence._source import EvidenceSource, PairEvidence

__all__ = ["default_sources", "pair_evidence"]


@cache
def default_sources() -> tuple[EvidenceSource, ...]:
    """The sources the pipeline ships (one instance per process)."""
    return (AnsmThesaurus(), CuratedList())


def _label(source: EvidenceSource) -> str:
    return f"{source.title} {source.edition}"


def pair_evidence(
    pair: tuple[str, str], sources: Sequence[EvidenceSource], names: dict[str, str]
) -> PairEvidence:
    """Every source's entries for the pair, and which sources could not check it."""
    a, b = pair
    entries = []
    gaps = []
    for source in sources:
        entries.extend(source.lookup(a, b))
        if not source.exhaustive:
            continue
        missing = [names.get(k, k) for k in (a, b) if not source.covers(k)]
        if missing:
            gaps.append(f"{_label(source)} has no interaction data on {' or '.join(missing)}")
    return PairEvidence(
        pair=pair,
        entries=tuple(entries),
        consulted=tuple(_label(s) for s in sources if s.exhaustive),
        gaps=tuple(gaps),
    )
