"""The evidence-source interface: what every knowledge source offers the evidence stage.

A source says which drugs it covers and what it lists for a pair. A pair with a listed
entry interacts whatever the probes say; a pair is "no evidence" only when every source
covers both drugs and lists nothing (and no prober voted yes). Absence is never "safe".
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from pipeline.schemas import Evidence

__all__ = ["EvidenceSource", "PairEvidence"]


@runtime_checkable
class EvidenceSource(Protocol):
    """A knowledge source consulted for every pair (a thesaurus, a rule set, ...)."""

    name: str  # short id, e.g. "ansm"
    title: str  # e.g. "ANSM Thésaurus"
    edition: str  # e.g. "2020-01"
    licence: str
    #: True for a source that aims to list every interaction of the drugs it covers (its
    #: silence counts towards "no evidence"); False for a supplement that only adds
    #: positives (a curated high-priority list): its gaps never make a pair "no evidence"
    #: nor "unresolved"
    exhaustive: bool

    def covers(self, drug: str) -> bool:
        """Whether the source has any interaction knowledge about this drug key."""
        ...

    def lookup(self, a: str, b: str) -> list[Evidence]:
        """The source's entries for the unordered pair (most severe first); [] if none."""
        ...


class PairEvidence(BaseModel):
    """What the evidence sources say about one pair."""

    model_config = ConfigDict(frozen=True)

    pair: tuple[str, str]
    entries: tuple[Evidence, ...] = ()
    consulted: tuple[str, ...] = ()  # source labels, e.g. "ANSM Thésaurus 2020-01"
    gaps: tuple[str, ...] = ()  # plain-words reasons a source could not check the pair

    @property
    def listed(self) -> bool:
        return bool(self.entries)

    @property
    def complete(self) -> bool:
        """Every consulted source covers both drugs (an empty list then means "nothing
        listed", not "not looked at")."""
        return bool(self.consulted) and not self.gaps
