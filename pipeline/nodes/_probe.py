"""probe (the prober calls of one `Send`: one pair's probes of a wave; failures become
unknown answers, never "no") and
aggregate (pair outcomes under the policy, see `pipeline.nodes._policy`)."""

from __future__ import annotations

import asyncio

from langgraph.runtime import Runtime

from pipeline.context import Context
from pipeline.llm import probe_consistency_check
from pipeline.nodes._common import call_model, probe_prompt
from pipeline.nodes._policy import PolicyParams, group_results, summarize_pair
from pipeline.state import (
    CallRecord,
    PairOutcome,
    Probe,
    ProbeResult,
    ProbeTask,
    State,
    pair_key,
)

__all__ = ["aggregate", "compute_outcomes", "probe"]


async def _probe_one(
    ctx: Context, p: Probe, deadline_at: float | None
) -> tuple[ProbeResult, CallRecord | None]:

    prompt = probe_prompt(p.template)
    try:
        result, record = await call_model(
            ctx, p.role, prompt, p.data, check=probe_consistency_check, deadline=deadline_at
        )
    except Exception as exc:  # noqa: BLE001 - a probe must never break the run
        return (
            ProbeResult(
                probe=p,
                error=f"{type(exc).__name__}: {exc}"[:300],
                model=ctx.model_label(p.role),
                prompt_hash=prompt.hash,
            ),
            None,
        )
    # usage is accounted under "prober" even when the evaluator model answers a revision
    record = record.model_copy(update={"role": "prober"})
    return (
        ProbeResult(
            probe=p,
            verdict=result.value,
            error=result.error,
            model=result.model,
            prompt_hash=result.prompt_hash,
            cached=result.cached,
        ),
        record,
    )


async def probe(task: ProbeTask, runtime: Runtime[Context]) -> dict:
    """Ask one probe, or a batch (``task["probes"]``: one pair's probes of a wave).

    A batch runs its probes concurrently (each call still waits for the run's limiter, so
    at most ``concurrency`` calls are in flight) and isolates failures per probe. One task
    per pair instead of per probe keeps LangGraph's per-task cost (scheduling, pending
    writes, checkpoint bookkeeping) off the per-probe path: see BENCHMARKS.md.
    """
    ctx = runtime.context
    probes = task.get("probes") or [task["probe"]]
    deadline_at = task.get("deadline_at")
    if len(probes) == 1:
        outs = [await _probe_one(ctx, probes[0], deadline_at)]
    else:
        outs = await asyncio.gather(*(_probe_one(ctx, p, deadline_at) for p in probes))
    return {
        "results": [r for r, _ in outs],
        "calls": [c for _, c in outs if c is not None],
    }


def compute_outcomes(state: State, ctx: Context) -> list[PairOutcome]:
    params = PolicyParams.from_context(ctx)
    grouped = group_results(state.get("results") or [])
    evidence = state.get("evidence") or {}
    outcomes = []
    for pair in state.get("pairs") or []:
        pk = pair_key(pair)
        reasons = []
        rs = grouped.get(pk, [])
        if not rs:
            reasons.append("not probed: the probe budget ran out")
        outcomes.append(summarize_pair(pair, rs, params, evidence.get(pk), reasons=reasons))
    return outcomes


async def aggregate(state: State, runtime: Runtime[Context]) -> dict:
    """Node: pair outcomes from every probe result so far."""
    return {"outcomes": compute_outcomes(state, runtime.context)}
