"""evidence: look every pair up in every evidence source (after expand, before plan).

A pair an evidence source lists interacts whatever the probes later say; plan then gives
it no probes unless ``probe_listed`` is set. Coverage gaps are kept per source, so that a
pair is never called "no evidence" when a source could not check it.
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from pipeline.context import Context
from pipeline.evidence import default_sources, pair_evidence
from pipeline.state import State, checked_pairs, pair_key

__all__ = ["evidence", "query_pairs"]


def query_pairs(state: State) -> list[tuple[str, str]]:
    """Every pair the query must answer (`checked_pairs`)."""
    return checked_pairs(state.get("drugs") or [])


async def evidence(state: State, runtime: Runtime[Context]) -> dict:
    """Node: the evidence of every pair."""
    names = {d.key: d.name for d in state.get("drugs") or []}
    pairs = query_pairs(state)
    if not runtime.context.evidence:
        return {"pairs": pairs, "evidence": {}}
    sources = default_sources(runtime.context.sources)
    return {
        "pairs": pairs,
        "evidence": {pair_key(p): pair_evidence(p, sources, names) for p in pairs},
    }
