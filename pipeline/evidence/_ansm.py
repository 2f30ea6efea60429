"""The ANSM interaction thesaurus as an evidence source (English texts, ANSM's own levels).

Levels are ANSM's four, with ANSM's definitions (Thésaurus, introduction); each pair gets
only the levels whose condition can apply to it (a level restricted to named substances,
such as the contraindication of "sedatives + other sedatives" for sodium oxybate, applies
only when one of the pair is one of them). The French original stays in `original`.
"""

from __future__ import annotations

import re

from pipeline.kb import KnowledgeBase, load_kb
from pipeline.schemas import SEVERITY_ORDER, Evidence

__all__ = ["ANSM_LEVEL_NAMES", "AnsmThesaurus", "level_meaning"]

#: ANSM level id -> (French name, English name, ANSM's definition in English)
ANSM_LEVEL_NAMES: dict[str, tuple[str, str, str]] = {
    "contraindication": (
        "contre-indication",
        "contraindication",
        "an absolute rule: the two must not be combined.",
    ),
    "avoid": (
        "association déconseillée",
        "avoid",
        "to be avoided unless a careful benefit/risk assessment decides otherwise, "
        "with close monitoring.",
    ),
    "precaution": (
        "précaution d'emploi",
        "precaution for use",
        "possible if the stated precautions (dose adjustment, monitoring) are followed.",
    ),
    "take_into_account": (
        "à prendre en compte",
        "take into account",
        "the risk exists (mostly added adverse effects); no specific precaution can be "
        "given, so the prescriber must weigh it.",
    ),
}
_RANK = {s: i for i, s in enumerate(SEVERITY_ORDER)}
#: how the English management text of a conditional entry labels each level's line
_LINE_LEVEL = re.compile(
    r"^\s*(?:(?P<contraindication>contra-?indicat\w*)|(?P<avoid>(?:combination |association )?"
    r"not recommended|avoid\w*|inadvisable)|(?P<precaution>precautions?(?: for use)?)"
    r"|(?P<take_into_account>(?:to be taken|to take|take) into account))\b",
    re.IGNORECASE,
)


def _management(text: str, applies: list[dict]) -> str:
    """Pair-specific advice; a "take into account" level also gets ANSM's definition (it
    gives no practical precaution by design)."""
    out = applicable_management(text, [lv["level"] for lv in applies]) if text else ""
    if applies and applies[0]["level"] == "take_into_account":
        meaning = "ANSM 'take into account': " + level_meaning("take_into_account")
        out = f"{out} {meaning[0].upper()}{meaning[1:]}".strip()
    return out


def applicable_management(text: str, levels: list[str]) -> str:
    """The lines of a conditional entry's management text that belong to the levels that
    apply to the pair (a line naming another level is left out; unlabelled lines stay)."""
    lines = [line for line in text.splitlines() if line.strip()]
    kept = []
    for line in lines:
        m = _LINE_LEVEL.match(line)
        if m is None or m.lastgroup in levels:
            kept.append(line.strip())
    return " ".join(kept) if kept else text


def level_meaning(level: str) -> str:
    """ANSM's definition of a level, in English."""
    return ANSM_LEVEL_NAMES[level][2]


def _level_label(level: str) -> str:
    fr, en, _ = ANSM_LEVEL_NAMES[level]
    return f"{fr} ({en})"


class AnsmThesaurus:
    """`EvidenceSource` over the bundled ANSM thesaurus (edition 2020-01)."""

    name = "ansm"
    title = "ANSM Thésaurus"
    edition = "2020-01"
    licence = "content © ANSM (Thésaurus des interactions médicamenteuses), attribute ANSM"
    exhaustive = True

    def __init__(self, kb: KnowledgeBase | None = None) -> None:
        self._kb = kb

    @property
    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            self._kb = load_kb()
        return self._kb

    @property
    def label(self) -> str:
        return f"{self.title} {self.edition}"

    def covers(self, drug: str) -> bool:
        return self.kb.is_covered(drug)

    def lookup(self, a: str, b: str) -> list[Evidence]:
        out = []
        for i in self.kb.interactions(a, b):  # only the levels that can apply to the pair
            e = self.kb.entry(i.entry_id)
            applies = list(i.levels)
            conditions = [
                f"{ANSM_LEVEL_NAMES[lv['level']][1]}: {lv['condition_en']}"
                for lv in applies
                if lv["condition_en"]
            ]
            via = [c for c in (i.via_class_a, i.via_class_b) if c]
            level_text = " / ".join(_level_label(lv["level"]) for lv in applies)
            citation = f"{self.label}, entry {e['main_fr']} + {e['plus_fr']}" + (
                f" (via class {', '.join(via)})" if via else ""
            )
            out.append(
                Evidence(
                    source=f"{self.name}:{self.label}",
                    detail=f"{level_text}: {i.mechanism_en}".strip(),
                    edition=self.edition,
                    level=level_text,
                    severity=i.severity,
                    severity_least=i.severity_least,
                    mechanism=i.mechanism_en,
                    management=_management(i.management_en, applies),
                    condition="; ".join(conditions) if len(applies) > 1 else "",
                    citation=citation,
                    original={
                        "level": i.level_fr,
                        "mechanism": i.mechanism_fr,
                        "management": i.management_fr,
                    },
                )
            )
        out.sort(key=lambda ev: _RANK[ev.severity])
        return out
