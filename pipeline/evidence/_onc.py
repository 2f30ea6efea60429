"""The ONC high-priority interaction list (Phansalkar et al., JAMIA 2012) as data:
``data/kb/onc_high_priority.jsonl``. Each record is a class pair; a side is named by drugs
and/or by pharmacology facts ("strong CYP3A inhibitors"), read from the profiles. A pair
in the list is always at least major, whatever the other sources say.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

from pipeline.evidence._profiles import Profile
from pipeline.evidence._rules_source import PharmacologyRules
from pipeline.kb import default_data_dir
from pipeline.schemas import Evidence

__all__ = ["ONC_FILE", "OncHighPriority"]

ONC_FILE = "onc_high_priority.jsonl"


def _matches(side: dict[str, Any], drug: str, profile: Profile | None) -> bool:
    if drug in side.get("drugs", ()):
        return True
    if profile is None:
        return False
    return any(
        f.kind == want["kind"] and f.target == want["target"] and f.strength in want["strength"]
        for want in side.get("facts", ())
        for f in profile.facts
    )


class OncHighPriority:
    """`EvidenceSource` over the ONC high-priority list (positives only)."""

    name = "onc"
    title = "ONC high-priority DDI list (Phansalkar et al.)"
    edition = "2012"
    licence = "facts from a published article, restated by the team"
    exhaustive = False

    def __init__(self, rules: PharmacologyRules, path: Path | None = None) -> None:
        self.rules = rules
        self.path = path or default_data_dir() / ONC_FILE

    @cached_property
    def records(self) -> list[dict[str, Any]]:
        if not self.path.is_file():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def covers(self, drug: str) -> bool:
        return False  # a supplement: its silence says nothing

    def matching(self, a: str, b: str) -> list[dict[str, Any]]:
        pa, pb = self.rules.profiles.get(a), self.rules.profiles.get(b)
        return [
            r
            for r in self.records
            if (_matches(r["a"], a, pa) and _matches(r["b"], b, pb))
            or (_matches(r["a"], b, pb) and _matches(r["b"], a, pa))
        ]

    def lookup(self, a: str, b: str) -> list[Evidence]:
        if a == b:
            return []
        return [
            Evidence(
                source=f"{self.name}:{self.title} {self.edition}",
                detail=f"high-priority ({r['name']}): {r['mechanism']}",
                edition=self.edition,
                level=f"high-priority interaction: {r['name']} (at least {r['floor']})",
                severity=r["floor"],
                severity_least=r["floor"],
                mechanism=r["mechanism"],
                management=r["management"],
                citation=f"{r['source']} ({r['year']})",
            )
            for r in self.matching(a, b)
        ]
