"""synonym_coverage: each drug is probed under at least two names when it has them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.evaluators.base import EvalInput, failure
from pipeline.kb.text import normalise
from pipeline.schemas import Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "synonym_coverage"


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    used: dict[str, set[str]] = {}
    for r in inp.results:
        a, b = r.probe.pair
        used.setdefault(a, set()).add(normalise(r.probe.name_a))
        used.setdefault(b, set()).add(normalise(r.probe.name_b))
    short: list[str] = []
    pairs = []
    for d in inp.drugs:
        available = {normalise(v.text) for v in inp.variants.get(d.key, [])}
        need = min(2, len(available))
        pairs_of_d = [p for p in inp.probed_pairs(ctx) if d.key in p]
        if not pairs_of_d or need == 0:
            continue
        got = len(used.get(d.key, set()))
        if got < need:
            short.append(f"{d.name} probed under {got} name(s) of {len(available)} available")
            pairs.extend(pairs_of_d)
    if short:
        return failure(NAME, short, pairs, shown=10)
    counts = ", ".join(f"{d.name}: {len(used.get(d.key, ()))}" for d in inp.drugs[:10])
    return Evaluation(name=NAME, passed=True, reason=f"names probed per drug: {counts or 'none'}")
