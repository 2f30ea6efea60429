"""gate: every evaluator must sign off; otherwise one bounded revision round.

A failed evaluator with flagged pairs triggers a revision of those pairs (`revise`) while
``round < revision_rounds`` and probe budget remains; afterwards the failures stand and
the query needs review. A missing evaluator result counts as not signed off.
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from pipeline.context import Context
from pipeline.evaluators import EVALUATOR_NAMES
from pipeline.nodes._common import probe_budget_left
from pipeline.schemas import Evaluation
from pipeline.state import State, sorted_pair

__all__ = ["failed_evaluations", "gate", "route_after_gate"]


def failed_evaluations(state: State) -> list:

    evaluations = state.get("evaluations") or {}
    out = []
    for name in EVALUATOR_NAMES:
        ev = evaluations.get(name)
        if ev is None:
            out.append(Evaluation(name=name, passed=False, reason="did not report"))
        elif not ev.passed:
            out.append(ev)
    return out


def flagged_by(failed: list[Evaluation]) -> dict[tuple[str, str], list[str]]:
    """Each pair the evaluators that did not sign off flagged -> their names."""
    out: dict[tuple[str, str], list[str]] = {}
    for ev in failed:
        for p in ev.flagged_pairs:
            if len(p) == 2:
                out.setdefault(sorted_pair(*p), []).append(ev.name)
    return out


async def gate(state: State, runtime: Runtime[Context]) -> dict:
    ctx = runtime.context
    failed = failed_evaluations(state)
    round_no = state.get("round", 0)
    pairs = {tuple(p) for p in state.get("pairs") or []}
    flagged = sorted(flagged_by(failed).keys() & pairs)
    budget_left = probe_budget_left(state, ctx)
    revise = bool(failed and flagged and round_no < ctx.revision_rounds and budget_left > 0)
    entry = {
        "round": round_no,
        "failed": [ev.name for ev in failed],
        "revise_pairs": [list(p) for p in flagged] if revise else [],
    }
    return {"revise_pairs": flagged if revise else [], "history": [entry]}


def route_after_gate(state: State) -> str:
    return "revise" if state.get("revise_pairs") else "compose"
