"""`ddi resolve`: show what the name layer finds in a text (table or JSON)."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from pipeline.names._expand import synonyms
from pipeline.names._read import read_item, read_query
from pipeline.names._results import Mention

__all__ = ["resolve_command"]


def _mentions(text: str) -> list[Mention]:
    """The one reading (`pipeline.names._read`), as `ddi ask` and the API read the text;
    input in which nothing resolves is looked up whole, for "did you mean" suggestions."""
    found = read_query(text).mentions
    if any(m.drug is not None for m in found):
        return found
    stripped = text.strip()
    if not stripped:
        return []
    start = text.index(stripped)
    return [
        m.model_copy(update={"start": m.start + start, "end": m.end + start})
        for m in read_item(stripped)
    ]


def _canonical(m: Mention) -> str:
    assert m.drug is not None
    keys = m.ingredients or (m.drug.key,)
    return " + ".join(keys)


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
                    "ingredients": list(m.ingredients or (m.drug.key,)),
                    "reason": m.reason,
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
                    "reason": m.reason,
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
                        _canonical(m),
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
            why = f" ({m.reason})" if m.reason else ""
            out.write(
                f"unresolved: {m.text!r}{why}" + (f" - did you mean: {sugg}" if sugg else "") + "\n"
            )
    if not resolved:
        return 3
    return 1 if unresolved else 0
