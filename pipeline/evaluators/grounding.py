"""grounding: every verdict rests on evidence.

An interacting pair needs KB evidence or at least one model yes vote with a mechanism.
A no_evidence pair is only grounded when both drugs are inside the KB's interaction
coverage (absence from a source that does not cover a drug means nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.evaluators.base import EvalInput, failure
from pipeline.schemas import Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "grounding"


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    from pipeline.kb import load_kb

    kb = load_kb()
    problems: list[str] = []
    pairs = []
    for o in inp.outcomes:
        a, b = o.pair
        if o.verdict == "interacts":
            has_kb = bool(kb.interactions(a, b))
            has_vote = any(
                r.verdict.mechanism.strip() for r in inp.yes_results(o.pair, ctx.min_confidence)
            )
            if not (has_kb or has_vote):
                problems.append(f"{a}+{b}: interacts without KB evidence or a stated mechanism")
                pairs.append(o.pair)
        elif o.verdict == "no_evidence":
            outside = [k for k in (a, b) if not kb.is_covered(k)]
            if outside:
                problems.append(
                    f"{a}+{b}: 'no evidence' is not grounded: {', '.join(outside)} outside KB "
                    "coverage"
                )
                pairs.append(o.pair)
    if problems:
        return failure(NAME, problems, pairs)
    return Evaluation(
        name=NAME, passed=True, reason=f"{len(inp.outcomes)} pair verdict(s) grounded"
    )
