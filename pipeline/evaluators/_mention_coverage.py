"""mention_coverage: the evaluator model reads the question again; every medicine it finds
must be a checked drug or a reported unresolved mention.

Catches drugs the run lost (a dropped mention: the extractor missed it, a merge lost it)
and mentions read as the wrong drug (the re-read resolves the user's words to a drug that
was not checked). The evaluator model reads each ~``chunk_chars`` chunk with the EXTRACT
prompt; its mentions are resolved with the name layer. Mentions that do not occur in the
question are ignored (a judge's invention is not the user's drug).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from pipeline.evaluators._base import EvalInput, failure, judge
from pipeline.kb import load_kb
from pipeline.kb._text import normalise
from pipeline.names import lookup
from pipeline.names._products import ingredients, product_ingredients
from pipeline.nodes._common import mention_norm, split_chunks
from pipeline.prompts import EXTRACT
from pipeline.schemas import Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "mention_coverage"


def _keys_of(text: str) -> tuple[str, ...]:

    product = product_ingredients(normalise(text))
    if product:
        return product
    res = lookup(text)
    return ingredients(load_kb(), res.drug.key) if res.drug is not None else ()


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:

    text = inp.text
    chunks = split_chunks(text, ctx.chunk_chars) if text else []
    results = await asyncio.gather(*(judge(inp, ctx, EXTRACT, {"text": c}) for c in chunks))
    problems = [f"extraction judge failed: {r.error}" for r in results if r.value is None]
    found: list[str] = []
    for r in results:
        if r.value is not None:
            found += [m.text.strip() for m in r.value.mentions if m.text.strip()]
    full = f" {normalise(text)} "
    checked = {d.key for d in inp.drugs}
    checked_mentions = {normalise(m) for d in inp.drugs for m in d.mentions}
    reported = {mention_norm(u.mention) for u in inp.unresolved}
    truncated = any("max_drugs" in n for n in inp.notes)
    seen: set[str] = set()
    for mention in found:
        norm = normalise(mention)
        if not norm or norm in seen or f" {norm} " not in full:
            continue
        seen.add(norm)
        keys = _keys_of(mention)
        if keys:
            lost = [k for k in keys if k not in checked]
            if lost and not truncated:
                problems.append(
                    f"{mention!r} in the question names {', '.join(lost)}, which was not checked"
                )
        elif mention_norm(mention) not in reported and not any(
            norm in m or m in norm for m in checked_mentions
        ):
            problems.append(f"{mention!r} in the question was neither checked nor reported")
    if problems:
        return failure(
            NAME,
            problems,
            shown=8,
            model=ctx.model_label("evaluator"),
            prompt_hash=EXTRACT.hash,
        )
    return Evaluation(
        name=NAME,
        passed=True,
        reason=(
            f"the evaluator model read {len(seen)} medicine(s) in the question: all checked "
            "or reported"
        ),
        model=ctx.model_label("evaluator"),
        prompt_hash=EXTRACT.hash,
    )
