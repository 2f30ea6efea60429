"""safety_wording: the answer warns about every pair that is known to interact, as strongly
as the evidence says, and never reassures.

The pairs to warn about are those the run found interacting plus every pair of the checked
drugs that an evidence source lists (looked up again, so a pair the run got wrong is
still one to warn about). Rules: for each such pair, a line of the answer naming both
drugs must word the risk at least as strongly as the most severe level known for it
(contraindicated: "contraindicated" / "do not take"; major: "major" / "avoid"; ...); no
reassuring wording ("safe to take", "no risk") anywhere — absence of evidence is never
safety. The JUDGE_SAFETY model then reads the answer with the same pairs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.evaluators._base import EvalInput, flagged, judge, judge_problem, pair_names
from pipeline.evaluators._knowledge import (
    drug_names,
    lines_naming,
    severity_rank,
    source_entries,
    strong_enough,
)
from pipeline.prompts import JUDGE_SAFETY
from pipeline.schemas import SEVERITY_ORDER, Evaluation
from pipeline.state import checked_pairs

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "safety_wording"

REASSURANCE_RE = re.compile(
    r"\b(?:(?:perfectly|completely|totally|entirely|generally|is|are|it'?s)\s+safe\b"
    r"|safe\s+to\s+(?:take|use|combine|mix)|safe\s+together|no\s+risk|nothing\s+to\s+worry)",
    re.IGNORECASE,
)


def rule_problems(answer: str, required: dict, names: dict) -> tuple[list[str], list]:
    """Problems of the answer text: reassurance anywhere; a known-interacting pair
    (`required`: pair -> most severe level) not warned about as strongly as its level."""
    problems: list[str] = []
    pairs = []
    m = REASSURANCE_RE.search(answer)
    if m:
        problems.append(f"reassuring wording {m.group(0)!r}")
    for pair, severity in sorted(required.items()):
        lines = lines_naming(answer, names[pair[0]], names[pair[1]])
        if not lines:
            problems.append(f"{pair[0]}+{pair[1]} interacts but the answer does not name it")
            pairs.append(pair)
        elif not any(strong_enough(line, severity) for line in lines):
            problems.append(f"{pair[0]}+{pair[1]}: the answer does not word the risk as {severity}")
            pairs.append(pair)
    return problems, pairs


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:

    outcomes = {tuple(o.pair): o for o in inp.outcomes}
    required: dict[tuple[str, str], str] = {}
    for pair in checked_pairs(inp.drugs):
        levels = [e.severity for e in source_entries(pair)]
        o = outcomes.get(pair)
        if o is not None and o.verdict == "interacts":
            levels.append(o.severity)
        elif not levels:
            continue
        required[pair] = min(levels, key=severity_rank) if levels else SEVERITY_ORDER[-1]
    names = {d.key: drug_names(d.key, d.mentions) for d in inp.drugs}
    problems, pairs = rule_problems(inp.draft, required, names)
    pairs_data = []
    for pair in sorted(required):
        a, b = pair_names(inp, pair)
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
            "; ".join(problems[:6])
            if problems
            else f"{len(required)} interacting pair(s) warned about as strongly as known; "
            "no reassurance (rules and judge)"
        ),
        model=ctx.model_label("evaluator"),
        prompt_hash=JUDGE_SAFETY.hash,
        flagged_pairs=flagged(pairs),
    )
