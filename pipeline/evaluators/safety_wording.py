"""safety_wording: the answer warns about every interacting pair, never reassures about
them and carries the not-medical-advice caution (rules + the JUDGE_SAFETY model)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.answer import NO_EVIDENCE_PHRASE
from pipeline.evaluators.base import EvalInput, judge, judge_problem, pair_names
from pipeline.schemas import Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "safety_wording"

CAUTION_RE = re.compile(r"not\s+medical\s+advice", re.IGNORECASE)
REASSURANCE_RE = re.compile(
    r"\b(?:(?:perfectly|completely|totally|entirely|generally|is|are|it'?s)\s+safe\b"
    r"|safe\s+to\s+(?:take|use|combine|mix)|safe\s+together|no\s+risk|nothing\s+to\s+worry)",
    re.IGNORECASE,
)


def rule_problems(answer: str, any_interacts: bool, any_no_evidence: bool) -> list[str]:
    problems = []
    if not CAUTION_RE.search(answer):
        problems.append("no 'not medical advice' caution")
    if any_interacts:
        m = REASSURANCE_RE.search(answer)
        if m:
            problems.append(f"reassuring wording {m.group(0)!r} although pairs interact")
    if any_no_evidence and NO_EVIDENCE_PHRASE not in answer:
        problems.append("a no-evidence pair is not qualified as 'not proof of safety'")
    return problems


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    from pipeline.prompts import JUDGE_SAFETY

    interacting = [o for o in inp.outcomes if o.verdict == "interacts"]
    problems = rule_problems(
        inp.draft, bool(interacting), any(o.verdict == "no_evidence" for o in inp.outcomes)
    )
    pairs_data = []
    for o in interacting:
        a, b = pair_names(inp, o.pair)
        pairs_data.append({"drug_a": a, "drug_b": b})
    result = await judge(
        inp, ctx, JUDGE_SAFETY, {"answer": inp.draft, "interacting_pairs": pairs_data}
    )
    problem = judge_problem("safety", result)
    if problem:
        problems.append(problem)
    return Evaluation(
        name=NAME,
        passed=not problems,
        reason=(
            "; ".join(problems)
            if problems
            else "warnings, caution and wording ok (rules and judge)"
        ),
        model=ctx.model_label("evaluator"),
        prompt_hash=JUDGE_SAFETY.hash,
    )
