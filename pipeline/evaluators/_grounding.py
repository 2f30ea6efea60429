"""grounding: every pair of the checked drugs has a verdict, and each verdict holds when
the evidence sources are consulted again.

* a pair without any verdict fails (a missing pair is never "no interaction");
* ``interacts`` needs an evidence-source entry or a credible yes vote with a mechanism,
  and the mechanism the report states must share a pharmacological concept with what the
  sources say about the pair when they say something specific (KB categories included);
* ``no_evidence`` needs one exhaustive source to cover both drugs and no source to list
  the pair (absence from a source that does not cover a drug means nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.evaluators._base import EvalInput, failure
from pipeline.evaluators._knowledge import (
    concepts,
    kb_concepts,
    mechanism_support,
    source_covers,
    source_entries,
)
from pipeline.schemas import Evaluation
from pipeline.state import checked_pairs

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "grounding"


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    problems: list[str] = []
    pairs = []
    decided = {tuple(o.pair) for o in inp.outcomes}
    for p in checked_pairs(inp.drugs):
        if p not in decided:
            problems.append(f"{p[0]}+{p[1]}: no verdict at all")
            pairs.append(p)
    for o in inp.outcomes:
        a, b = o.pair
        if o.verdict == "interacts":
            entries = source_entries(o.pair)
            has_vote = any(
                r.verdict.mechanism.strip() for r in inp.yes_results(o.pair, ctx.min_confidence)
            )
            if not (entries or has_vote):
                problems.append(f"{a}+{b}: interacts without a source entry or a stated mechanism")
                pairs.append(o.pair)
                continue
            claim = o.mechanism or o.summary
            if entries and claim:
                reference = kb_concepts(o.pair)
                for e in entries:
                    reference |= concepts(e.mechanism)
                if mechanism_support(claim, reference) is False:
                    problems.append(
                        f"{a}+{b}: the stated mechanism ({claim[:80]!r}) is not what the "
                        "evidence sources say about the pair"
                    )
                    pairs.append(o.pair)
        elif o.verdict == "no_evidence":
            entries = source_entries(o.pair)
            if entries:
                source = entries[0].source.split(":", 1)[-1]
                problems.append(
                    f"{a}+{b}: reported no_evidence, but {source} lists it ({entries[0].severity})"
                )
                pairs.append(o.pair)
                continue
            outside = source_covers(o.pair)
            if outside:
                problems.append(
                    f"{a}+{b}: 'no evidence' is not grounded: {', '.join(outside)} outside the "
                    "sources' coverage"
                )
                pairs.append(o.pair)
    if problems:
        return failure(NAME, problems, pairs)
    return Evaluation(
        name=NAME, passed=True, reason=f"{len(inp.outcomes)} pair verdict(s) grounded"
    )
