"""The pharmacology block of the data card (``data/README.md``), generated from the
committed profiles: profiles, facts per kind and category, and coverage of the most
prescribed US drugs (``tools/pharm/top300.txt``).

    python -m tools.pharm.card        # rewrite the block between the card:pharm markers

``tests/kb/test_card.py`` fails when the block and the data disagree.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from pipeline.evidence._profiles import load_profiles
from pipeline.names import resolve

__all__ = ["pharm_block", "render", "top_drugs"]

ROOT = Path(__file__).resolve().parents[2]
CARD = ROOT / "data" / "README.md"
TOP = Path(__file__).with_name("top300.txt")
BEGIN, END = "<!-- card:pharm:begin -->", "<!-- card:pharm:end -->"


def top_drugs() -> list[str]:
    lines = TOP.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _key(name: str) -> str | None:
    hit = resolve(name)
    return hit.key if hit is not None else None


def pharm_block() -> str:
    profiles = load_profiles(ROOT / "data" / "kb")
    unique = {p.drug: p for p in profiles.values()}
    facts = [f for p in unique.values() for f in p.facts]
    kinds = Counter(f.kind for f in facts)
    effects = Counter(f.target for f in facts if f.kind == "effect")
    pathways = Counter(f.target for f in facts if f.kind in ("substrate", "inhibitor", "inducer"))
    top = top_drugs()
    keys = {name: _key(name) for name in top}
    missing = sorted(name for name, key in keys.items() if key is None or key not in profiles)
    covered = len(top) - len(missing)
    interactants = sum(p.kind == "interactant" for p in unique.values())
    lines = [
        "| figure | value |",
        "|---|---|",
        f"| profiles (drugs + non-drug interactants) | {len(unique)} "
        f"({len(unique) - interactants} + {interactants}); {len(profiles)} KB keys |",
        f"| facts | {len(facts)}, each with its source and year |",
        "| profiles without facts (a cited document shows no interaction-relevant "
        "pharmacology) | "
        + (", ".join(sorted(p.drug for p in unique.values() if not p.facts)) or "none")
        + " |",
        "| facts per kind | " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) + " |",
        "| enzyme / transporter facts per pathway | "
        + ", ".join(f"{k} {n}" for k, n in pathways.most_common())
        + " |",
        "| effect facts per effect | "
        + ", ".join(f"{k} {n}" for k, n in effects.most_common())
        + " |",
        f"| top US prescriptions with a profile | {covered} of {len(top)} "
        f"({covered / len(top):.1%}) |",
        "| top US prescriptions without one | " + (", ".join(missing) or "none") + " |",
    ]
    return "\n".join(lines)


def render(card: str) -> str:
    block = f"{BEGIN}\n{pharm_block()}\n{END}"
    if BEGIN not in card:
        raise SystemExit(f"{CARD}: no {BEGIN} marker")
    return re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, card, flags=re.S)


def main() -> int:
    card = CARD.read_text(encoding="utf-8")
    CARD.write_text(render(card), encoding="utf-8")
    print(pharm_block())
    return 0


if __name__ == "__main__":
    sys.exit(main())
