"""The pharmacology profiles and mechanism rules as an evidence source.

Coverage: a drug with a profile is covered (the rules have looked at everything its
profile records); a pair of two covered drugs on which no rule fires is "nothing found by
mechanism", which counts towards "no evidence" like a thesaurus's silence does.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pipeline.evidence._pharmacology import Finding, find_interactions, shared_mechanisms
from pipeline.evidence._profiles import ProfileMap, load_profiles
from pipeline.kb import default_data_dir
from pipeline.schemas import Evidence

__all__ = ["PharmacologyRules", "finding_evidence"]

RULES_EDITION = "2026-12"
INFERRED_LEVEL = "mechanism-based (inferred)"


def finding_evidence(finding: Finding, label: str, name: str = "pharm") -> Evidence:
    """One finding as an evidence entry: inferred, with the rule and its facts' sources."""
    return Evidence(
        source=f"{name}:{label}",
        detail=f"{INFERRED_LEVEL}, rule {finding.rule}: {finding.mechanism}",
        edition=RULES_EDITION,
        level=f"{INFERRED_LEVEL}: {finding.severity} (rule {finding.rule})",
        severity=finding.severity,
        severity_least=finding.severity,
        mechanism=f"Mechanism-based (inferred, not listed by a reference): {finding.mechanism}",
        management=finding.management,
        citation=f"rule {finding.rule} on facts: {finding.citation}",
        inferred=True,
    )


class PharmacologyRules:
    """`EvidenceSource` over ``data/kb/pharm-*.jsonl`` and the rules of ``_pharmacology``."""

    name = "pharm"
    title = "ddi-pipeline pharmacology profiles and mechanism rules"
    edition = RULES_EDITION
    licence = "project (MIT); facts written from public US references, each cited"
    exhaustive = True

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = data_dir

    @cached_property
    def profiles(self) -> ProfileMap:
        return load_profiles(self.data_dir or default_data_dir())

    @property
    def label(self) -> str:
        return f"{self.title} {self.edition}"

    def covers(self, drug: str) -> bool:
        return drug in self.profiles and self.profiles[drug].exhaustive

    def findings(self, a: str, b: str) -> list[Finding]:
        pa, pb = self.profiles.get(a), self.profiles.get(b)
        if pa is None or pb is None:
            return []
        return find_interactions(pa, pb)

    def shared(self, a: str, b: str) -> list[str]:
        """Mechanisms the two profiles share at any strength (`shared_mechanisms`)."""
        pa, pb = self.profiles.get(a), self.profiles.get(b)
        if pa is None or pb is None:
            return []
        return shared_mechanisms(pa, pb)

    def lookup(self, a: str, b: str) -> list[Evidence]:
        return [finding_evidence(f, self.label, self.name) for f in self.findings(a, b)]
