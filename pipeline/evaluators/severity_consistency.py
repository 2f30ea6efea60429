"""severity_consistency: yes votes agree on severity (within one level) and with the KB."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.evaluators.base import EvalInput, failure
from pipeline.schemas import SEVERITY_ORDER, Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "severity_consistency"
REACH = 1  # levels
_RANK = {s: i for i, s in enumerate(SEVERITY_ORDER) if s != "unknown"}


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    from pipeline.kb import load_kb

    kb = load_kb()
    problems: list[str] = []
    pairs = []
    checked = 0
    for o in inp.outcomes:
        if o.verdict != "interacts":
            continue
        checked += 1
        sev = sorted(
            {
                r.verdict.severity
                for r in inp.yes_results(o.pair, ctx.min_confidence)
                if r.verdict.severity in _RANK
            },
            key=_RANK.__getitem__,
        )
        a, b = o.pair
        if sev and _RANK[sev[-1]] - _RANK[sev[0]] > REACH:
            problems.append(f"{a}+{b}: votes range from {sev[0]} to {sev[-1]}")
            pairs.append(o.pair)
            continue
        entries = kb.interactions(a, b)
        if sev and entries:
            lo = min(_RANK[e.severity] for e in entries)  # most severe reading
            hi = max(_RANK.get(e.severity_least, _RANK[e.severity]) for e in entries)
            outside = [s for s in sev if _RANK[s] < lo - REACH or _RANK[s] > hi + REACH]
            if outside:
                problems.append(
                    f"{a}+{b}: votes say {', '.join(outside)} but the KB says "
                    f"{SEVERITY_ORDER[lo]}" + (f" to {SEVERITY_ORDER[hi]}" if hi != lo else "")
                )
                pairs.append(o.pair)
    if problems:
        return failure(NAME, problems, pairs)
    return Evaluation(
        name=NAME, passed=True, reason=f"{checked} interacting pair(s): severities consistent"
    )
