"""variant_contradictions: yes under some names, confident no under others.

Such a pair passes only when the policy resolved it to "interacts" (recall keeps the
credible yes) and the contradiction is recorded here; otherwise it is flagged for
revision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.evaluators._base import EvalInput, failure, flagged
from pipeline.nodes._policy import vote
from pipeline.schemas import Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "variant_contradictions"
CONFIDENT_NO = 0.5


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    resolved: list[str] = []
    open_: list[str] = []
    pairs_resolved = []
    pairs_open = []
    for pair in inp.pairs:
        yes_names: set[tuple[str, str]] = set()
        no_names: set[tuple[str, str]] = set()
        for r in inp.results_for(pair):
            v = vote(r.verdict, ctx.min_confidence)
            names = (r.probe.name_a, r.probe.name_b)
            if v == "yes":
                yes_names.add(names)
            elif v == "no" and r.verdict is not None and r.verdict.confidence >= CONFIDENT_NO:
                no_names.add(names)
        if not (yes_names and no_names - yes_names):
            continue
        o = inp.outcome(pair)
        y = " / ".join(sorted(" + ".join(n) for n in yes_names)[:2])
        n = " / ".join(sorted(" + ".join(x) for x in no_names - yes_names)[:2])
        line = f"{pair[0]}+{pair[1]}: yes under {y}; confident no under {n}"
        if o is not None and o.verdict == "interacts":
            resolved.append(line + " -> resolved as interacts")
            pairs_resolved.append(pair)
        else:
            open_.append(line)
            pairs_open.append(pair)
    if open_:
        return failure(NAME, open_, pairs_open, prefix="unresolved name-dependent answers: ")
    if resolved:
        return Evaluation(
            name=NAME,
            passed=True,
            reason="recorded and resolved by the recall policy: " + "; ".join(resolved[:5]),
            flagged_pairs=flagged(pairs_resolved),
        )
    return Evaluation(name=NAME, passed=True, reason="no name-dependent contradictions")
