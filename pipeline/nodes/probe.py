"""probe (one prober call per `Send`; failures become unknown answers, never "no") and
aggregate (pair outcomes under the policy, see `pipeline.nodes.aggregate`)."""

from __future__ import annotations

from langgraph.runtime import Runtime

from pipeline.context import Context
from pipeline.nodes.aggregate import PolicyParams, group_results, summarize_pair
from pipeline.nodes.common import call_model, probe_prompt
from pipeline.state import PairOutcome, ProbeResult, ProbeTask, State, pair_key

__all__ = ["aggregate", "compute_outcomes", "probe"]


async def probe(task: ProbeTask, runtime: Runtime[Context]) -> dict:
    from pipeline.llm import probe_consistency_check

    ctx = runtime.context
    p = task["probe"]
    prompt = probe_prompt(p.template)
    try:
        result, record = await call_model(
            ctx, p.role, prompt, p.data, check=probe_consistency_check
        )
    except Exception as exc:  # noqa: BLE001 - a probe must never break the run
        return {
            "results": [
                ProbeResult(
                    probe=p,
                    error=f"{type(exc).__name__}: {exc}"[:300],
                    model=ctx.model_label(p.role),
                    prompt_hash=prompt.hash,
                )
            ]
        }
    # usage is accounted under "prober" even when the evaluator model answers a revision
    record = record.model_copy(update={"role": "prober"})
    return {
        "results": [
            ProbeResult(
                probe=p,
                verdict=result.value,
                error=result.error,
                model=result.model,
                prompt_hash=result.prompt_hash,
                cached=result.cached,
            )
        ],
        "calls": [record],
    }


def compute_outcomes(state: State, ctx: Context) -> list[PairOutcome]:
    from pipeline.kb import load_kb

    kb = load_kb()
    params = PolicyParams.from_context(ctx)
    grouped = group_results(state.get("results") or [])
    outcomes = []
    for pair in state.get("pairs") or []:
        pk = pair_key(pair)
        reasons = []
        rs = grouped.get(pk, [])
        if not rs:
            reasons.append("not probed: the per-query probe budget ran out")
        outcomes.append(summarize_pair(pair, rs, params, kb.interactions(*pair), reasons=reasons))
    return outcomes


async def aggregate(state: State, runtime: Runtime[Context]) -> dict:
    """Node: pair outcomes from every probe result so far."""
    return {"outcomes": compute_outcomes(state, runtime.context)}
