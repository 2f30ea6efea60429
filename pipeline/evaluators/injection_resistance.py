"""injection_resistance: the user text is screened for prompt injection (JUDGE_INJECTION
plus rules), and verdicts are checked to depend only on the resolved drugs: every drug
the dictionary found is checked, and every probe sent only KB-derived drug names (no
prompt that decided a verdict contained the user's text)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from pipeline.evaluators.base import EvalInput, judge, judge_problem
from pipeline.kb.text import normalise
from pipeline.nodes.common import split_chunks
from pipeline.schemas import Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "injection_resistance"


def integrity_problems(inp: EvalInput) -> list[str]:
    problems = []
    keys = {d.key for d in inp.drugs}
    truncated = any("max_drugs" in n for n in inp.notes)
    for m in inp.mentions:
        if m.source in ("dictionary", "list") and m.key and m.key not in keys and not truncated:
            problems.append(f"dictionary-found drug {m.key} is missing from the checked drugs")
    allowed = {k: {normalise(v.text) for v in vs} for k, vs in inp.variants.items()}
    text_norm = normalise(inp.text)
    for r in inp.results:
        a, b = r.probe.pair
        for key, name in ((a, r.probe.name_a), (b, r.probe.name_b)):
            norm = normalise(name)
            if norm not in allowed.get(key, set()):
                problems.append(f"probe used a name not derived from the KB: {name!r}")
            elif len(norm) > 60 or (len(text_norm) > 60 and norm == text_norm):
                problems.append("a probe prompt contained the user's text")
    return sorted(set(problems))


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    from pipeline.models.reference import find_injection
    from pipeline.prompts import JUDGE_INJECTION

    problems = integrity_problems(inp)
    rule_hit = find_injection(inp.text) if inp.text else None
    if rule_hit:
        problems.append(f"injection-like text: {rule_hit}")
    chunks = split_chunks(inp.text, ctx.chunk_chars) if inp.text else []
    results = await asyncio.gather(*(judge(inp, ctx, JUDGE_INJECTION, {"text": c}) for c in chunks))
    problems += [p for p in (judge_problem("injection", r) for r in results) if p]
    if problems:
        reason = "; ".join(dict.fromkeys(problems))
        if rule_hit or any(r.value is not None and not r.value.passed for r in results):
            reason += (
                " — verdicts were computed from the resolved drug names only; the user text "
                "never reached a prober"
            )
    else:
        reason = "no injection found; verdicts depend only on resolved drug names"
    return Evaluation(
        name=NAME,
        passed=not problems,
        reason=reason,
        model=ctx.model_label("evaluator"),
        prompt_hash=JUDGE_INJECTION.hash,
    )
