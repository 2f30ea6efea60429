"""duplicate_therapy: the same drug under two names, or two drugs of one therapeutic class.

Passes with the warning recorded (the answer must carry it); fails only when a duplicate
is not reported in the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.answer import duplicate_line, find_duplicates
from pipeline.evaluators.base import EvalInput
from pipeline.schemas import Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "duplicate_therapy"


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    dups = find_duplicates(inp.drugs)
    if not dups:
        return Evaluation(name=NAME, passed=True, reason="no duplicate therapy")
    missing = [d for d in dups if duplicate_line(d) not in inp.draft]
    pairs = sorted({(d.keys[0], d.keys[-1]) for d in dups})
    described = "; ".join(
        (
            f"same medicine {d.label} named {' and '.join(d.names)}"
            if d.kind == "same_drug"
            else f"{d.names[0]} and {d.names[1]} share the class {d.label}"
        )
        for d in dups[:5]
    )
    return Evaluation(
        name=NAME,
        passed=not missing,
        reason=(
            f"duplicate therapy not reported in the answer: {described}"
            if missing
            else f"warning recorded in the answer: {described}"
        ),
        flagged_pairs=pairs,
    )
