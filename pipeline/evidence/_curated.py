"""A curated list of well-known interactions written by the team from public US
references (FDA labelling, the FDA table of substrates, inhibitors and inducers, the ONC
high-priority list of Phansalkar et al. 2012): ``data/kb/us_high_priority.jsonl``.

It only adds positives (it is not exhaustive): a pair it lists interacts; its silence is
never evidence of anything.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

from pipeline.kb import default_data_dir
from pipeline.schemas import SEVERITY_ORDER, Evidence

__all__ = ["CURATED_FILE", "CuratedList"]

CURATED_FILE = "us_high_priority.jsonl"
_RANK = {s: i for i, s in enumerate(SEVERITY_ORDER)}


class CuratedList:
    """`EvidenceSource` over the team's curated US high-priority list."""

    name = "us-hp"
    title = "ddi-pipeline curated US high-priority list"
    edition = "2026-12"
    licence = "project (MIT); facts written from public US references, each cited"
    exhaustive = False

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_data_dir() / CURATED_FILE

    @cached_property
    def _pairs(self) -> dict[tuple[str, str], list[dict]]:
        out: dict[tuple[str, str], list[dict]] = {}
        if not self.path.is_file():
            return out
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            for a in rec["a"]:
                for b in rec["b"]:
                    if a != b:
                        out.setdefault((min(a, b), max(a, b)), []).append(rec)
        return out

    def covers(self, drug: str) -> bool:
        return any(drug in pair for pair in self._pairs)

    def lookup(self, a: str, b: str) -> list[Evidence]:
        recs = self._pairs.get((min(a, b), max(a, b)), [])
        out = [
            Evidence(
                source=f"{self.name}:{self.title} {self.edition}",
                detail=f"{r['severity']}: {r['mechanism']}",
                edition=self.edition,
                level=r["severity"],
                severity=r["severity"],
                severity_least=r["severity"],
                mechanism=r["mechanism"],
                management=r["management"],
                citation=f"{r['source']} ({r['year']})",
            )
            for r in recs
        ]
        out.sort(key=lambda ev: _RANK[ev.severity])
        return out
