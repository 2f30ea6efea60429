"""Helpers shared by nodes and evaluators: prompt lookup, bounded model calls, budgets."""

from __future__ import annotations

from typing import Any

from pipeline.context import Context
from pipeline.kb._text import normalise
from pipeline.llm import call_structured, model_name
from pipeline.prompts import PROBE_TEMPLATES
from pipeline.state import CallRecord

__all__ = [
    "call_model",
    "mention_norm",
    "probe_budget_left",
    "probe_prompt",
    "reserve_run_budget",
    "split_chunks",
]


def probe_prompt(template: str):
    """The probe `Prompt` of a template short id ("direct") or full id ("probe.direct")."""

    if template in PROBE_TEMPLATES:
        return PROBE_TEMPLATES[template]
    return PROBE_TEMPLATES[f"probe.{template}"]


async def call_model(
    ctx: Context,
    role: str,
    prompt: Any,
    data: dict[str, Any],
    *,
    model: Any = None,
    check: Any = None,
    deadline: float | None = None,
) -> tuple[Any, CallRecord]:
    """`call_structured` under the run's concurrency limit and the query's `deadline`
    (wall-clock time); never raises on model faults."""

    model = model if model is not None else ctx.model(role)
    async with ctx.limiter():
        result = await call_structured(
            model,
            prompt,
            data,
            role=role,
            retries=ctx.retries,
            timeout=ctx.timeout,
            backoff=ctx.backoff,
            seed=ctx.seed,
            cache=ctx.cache,
            check=check,
            deadline=deadline,
        )
    record = CallRecord(
        role=role,
        ok=result.value is not None,
        attempts=int(getattr(result, "attempts", 1) or 0),
        input_tokens=int(getattr(result, "input_tokens", 0) or 0),
        output_tokens=int(getattr(result, "output_tokens", 0) or 0),
        cached=bool(getattr(result, "cached", False)),
        model=getattr(result, "model", None) or model_name(model),
    )
    return result, record


def mention_norm(text: str) -> str:
    """The key an unresolved mention is reported (and de-duplicated) under: its normal
    form, or for a non-Latin name, which normalises to "", the text as typed."""
    return normalise(text) or text.strip().casefold()


def split_chunks(text: str, size: int) -> list[str]:
    """Split text into chunks of at most ~`size` characters on line/sentence boundaries.

    Short text is one chunk. A single sentence longer than `size` is split on whitespace
    (a word longer than `size` is cut).
    """
    import re

    text = text.strip()
    if not text:
        return []
    if len(text) <= size:
        return [text]
    pieces: list[str] = []
    for line in re.split(r"\n+", text):
        line = line.strip()
        if not line:
            continue
        for sentence in re.split(r"(?<=[.!?;:])\s+", line):
            sentence = sentence.strip()
            if not sentence:
                continue
            while len(sentence) > size:
                cut = sentence.rfind(" ", 0, size)
                if cut <= 0:
                    cut = size
                pieces.append(sentence[:cut].strip())
                sentence = sentence[cut:].strip()
            if sentence:
                pieces.append(sentence)
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + 1 + len(piece) > size:
            chunks.append(current)
            current = piece
        else:
            current = f"{current} {piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks


RUN_BUDGET_NOTE = (
    "the run's shared probe budget (run_budget={total}) ran out: probes this query "
    "planned were not asked"
)


def probe_budget_left(state: Any, ctx: Context, *, run: bool = True) -> int:
    """Probes this query may still send: per-query budget, capped by the run budget."""
    left = ctx.budget.calls_per_query - state.get("spent", 0)
    if run and ctx.run_budget is not None:
        left = min(left, ctx.run_budget.remaining)
    return left


def reserve_run_budget(ctx: Context, probes: list, wanted: int) -> tuple[list, list[str]]:
    """Reserve `probes` from the run budget (if any); `wanted` = probes planned without
    it. Returns the probes granted and a review note when the run budget cut any."""
    if ctx.run_budget is None:
        return probes, []
    granted = ctx.run_budget.take(len(probes))
    probes = probes[:granted]
    if len(probes) < wanted:
        return probes, [RUN_BUDGET_NOTE.format(total=ctx.run_budget.total)]
    return probes, []
