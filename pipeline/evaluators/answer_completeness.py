"""answer_completeness: the draft answer addresses every pair and every unresolved name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.answer import display_names, pair_line
from pipeline.evaluators.base import EvalInput, failure
from pipeline.schemas import Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "answer_completeness"


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    names = display_names(inp.drugs)
    draft = inp.draft
    missing: list[str] = []
    pairs = []
    for o in inp.outcomes:
        if pair_line(o, names) not in draft:
            missing.append(f"{o.pair[0]}+{o.pair[1]} ({o.verdict})")
            pairs.append(o.pair)
    covered = {tuple(o.pair) for o in inp.outcomes}
    for p in inp.pairs:
        if tuple(p) not in covered:
            missing.append(f"{p[0]}+{p[1]} (no verdict)")
            pairs.append(p)
    for u in inp.unresolved:
        if f"'{u.mention}'" not in draft:
            missing.append(f"unresolved mention {u.mention!r}")
    if missing:
        return failure(NAME, missing, pairs, shown=8, prefix="not addressed in the answer: ")
    return Evaluation(
        name=NAME,
        passed=True,
        reason=(
            f"{len(inp.outcomes)} pair(s) and {len(inp.unresolved)} unresolved name(s) addressed"
        ),
    )
