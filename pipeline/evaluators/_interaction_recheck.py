"""interaction_recheck: the evaluator model re-asks every interacting pair (with a probe
template the pair was asked least with, under the canonical names) and its answer is
compared with the report.

The pair is flagged when the model answers a confident no and no evidence source lists
the pair (a possible hallucinated interaction), when it names a more severe level than
the report (understated severity), or when its mechanism and the reported one share no
specific pharmacological concept (an unsupported mechanism). The counterpart of
false_negative_hunter, which re-asks the pairs reported as no_evidence.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from functools import partial
from typing import TYPE_CHECKING

from pipeline.evaluators._base import EvalInput, flagged, judge, pair_names
from pipeline.evaluators._false_negative_hunter import pick_template
from pipeline.evaluators._knowledge import (
    concepts,
    mechanism_support,
    severity_rank,
    source_entries,
)
from pipeline.llm import probe_consistency_check
from pipeline.nodes._common import probe_prompt
from pipeline.nodes._policy import vote
from pipeline.schemas import Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "interaction_recheck"
CONFIDENT_NO = 0.5


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    targets = [o for o in inp.outcomes if o.verdict == "interacts"]
    evaluation = partial(Evaluation, name=NAME, model=ctx.model_label("evaluator"))
    if not targets:
        return evaluation(passed=True, reason="no interacting pair to re-check")

    async def reask(o):
        used = Counter(r.probe.template for r in inp.results_for(o.pair))
        template = pick_template(used, ctx.templates)
        name_a, name_b = pair_names(inp, o.pair)
        result = await judge(
            inp,
            ctx,
            probe_prompt(template),
            {"drug_a": name_a, "drug_b": name_b},
            check=probe_consistency_check,
        )
        return o, result

    answers = await asyncio.gather(*(reask(o) for o in targets))
    problems: list[str] = []
    pairs = []
    prompt_hash = None
    for o, result in answers:
        prompt_hash = prompt_hash or result.prompt_hash
        a, b = o.pair
        v = result.value
        if v is None:
            problems.append(f"{a}+{b}: could not re-check ({result.error})")
            pairs.append(o.pair)
            continue
        answer = vote(v, ctx.min_confidence)
        if answer == "no" and v.confidence >= CONFIDENT_NO:
            if not source_entries(o.pair):
                problems.append(
                    f"{a}+{b}: reported as interacting, but the evaluator model says no "
                    f"(confidence {v.confidence:.2f}) and no evidence source lists it"
                )
                pairs.append(o.pair)
            continue
        if answer != "yes":
            continue
        if o.severity != "unknown" and severity_rank(v.severity) < severity_rank(o.severity):
            problems.append(
                f"{a}+{b}: reported {o.severity}, the evaluator model says {v.severity}"
            )
            pairs.append(o.pair)
        claim = o.mechanism or o.summary
        if claim and mechanism_support(claim, concepts(v.mechanism)) is False:
            problems.append(
                f"{a}+{b}: the reported mechanism ({claim[:80]!r}) does not match the "
                f"evaluator model's ({v.mechanism[:80]!r})"
            )
            pairs.append(o.pair)
    if problems:
        return evaluation(
            passed=False,
            reason="; ".join(problems[:5]),
            prompt_hash=prompt_hash,
            flagged_pairs=flagged(pairs),
        )
    return evaluation(
        passed=True,
        reason=f"{len(targets)} interacting pair(s) re-asked: verdict, severity and "
        "mechanism confirmed",
        prompt_hash=prompt_hash,
    )
