"""severity_consistency: no reported severity is milder than the evidence sources say.

Each interacting pair's reported severity is compared with the most severe level the
evidence sources list for the pair, looked up again (for a conditional entry, its most
severe reading: the answer must not understate the worst case). Reported severities that
are more severe than the sources pass: the recall policy keeps a credible stronger vote.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.evaluators._base import EvalInput, failure
from pipeline.evaluators._knowledge import severity_rank, source_entries
from pipeline.schemas import Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "severity_consistency"


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    problems: list[str] = []
    pairs = []
    checked = 0
    for o in inp.outcomes:
        if o.verdict != "interacts":
            continue
        entries = [e for e in source_entries(o.pair) if e.severity != "unknown"]
        if not entries:
            continue
        checked += 1
        worst = min(entries, key=lambda e: severity_rank(e.severity))
        if severity_rank(o.severity) > severity_rank(worst.severity):
            a, b = o.pair
            source = worst.source.split(":", 1)[-1]
            problems.append(
                f"{a}+{b}: reported {o.severity}, but {source} says {worst.severity}"
                + (f" ({worst.level})" if worst.level else "")
            )
            pairs.append(o.pair)
    if problems:
        return failure(NAME, problems, pairs, prefix="severity understated: ")
    return Evaluation(
        name=NAME,
        passed=True,
        reason=f"{checked} listed interacting pair(s): no severity below the sources' level",
    )
