"""The data card's counts (``data/README.md``), generated from the build reports.

``python -m tools.kb.card`` rewrites the block between the ``card:counts`` markers from
``data/kb/build_report.json`` (this build) and ``data/kb/build_report.previous.json`` (the
build before the evidence fixes); ``tests/kb/test_card.py`` fails when they disagree.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

__all__ = ["counts_block", "main"]

ROOT = Path(__file__).resolve().parents[2]
CARD = ROOT / "data" / "README.md"
BEGIN, END = "<!-- card:counts:begin -->", "<!-- card:counts:end -->"
_LEVEL_ORDER = ("contraindicated", "major", "moderate", "minor")


def _report(name: str) -> dict:
    return json.loads((ROOT / "data" / "kb" / name).read_text(encoding="utf-8"))


def _sev(counts: dict) -> str:
    return ", ".join(f"{s} {counts.get(s, 0):,}" for s in _LEVEL_ORDER)


def counts_block() -> str:
    now, before = (
        _report("build_report.json")["ansm"],
        _report("build_report.previous.json")["ansm"],
    )
    links = now.get("knowledge_links", [])
    hand = sum(1 for x in links if x["rule"] == "hand")
    fold = sum(1 for x in links if x["rule"] == "salt fold")
    same = _report("build_report.json").get("same_substance", {})
    by_why = same.get("merged_by_why", {})
    lines = [
        "| figure | before (previous build) | now |",
        "|---|---|---|",
        f"| unordered substance pairs | {before['unordered_pairs']:,} | "
        f"{now['unordered_pairs']:,} |",
        f"| pair × entry rows | {before['pair_rows']:,} | {now['pair_rows']:,} |",
        f"| covered drugs | {before['covered_drugs']:,} | {now['covered_drugs']:,} |",
        "| pairs by most severe level that applies | "
        f"{_sev(before['unordered_pairs_by_most_severe'])} | "
        f"{_sev(now['unordered_pairs_by_most_severe'])} |",
        f"| distinct entries producing pairs | {before['entries_with_pairs']:,} | "
        f"{now['entries_with_pairs']:,} |",
        "| entry levels (ANSM's own) | — | "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(now.get("entry_levels", {}).items()))
        + " |",
        f"| conditional entries with a level restricted to named drugs | — | "
        f"{now.get('entries_conditional_restricted', 0):,} |",
        f"| entries with pairs but no English text | — | "
        f"{len(now.get('entries_with_pairs_missing_english', [])):,} |",
        f"| knowledge links (hand / salt fold / same substance, merge deferred) | — | "
        f"{hand} / {fold} / {len(links) - hand - fold} |",
        f"| same-substance merges (`same_substance.jsonl`: merged / deferred) | — | "
        f"{len(same.get('merged', []))} / {len(same.get('deferred', []))} |",
        "| same-substance merges by reason | — | "
        + (", ".join(f"{why} {n}" for why, n in by_why.items()) or "—")
        + " |",
        f"| covered drugs in no ANSM class | — | {now.get('covered_drugs_without_class', 0):,} |",
        f"| entries whose sides expand to no pair | — | "
        f"{len(now.get('entries_without_pairs', [])):,} |",
        f"| ANSM classes with no member | — | {len(now.get('classes_without_members', [])):,} |",
    ]
    return "\n".join(lines)


def render(card: str) -> str:
    block = f"{BEGIN}\n{counts_block()}\n{END}"
    if BEGIN not in card:
        raise SystemExit(f"{CARD}: no {BEGIN} marker")
    return re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, card, flags=re.S)


def main() -> int:
    CARD.write_text(render(CARD.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote the counts block of {CARD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
