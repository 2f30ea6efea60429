"""Public Python API: `ask`, `aask`, `ask_many`, `aask_many`.

    >>> from pipeline import ask
    >>> report = ask("Can I take Coumadin with Advil?")          # doctest: +SKIP
    >>> report.verdict                                            # doctest: +SKIP
    'interaction'

Options (all keyword-only, typed by `pipeline.options.AskOptions`) are the fields of
`pipeline.context.Context`: ``models``
(``{"extractor"|"prober"|"evaluator": BaseChatModel | "provider:model" | "sim:..."}``,
any subset; missing roles use the deterministic reference model "reference-kb"),
``policy``, ``k``, ``min_confidence``, ``budget`` (Budget, dict or int = calls per query),
``concurrency``, ``seed``, ``trace``, ... An unknown or invalid option raises
`OptionError` naming it.

`ask` is synchronous and runs its own event loop: inside a running loop (Jupyter, an
async web handler) it raises `RuntimeError`; use ``await aask(...)`` there.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Unpack

from pipeline.context import (
    Budget,
    CallLimiter,
    Context,
    OptionError,
    RunBudget,
    check_int,
    check_query,
    context_from_options,
)
from pipeline.graph import get_planner, graph
from pipeline.llm import model_name, model_params
from pipeline.nodes._plan import plan_wave
from pipeline.options import AskManyOptions, AskOptions
from pipeline.schemas import Report

__all__ = [
    "Budget",
    "Context",
    "ReportJournal",
    "OptionError",
    "RunBudget",
    "aask",
    "aask_many",
    "aplan_probes",
    "ask",
    "ask_many",
    "get_graph",
    "plan_probes",
]

_GRAPH = None
RECURSION_LIMIT = 500


def get_graph() -> Any:
    """The compiled cascade (compiled once per process)."""
    global _GRAPH
    if _GRAPH is None:
        _GRAPH = graph
    return _GRAPH


def _check_query(query: Any) -> str | list[str]:
    return check_query(query)


def make_context(options: dict[str, Any]) -> Context:
    """A validated Context from options (or the `context=` option itself)."""
    if "context" in options:
        ctx = options.pop("context")
        if options:
            raise OptionError(f"pass either context= or options, not both ({sorted(options)[0]!r})")
        if not isinstance(ctx, Context):
            raise OptionError(
                f"context must be a pipeline.context.Context, got {type(ctx).__name__}"
            )
        return ctx
    ctx = context_from_options(options)
    ctx.resolve_models()  # a bad model spec fails now, with the option's name
    return ctx


async def _run(query: str | list[str], ctx: Context) -> Report:
    graph = get_graph()
    out = await graph.ainvoke(
        {"query": query},
        config={"max_concurrency": ctx.concurrency, "recursion_limit": RECURSION_LIMIT},
        context=ctx,
    )
    report: Report = out["report"]
    return report


async def aask(query: str | list[str], **options: Unpack[AskOptions]) -> Report:
    """Answer one interaction question (free text or a list of drug names)."""
    query = _check_query(query)
    ctx = make_context(dict(options))
    return await _run(query, ctx)


def ask(query: str | list[str], **options: Unpack[AskOptions]) -> Report:
    """Synchronous `aask`. Raises RuntimeError inside a running event loop (use `aask`)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(aask(query, **options))
    raise RuntimeError(
        "ask() cannot run inside a running event loop; use `await pipeline.aask(...)` instead"
    )


# --------------------------------------------------------------------------- journal

_UNKEYED_OPTIONS = ("cache", "concurrency", "run_budget", "call_limiter")  # do not change a report


def _fingerprint(value: Any) -> Any:
    """A JSON-able, run-independent stand-in for an option value (for journal keys)."""
    from langchain_core.language_models import BaseChatModel

    if isinstance(value, BaseChatModel):
        return {"model": model_name(value), "params": model_params(value)}
    if isinstance(value, Budget):
        return asdict(value)
    if isinstance(value, Context):
        return {
            k: _fingerprint(v)
            for k, v in vars(value).items()
            if not k.startswith("_") and k not in _UNKEYED_OPTIONS
        }
    if isinstance(value, dict):
        return {str(k): _fingerprint(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_fingerprint(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


def journal_key(query: str | list[str], options: dict[str, Any]) -> str:
    """sha256 of the query and the options that can change its report."""
    payload = {
        "query": query,
        "options": {k: _fingerprint(v) for k, v in options.items() if k not in _UNKEYED_OPTIONS},
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ReportJournal:
    """Append-only JSONL of finished reports, ``{"key": ..., "report": {...}}`` per line.

    Each finished report is appended (one write, flushed and fsynced) as soon as it is
    done, so a crash or Ctrl-C loses at most the queries in flight. Loading skips a torn
    last line. Reports cut short by a run budget are not journaled (a resumed run with
    a fresh budget completes them).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def load(self) -> dict[str, Report]:
        done: dict[str, Report] = {}
        if not self.path.exists():
            return done
        data = self.path.read_bytes()
        for line in data.splitlines():
            try:
                row = json.loads(line)
                done[row["key"]] = Report.model_validate(row["report"])
            except (ValueError, KeyError, TypeError):
                continue  # a torn or foreign line: that query is simply run again
        if data and not data.endswith(b"\n"):
            with self._lock, open(self.path, "ab") as fh:
                fh.write(b"\n")  # never glue the next record onto a torn line
        return done

    def append(self, key: str, report: Report) -> None:
        line = json.dumps(
            {"key": key, "report": report.model_dump(mode="json")}, ensure_ascii=False
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())


async def aask_many(
    queries: Sequence[str | list[str]],
    concurrency: int = 4,
    *,
    call_concurrency: int | None = None,
    run_budget: int | RunBudget | None = None,
    journal: str | os.PathLike[str] | None = None,
    **options: Unpack[AskManyOptions],
) -> list[Report]:
    """Answer several questions concurrently (at most `concurrency` at once), in order.

    Options apply to every query. By default each query has its own call limiter
    (``Context.concurrency`` model calls in flight, 16); ``call_concurrency=N`` instead caps
    the model calls in flight across the whole run with one shared limiter (for a
    provider's rate limit).
    ``run_budget=N`` caps the probes of the whole run (shared counter): once spent, the
    remaining pairs are ``unresolved`` and their queries ``needs_review`` (never
    ``no_known_interaction``). ``journal=path`` appends each finished report to a JSONL
    file keyed by a hash of query and options; a re-run with the same journal returns
    the journaled reports without running those queries again (resume after a crash).
    """
    check_int("concurrency", concurrency, 1)
    checked = [_check_query(q) for q in queries]
    run_options: dict[str, Any] = dict(options)
    budget = RunBudget.coerce(run_budget)
    if budget is not None:
        if "context" in run_options:
            raise OptionError("run_budget cannot be combined with context=; pass options")
        run_options["run_budget"] = budget
    if call_concurrency is not None:
        check_int("call_concurrency", call_concurrency, 1)
        if "context" in run_options:
            raise OptionError("call_concurrency cannot be combined with context=; pass options")
        run_options["call_limiter"] = CallLimiter(call_concurrency)
    contexts = [make_context(dict(run_options)) for _ in checked]
    book = ReportJournal(journal) if journal is not None else None
    done = book.load() if book is not None else {}
    keys = [journal_key(q, run_options) for q in checked] if book is not None else []
    sem = asyncio.Semaphore(concurrency)

    async def one(i: int, query: str | list[str], ctx: Context) -> Report:
        if book is not None and keys[i] in done:
            return done[keys[i]]
        async with sem:
            report = await _run(query, ctx)
            # written at once, in this task: a crash right after cannot lose it
            if book is not None and not any("run_budget=" in r for r in report.review_reasons):
                book.append(keys[i], report)
        return report

    return list(
        await asyncio.gather(
            *(one(i, q, c) for i, (q, c) in enumerate(zip(checked, contexts, strict=True)))
        )
    )


def ask_many(
    queries: Sequence[str | list[str]],
    concurrency: int = 4,
    *,
    call_concurrency: int | None = None,
    run_budget: int | RunBudget | None = None,
    journal: str | os.PathLike[str] | None = None,
    **options: Unpack[AskManyOptions],
) -> list[Report]:
    """Synchronous `aask_many` (same event-loop caveat as `ask`)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(
            aask_many(
                queries,
                concurrency=concurrency,
                call_concurrency=call_concurrency,
                run_budget=run_budget,
                journal=journal,
                **options,
            )
        )
    raise RuntimeError(
        "ask_many() cannot run inside a running event loop; use `await pipeline.aask_many(...)`"
    )


async def aplan_probes(query: str | list[str], **options: Unpack[AskOptions]) -> dict[str, Any]:
    """Dry run: resolve drugs and plan probes without calling any model.

    Returns drugs, unresolved names, pair count, the pairs an evidence source lists (not
    probed unless ``probe_listed``), the most probes the plan may send
    (``planned_probes``, before adaptive early stopping) and the first wave's size.
    """

    query = _check_query(query)
    ctx = make_context({**options, "extract_with_model": False, "expand_with_model": False})
    state: Any = await get_planner().ainvoke({"query": query}, context=ctx)
    schedule = state.get("schedule") or {}
    planned = min(sum(len(v) for v in schedule.values()), ctx.budget.calls_per_query)
    return {
        "query": query,
        "drugs": [d.key for d in state.get("drugs") or []],
        "unresolved": [u.mention for u in state.get("unresolved") or []],
        "pairs": len(state.get("pairs") or []),
        "pairs_listed": sum(ev.listed for ev in (state.get("evidence") or {}).values()),
        "planned_probes": planned,
        "first_wave": len(plan_wave(state, ctx)),
        "budget": ctx.budget.calls_per_query,
        "notes": list(state.get("notes") or []),
    }


def plan_probes(query: str | list[str], **options: Unpack[AskOptions]) -> dict[str, Any]:
    """Synchronous `aplan_probes` (for `ddi ask --dry-run`)."""
    return asyncio.run(aplan_probes(query, **options))
