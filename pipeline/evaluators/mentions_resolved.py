"""mentions_resolved: every mention is resolved to a checked drug or reported as unresolved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.evaluators.base import EvalInput, failure
from pipeline.nodes.common import mention_norm
from pipeline.schemas import Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "mentions_resolved"


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    drug_keys = {d.key for d in inp.drugs}
    reported = {mention_norm(u.mention) for u in inp.unresolved}
    lost: list[str] = []
    for m in inp.mentions:
        if m.source == "model":
            continue  # model mentions are resolved in `resolve`; checked through drugs below
        if m.key is not None:
            if m.key not in drug_keys:
                lost.append(f"{m.text!r} ({m.key}) was resolved but not checked")
        elif mention_norm(m.text) not in reported:
            lost.append(f"{m.text!r} was neither resolved nor reported")
    if lost:
        return failure(NAME, lost, shown=10)
    n = len(inp.drugs)
    reason = f"{n} drug{'s' if n != 1 else ''} resolved"
    if inp.unresolved:
        listed = ", ".join(repr(u.mention) for u in inp.unresolved[:5])
        reason += f"; {len(inp.unresolved)} unresolved mention(s) reported: {listed}"
    return Evaluation(name=NAME, passed=True, reason=reason)
