"""false_negative_hunter: re-ask every no_evidence pair, and every pair of the checked
drugs that has no verdict at all, with another template, using the evaluator model; any
credible yes flags the pair."""

from __future__ import annotations

import asyncio
from collections import Counter
from functools import partial
from typing import TYPE_CHECKING

from pipeline.evaluators._base import EvalInput, flagged, judge, pair_names
from pipeline.llm import probe_consistency_check
from pipeline.nodes._common import probe_prompt
from pipeline.nodes._policy import vote
from pipeline.schemas import Evaluation
from pipeline.state import checked_pairs

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "false_negative_hunter"


def pick_template(used: Counter, templates) -> str:
    """A template not used for the pair yet, else the least used (ties: list order)."""
    return min(templates, key=lambda t: (used.get(t, 0), list(templates).index(t)))


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    decided = {tuple(o.pair) for o in inp.outcomes}
    targets = [o.pair for o in inp.outcomes if o.verdict == "no_evidence"]
    targets += [p for p in checked_pairs(inp.drugs) if p not in decided]
    if not targets:
        return Evaluation(name=NAME, passed=True, reason="no no_evidence pair to re-ask")

    async def reask(pair):
        used = Counter(r.probe.template for r in inp.results_for(pair))
        template = pick_template(used, ctx.templates)
        name_a, name_b = pair_names(inp, pair)
        prompt = probe_prompt(template)
        result = await judge(
            inp, ctx, prompt, {"drug_a": name_a, "drug_b": name_b}, check=probe_consistency_check
        )
        return pair, template, result

    answers = await asyncio.gather(*(reask(p) for p in targets))
    hits, failed = [], []
    prompt_hash = None
    for pair, template, result in answers:
        prompt_hash = prompt_hash or result.prompt_hash
        if result.value is None:
            failed.append(f"{pair[0]}+{pair[1]} ({result.error})")
        elif vote(result.value, ctx.min_confidence) == "yes":
            hits.append((pair, template, result.value))
    evaluation = partial(
        Evaluation, name=NAME, model=ctx.model_label("evaluator"), prompt_hash=prompt_hash
    )
    if hits:
        detail = "; ".join(
            f"{p[0]}+{p[1]}: yes ({v.severity}) with template {t}" for p, t, v in hits[:5]
        )
        return evaluation(
            passed=False,
            reason=f"possible false negatives: {detail}",
            flagged_pairs=flagged(p for p, _, _ in hits),
        )
    if failed:
        return evaluation(passed=False, reason="could not re-ask: " + "; ".join(failed[:5]))
    return evaluation(
        passed=True,
        reason=f"{len(targets)} pair(s) without a positive verdict re-asked with another "
        "template: no yes",
    )
