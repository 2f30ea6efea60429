"""`ddi resolve`: show what the name layer finds in a text (table or JSON)."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from pipeline.names.expand import synonyms
from pipeline.names.extract import extract_drugs
from pipeline.names.models import Mention
from pipeline.names.resolver import lookup

__all__ = ["resolve_command"]


def _mentions(text: str) -> list[Mention]:
    found = extract_drugs(text)
    if found:
        return found
    # nothing drug-like in running text: treat the whole input as one mention
    stripped = text.strip()
    if not stripped:
        return []
    res = lookup(stripped)
    start = text.index(stripped)
    return [
        Mention(
            text=stripped,
            start=start,
            end=start + len(stripped),
            drug=res.drug,
            suggestions=[] if res.drug else res.suggestions,
        )
    ]


def resolve_command(
    text: str, as_json: bool = False, limit: int = 8, out: TextIO | None = None
) -> int:
    """Print the drugs found in ``text`` and unresolved mentions with suggestions.

    Returns 0 when at least one drug was found and every mention resolved, 1 when some
    mention did not resolve, and 3 (bad input, as `ddi ask`) when no drug was found.
    """
    out = out or sys.stdout
    mentions = _mentions(text)
    resolved = [m for m in mentions if m.drug is not None]
    unresolved = [m for m in mentions if m.drug is None]
    syn = {m.drug.key: [s.text for s in synonyms(m.drug.key, limit)] for m in resolved if m.drug}

    if as_json:
        payload = {
            "drugs": [
                {
                    "mention": m.text,
                    "start": m.start,
                    "end": m.end,
                    "canonical": m.drug.key,
                    "name": m.drug.name,
                    "drug_id": m.drug.drug_id,
                    "match_kind": m.drug.match_kind,
                    "matched_name": m.drug.matched_name,
                    "score": m.drug.score,
                    "covered": m.drug.covered,
                    "synonyms": syn.get(m.drug.key, []),
                    "alternatives": [s.model_dump() for s in m.drug.suggestions],
                }
                for m in resolved
                if m.drug
            ],
            "unresolved": [
                {
                    "mention": m.text,
                    "start": m.start,
                    "end": m.end,
                    "suggestions": [s.model_dump() for s in m.suggestions],
                }
                for m in unresolved
            ],
        }
        out.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        if resolved:
            rows = [("mention", "canonical", "id", "match", "score", "synonyms")]
            for m in resolved:
                d = m.drug
                assert d is not None
                rows.append(
                    (
                        m.text,
                        d.key,
                        d.drug_id,
                        d.match_kind,
                        f"{d.score:.0f}",
                        ", ".join(syn[d.key]),
                    )
                )
            widths = [max(len(r[i]) for r in rows) for i in range(5)]
            for r in rows:
                cells = [c.ljust(w) for c, w in zip(r[:5], widths, strict=True)]
                out.write("  ".join([*cells, r[5]]).rstrip() + "\n")
        else:
            out.write("no drug found\n")
        for m in unresolved:
            sugg = ", ".join(f"{s.name} ({s.key}, {s.score:.0f})" for s in m.suggestions)
            out.write(
                f"unresolved: {m.text!r}" + (f" - did you mean: {sugg}" if sugg else "") + "\n"
            )
    if not resolved:
        return 3
    return 1 if unresolved else 0
