"""expand: the names each drug is probed under.

Per drug: its canonical name, the user's own wording (when it is a real name, not a
misspelling), then `pipeline.names.synonyms` (generic, international, brands, salts) up
to ``1 + synonyms_per_drug`` names. With `expand_with_model`, the extractor model's
EXPAND answer adds names that resolve back to the same drug (others are discarded).
"""

from __future__ import annotations

import asyncio

from langgraph.runtime import Runtime

from pipeline.context import Context
from pipeline.kb._text import normalise
from pipeline.names import resolve, synonyms
from pipeline.nodes._common import call_model
from pipeline.prompts import EXPAND
from pipeline.state import DrugEntry, NameVariant, State

__all__ = ["expand", "name_variants"]

_USER_NAME_KINDS = ("exact", "synonym", "brand", "salt", "international")


def name_variants(drug: DrugEntry, per_drug: int) -> list[NameVariant]:
    """Canonical name, the user's wording, then ranked synonyms: at most 1 + per_drug
    names (the user's wording may add one more)."""

    out: list[NameVariant] = [NameVariant(text=drug.name, kind="canonical", source="kb")]
    seen = {normalise(drug.name), normalise(drug.key)}
    cap = 1 + per_drug
    if drug.match_kind in _USER_NAME_KINDS:
        for mention in drug.mentions:
            norm = normalise(mention)
            if norm and norm not in seen:
                seen.add(norm)
                out.append(NameVariant(text=mention.strip(), kind="mention", source="query"))
                break
    cap = max(cap, len(out))
    if len(out) < cap:
        for s in synonyms(drug.key, limit=per_drug + 2):
            norm = normalise(s.text)
            if not norm or norm in seen:
                continue
            seen.add(norm)
            out.append(NameVariant(text=s.text, kind=s.kind, source=s.source))
            if len(out) >= cap:
                break
    return out


async def _model_names(
    ctx: Context, drug: DrugEntry, have: list[NameVariant], deadline_at: float | None
):

    result, record = await call_model(
        ctx, "extractor", EXPAND, {"drug": drug.name}, deadline=deadline_at
    )
    extra: list[NameVariant] = []
    if result.value is None:
        note = f"the extractor model failed to list other names of {drug.name} ({result.error})"
        return extra, record, note + ": it was probed under fewer names"
    seen = {normalise(v.text) for v in have}
    for name in result.value.names:
        norm = normalise(name)
        if not norm or norm in seen:
            continue
        r = resolve(name)
        if r is not None and r.key == drug.key:  # keep only names that resolve back
            seen.add(norm)
            extra.append(NameVariant(text=name.strip(), kind="model", source="expand"))
        if len(extra) >= ctx.synonyms_per_drug:
            break
    return extra, record, None


async def expand(state: State, runtime: Runtime[Context]) -> dict:
    ctx = runtime.context
    drugs = state.get("drugs") or []
    variants = {d.key: name_variants(d, ctx.synonyms_per_drug) for d in drugs}
    calls = []
    notes = []
    if ctx.expand_with_model and len(drugs) >= 2:
        deadline_at = state.get("deadline_at")
        answers = await asyncio.gather(
            *(_model_names(ctx, d, variants[d.key], deadline_at) for d in drugs)
        )
        for d, (extra, record, note) in zip(drugs, answers, strict=True):
            variants[d.key] = variants[d.key] + extra
            calls.append(record)
            if note:
                notes.append(note)
    return {
        "variants": variants,
        "calls": calls,
        "notes": notes,
        "spent": state.get("spent", 0) + len(calls),  # extractor calls count in the budget
    }
