"""permutation_completeness: every issued probe is answered or accounted for."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from pipeline.evaluators.base import EvalInput, failure
from pipeline.schemas import Evaluation
from pipeline.state import pair_key

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "permutation_completeness"


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    problems: list[str] = []
    pairs = []
    keys = Counter((r.probe.round, r.probe.index) for r in inp.results)
    dup = [k for k, n in keys.items() if n > 1]
    if dup:
        problems.append(f"{len(dup)} probe(s) recorded twice")
    by_pair = Counter(pair_key(r.probe.pair) for r in inp.results)
    orders: dict[str, set[str]] = {}
    for r in inp.results:
        orders.setdefault(pair_key(r.probe.pair), set()).add(r.probe.order)
    budget_noted = any("budget" in n for n in inp.notes)
    for pair in inp.probed_pairs(ctx):
        pk = pair_key(pair)
        n = by_pair.get(pk, 0)
        if n == 0:
            o = inp.outcome(pair)
            accounted = budget_noted or (o is not None and any("budget" in x for x in o.reasons))
            if not accounted:
                problems.append(f"{pk} was never probed")
                pairs.append(pair)
            continue
        if n >= 2 and len(orders.get(pk, ())) < 2:
            problems.append(f"{pk} asked in one order only")
            pairs.append(pair)
    failed = sum(r.verdict is None for r in inp.results)
    if problems:
        return failure(NAME, problems, pairs, shown=10)
    reason = f"{len(inp.results)} probes over {len(inp.pairs)} pair(s) all accounted for"
    if failed:
        reason += f" ({failed} failed and counted as unknown)"
    return Evaluation(name=NAME, passed=True, reason=reason)
