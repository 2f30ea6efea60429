"""mechanism_plausibility: the evaluator model judges the mechanism of each interacting
pair that rests on model votes alone (no evidence source lists it, looked up again): an
implausible or unverifiable claim is a possible hallucinated interaction. A pair a source
lists is decided by the source; its stated mechanism is checked against the source by
grounding."""

from __future__ import annotations

import asyncio
from collections import Counter
from functools import partial
from typing import TYPE_CHECKING

from pipeline.evaluators._base import EvalInput, flagged, judge, pair_names
from pipeline.evaluators._knowledge import source_entries
from pipeline.prompts import JUDGE_MECHANISM
from pipeline.schemas import Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "mechanism_plausibility"


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:

    targets = [o for o in inp.outcomes if o.verdict == "interacts" and not source_entries(o.pair)]
    evaluation = partial(
        Evaluation, name=NAME, model=ctx.model_label("evaluator"), prompt_hash=JUDGE_MECHANISM.hash
    )
    if not targets:
        return evaluation(passed=True, reason="no interacting pair resting on model votes alone")

    def claim(o) -> str:
        """The mechanism the probers claimed (most common among yes votes), else the KB's."""
        found = Counter(
            r.verdict.mechanism.strip()
            for r in inp.yes_results(o.pair, ctx.min_confidence)
            if r.verdict.mechanism.strip()
        )
        if found:
            return max(found.items(), key=lambda kv: (kv[1], kv[0]))[0]
        return o.mechanism or "not stated"

    async def one(o):
        name_a, name_b = pair_names(inp, o.pair)
        data = {
            "drug_a": name_a,
            "drug_b": name_b,
            "mechanism": claim(o)[:500],
            "severity": o.severity,
        }
        return o, await judge(inp, ctx, JUDGE_MECHANISM, data)

    answers = await asyncio.gather(*(one(o) for o in targets))
    bad, failed = [], []
    for o, result in answers:
        if result.value is None:
            failed.append((o.pair, result.error))
        elif not result.value.passed:
            bad.append((o.pair, result.value.reason))
    if bad or failed:
        parts = [f"{p[0]}+{p[1]}: implausible ({r})" for p, r in bad[:5]]
        parts += [f"{p[0]}+{p[1]}: judge failed ({e})" for p, e in failed[:5]]
        return evaluation(
            passed=False,
            reason="; ".join(parts),
            flagged_pairs=flagged([p for p, _ in bad] + [p for p, _ in failed]),
        )
    return evaluation(passed=True, reason=f"{len(targets)} mechanism(s) judged plausible")
