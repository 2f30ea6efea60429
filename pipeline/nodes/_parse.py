"""parse -> extract (fan-out per chunk) -> resolve: from the user's input to canonical drugs.

Free text is read by the dictionary extractor (`pipeline.names.extract_drugs`) and, when
`extract_with_model` is on, also by the extractor model over ~`chunk_chars` chunks (one
`Send` per chunk). The union is kept: model mentions can add drugs, never remove a
dictionary mention; a model mention that does not occur in the text or does not resolve
is reported as unresolved (with suggestions), never silently dropped.
"""

from __future__ import annotations

import asyncio
import time
from typing import NotRequired, TypedDict

from langgraph.runtime import Runtime
from langgraph.types import Send

from pipeline.context import Context, check_query
from pipeline.evidence import default_sources
from pipeline.kb import load_kb
from pipeline.kb._text import normalise
from pipeline.names import lookup
from pipeline.names._products import ingredients
from pipeline.names._read import clean_text, mask_foreign, read_query
from pipeline.names._resolver import aprepare_default
from pipeline.names._results import Mention
from pipeline.nodes._common import call_model, mention_norm, split_chunks
from pipeline.prompts import EXTRACT
from pipeline.schemas import UnresolvedMention
from pipeline.state import DrugEntry, MentionRecord, State

__all__ = ["ChunkTask", "clean_text", "extract", "parse", "resolve", "route_after_parse"]


class ChunkTask(TypedDict):
    chunk: str
    index: int
    deadline_at: NotRequired[float | None]


def _record_from_resolution(text: str, source: str, drug, suggestions=()) -> MentionRecord:
    if drug is None:
        return MentionRecord(
            text=text,
            source=source,
            suggestions=tuple(s.name for s in suggestions)[:5],
            reason="not recognised as a drug name",
        )
    return MentionRecord(
        text=text,
        source=source,
        key=drug.key,
        match_kind=drug.match_kind,
        score=float(drug.score),
    )


# ---------------------------------------------------------------- the one reading
# (`pipeline.names._read`: the same for the API, `ddi ask`, `ddi resolve` and this node;
# the hygiene helpers are re-exported here for callers that import them from the node)


def _record(m: Mention, source: str) -> MentionRecord:
    """A name-layer mention as the graph's record (ingredients and reason kept)."""
    if m.drug is None:
        return MentionRecord(
            text=m.text,
            source=source,  # type: ignore[arg-type]
            start=m.start,
            suggestions=tuple(s.name for s in m.suggestions)[:5],
            reason=m.reason or "not recognised as a drug name",
        )
    keys = m.ingredients or (m.drug.key,)
    return MentionRecord(
        text=m.text,
        source=source,  # type: ignore[arg-type]
        key=keys[0] if m.drug.match_kind == "product" else m.drug.key,
        match_kind=m.drug.match_kind,
        score=float(m.drug.score),
        start=m.start,
        ingredients=keys if keys != (m.drug.key,) or m.drug.match_kind == "product" else (),
    )


async def parse(state: State, runtime: Runtime[Context]) -> dict:
    """Normalise the input; find dictionary mentions; cut text into extractor chunks.
    Starts the query's deadline. The text work runs in a worker thread: a long note must
    not hold the event loop that other queries share."""

    # first, before any work: a served graph's input comes from an untrusted caller
    query = check_query(state.get("query"))
    await aprepare_default()  # first query of a process: load KB + index off the event loop
    ctx = runtime.context
    deadline_at = state.get("deadline_at") or time.time() + ctx.deadline
    update = await asyncio.to_thread(_read_query, query, ctx)
    return {**update, "deadline_at": deadline_at}


def _read_query(query: str | list[str], ctx: Context) -> dict:
    reading = read_query(query)
    source = "list" if reading.is_list else "dictionary"
    mentions = [_record(m, source) for m in reading.mentions]
    notes = list(reading.notes)
    if reading.is_list:
        return {
            "text": reading.text,
            "is_list": True,
            "mentions": mentions,
            "chunks": [],
            "notes": notes,
        }
    text = reading.text
    chunks = split_chunks(text, ctx.chunk_chars) if ctx.extract_with_model else []
    if len(chunks) > ctx.budget.calls_per_query:  # extractor calls count in the budget
        notes.append(
            f"the extractor model read only the first {ctx.budget.calls_per_query} of "
            f"{len(chunks)} parts of the text (calls_per_query); the dictionary read all of it"
        )
        chunks = chunks[: ctx.budget.calls_per_query]
    return {
        "text": text,
        "is_list": False,
        "mentions": mentions,
        "chunks": chunks,
        "notes": notes,
        "spent": len(chunks),
    }


def route_after_parse(state: State) -> list[Send] | str:
    chunks = state.get("chunks") or []
    if not chunks:
        return "resolve"
    deadline_at = state.get("deadline_at")
    return [
        Send("extract", {"chunk": c, "index": i, "deadline_at": deadline_at})
        for i, c in enumerate(chunks)
    ]


async def extract(task: ChunkTask, runtime: Runtime[Context]) -> dict:
    """Extractor model on one chunk: mention texts (resolved later, in `resolve`)."""

    ctx = runtime.context
    result, record = await call_model(
        ctx, "extractor", EXTRACT, {"text": task["chunk"]}, deadline=task.get("deadline_at")
    )
    mentions = []
    notes = []
    if result.value is not None:
        for m in result.value.mentions:
            t = m.text.strip()
            if t:
                mentions.append(MentionRecord(text=t, source="model", start=task["index"]))
    else:  # never a silent gap: a drug only the model would have found was not checked
        notes.append(
            f"the extractor model failed on part {task['index'] + 1} of the question "
            f"({result.error}): drugs only it would have found were not checked"
        )
    return {"mentions": mentions, "calls": [record], "notes": notes}


def _resolve_model_mention(text: str, full_norm: str) -> MentionRecord:

    norm = normalise(text)
    if not norm or f" {norm} " not in f" {full_norm} ":
        return MentionRecord(
            text=text,
            source="model",
            reason="the extractor model reported it, but it does not occur in the question",
        )
    res = lookup(text)
    return _record_from_resolution(text, "model", res.drug, res.suggestions)


async def resolve(state: State, runtime: Runtime[Context]) -> dict:
    """Merge dictionary, list and model mentions into canonical drugs + unresolved ones."""

    ctx = runtime.context
    kb = load_kb()
    text = state.get("text", "")
    full_norm = normalise(mask_foreign(text))
    raw = list(state.get("mentions") or [])
    base = [m for m in raw if m.source != "model"]
    model = [m for m in raw if m.source == "model"]

    resolved_norms = {normalise(m.text) for m in base if m.key}
    # reviewed names: a model's part of one is not another drug ("Zantac" in "Zantac 360")
    reviewed = [f" {normalise(m.text)} " for m in base if m.match_kind == "product"]
    merged: list[MentionRecord] = list(base)
    seen_model: set[str] = set()
    for m in sorted(model, key=lambda m: m.start or 0):  # start holds the chunk index
        norm = normalise(m.text)
        if not norm or norm in seen_model:
            continue
        seen_model.add(norm)
        if norm in resolved_norms or any(f" {norm} " in r for r in reviewed):
            continue  # the dictionary already has it, or a reviewed name it is part of
        rec = _resolve_model_mention(m.text, full_norm)
        if rec.key is None and any(
            norm in r or r in norm for r in resolved_norms if r
        ):  # a longer/shorter span of a mention the dictionary resolved
            continue
        merged.append(rec)

    drugs: dict[str, dict] = {}
    unresolved: dict[str, UnresolvedMention] = {}
    for m in merged:
        if m.key is None:
            norm = mention_norm(m.text)
            if norm and norm not in unresolved:
                unresolved[norm] = UnresolvedMention(
                    mention=m.text,
                    reason=m.reason or "not recognised as a drug name",
                    suggestions=list(m.suggestions),
                )
            continue
        keys = m.ingredients or ingredients(kb, m.key)
        if keys != (m.key,):  # a combination, formulation or everyday name
            m = m.model_copy(update={"match_kind": "product"})
        for key in keys:
            entry = drugs.get(key)
            if entry is None:
                drugs[key] = {"first": m, "mentions": [m.text], "norms": {normalise(m.text)}}
            elif normalise(m.text) not in entry["norms"]:
                entry["mentions"].append(m.text)
                entry["norms"].add(normalise(m.text))

    exhaustive = [s for s in default_sources(ctx.sources) if s.exhaustive]
    out: list[DrugEntry] = []
    for key, entry in drugs.items():
        d = kb.drug(key)
        first: MentionRecord = entry["first"]
        out.append(
            DrugEntry(
                key=key,
                name=d.name if d else key,
                drug_id=d.drug_id if d else f"kb:{key}",
                match_kind=first.match_kind or "exact",
                score=first.score,
                mentions=tuple(entry["mentions"]),
                covered=any(s.covers(key) for s in exhaustive),
                classes=tuple(d.classes) if d else (),
            )
        )
    notes: list[str] = []
    if len(out) > ctx.max_drugs:
        notes.append(
            f"too many drugs: {len(out)} found, the limit is max_drugs={ctx.max_drugs}; only "
            f"the first {ctx.max_drugs} were checked "
            f"(not checked: {', '.join(d.name for d in out[ctx.max_drugs :])})"
        )
        out = out[: ctx.max_drugs]
    if not out:
        notes.append("no drugs found in the question")
    elif len(out) == 1:
        notes.append(f"only one drug found ({out[0].name}): there is nothing to pair")
    for d in out:
        if not d.covered:
            notes.append(
                f"{d.name} is outside every evidence source's coverage (ANSM thesaurus "
                "2020-01, pharmacology profiles): its answers rest on model probes alone"
            )
    return {"drugs": out, "unresolved": list(unresolved.values()), "notes": notes}
