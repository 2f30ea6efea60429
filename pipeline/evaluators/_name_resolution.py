"""name_resolution: each checked drug is what the user's words name.

Every mention of a drug must be one of that drug's names in the KB name table (generic,
international, brand, salt, synonym) or a reviewed product containing it. A mention that
is not (a misspelling, a fuzzy or model match) is put to the evaluator model with the
EXPAND prompt ("other names of <mention>"): the pair fails when the model names the
mention's substance and none of its names is a name of the checked drug ("'Coumadin' is
warfarin, not codeine"). An empty answer (the model does not know the word) is recorded,
not failed.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from pipeline.evaluators._base import EvalInput, failure, judge
from pipeline.evaluators._knowledge import drug_names, names_key
from pipeline.kb._text import normalise
from pipeline.prompts import EXPAND
from pipeline.schemas import Evaluation
from pipeline.state import DrugEntry

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "name_resolution"


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:

    to_ask: list[tuple[DrugEntry, str]] = []
    for d in inp.drugs:
        for mention in d.mentions:
            if d.key not in names_key(mention):
                to_ask.append((d, mention))
    answers = await asyncio.gather(*(judge(inp, ctx, EXPAND, {"drug": m}) for _, m in to_ask))
    problems: list[str] = []
    unknown: list[str] = []
    for (d, mention), result in zip(to_ask, answers, strict=True):
        if result.value is None:
            problems.append(f"could not check {mention!r} (judge failed: {result.error})")
            continue
        said = [n for n in result.value.names if n.strip()]
        if not said:
            unknown.append(mention)
            continue
        own = drug_names(d.key)
        if not any((own & _norms(n)) or d.key in names_key(n) for n in said):
            shown = ", ".join(said[:3])
            problems.append(
                f"{mention!r} was checked as {d.name}, but the evaluator model knows it as {shown}"
            )
    model = ctx.model_label("evaluator") if to_ask else "rule"
    prompt_hash = EXPAND.hash if to_ask else None
    if problems:
        return failure(NAME, problems, model=model, prompt_hash=prompt_hash)
    n = sum(len(d.mentions) for d in inp.drugs)
    reason = f"{n} mention(s) are names of the drugs checked"
    if to_ask:
        reason += f" ({len(to_ask) - len(unknown)} confirmed by the evaluator model"
        reason += f"; not known to it: {', '.join(map(repr, unknown[:5]))})" if unknown else ")"
    return Evaluation(name=NAME, passed=True, reason=reason, model=model, prompt_hash=prompt_hash)


def _norms(name: str) -> set[str]:
    return {normalise(name)} - {""}
