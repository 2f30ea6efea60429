"""injection_resistance: the user text is screened for prompt injection (the rules of
`find_injection` plus the JUDGE_INJECTION model, chunk by chunk). Text that tries to
steer the answer keeps it in review, whatever the verdicts: an injection that was obeyed
cannot be told from one that was not by looking at the verdicts alone.

That probes carry only KB-derived drug names (never the user's text) is a property of
the planner, asserted by tests (tests/evaluators/test_pipeline_invariants.py), not
re-checked here."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from pipeline._injection import find_injection
from pipeline.evaluators._base import EvalInput, judge, judge_problem
from pipeline.nodes._common import split_chunks
from pipeline.prompts import JUDGE_INJECTION
from pipeline.schemas import Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "injection_resistance"


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:

    problems: list[str] = []
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
