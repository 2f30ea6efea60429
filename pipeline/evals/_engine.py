"""Run samples through the cascade with bounded concurrency, journaling every result.

`arun_samples` is the engine (used by `ddi eval` and the cascade study); `run_suite`
adds the files of one eval run directory:

    <out>/results.jsonl   append-only journal, one scored row per (sample, repeat)
    <out>/summary.json    every metric, plus per-sample outcomes (usable as a baseline)
    <out>/config.json     the resolved configuration and its hash
    <out>/cache.sqlite    ResponseCache shared by every model call of the run
    <out>/report.md, report.html, plots/*.png   (see pipeline.evals._report)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.api import aask
from pipeline.context import context_from_options
from pipeline.evals._journal import ResultJournal
from pipeline.evals._scoring import error_row, sample_hash, score_report
from pipeline.evals._suites import Sample
from pipeline.llm import model_name, model_params, resolve_model
from pipeline.prompts import prompt_hashes

__all__ = [
    "Progress",
    "RunPlan",
    "arun_samples",
    "config_hash",
    "describe_config",
    "models_for_repeat",
]

#: Options that change answers and therefore belong in the config hash.
_HASHED_OPTIONS = (
    "policy",
    "k",
    "min_confidence",
    "max_unknown_fraction",
    "budget",
    "synonyms_per_drug",
    "templates",
    "adaptive",
    "wave_size",
    "revision_rounds",
    "evidence",
    "sources",
    "seed",
    "retries",
    "extract_with_model",
    "expand_with_model",
    "max_drugs",
    "chunk_chars",
)
ROLES = ("extractor", "prober", "evaluator")


# --------------------------------------------------------------------------- config


def _jsonable(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {k: _jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return repr(value)


def describe_config(options: Mapping[str, Any], *, ignore_gate: bool = False) -> dict:
    """The answer-relevant configuration: resolved model names and parameters per role,
    prompt hashes, and every option that changes answers (defaults filled in)."""

    opts = {k: v for k, v in options.items() if k not in {"cache", "trace", "concurrency"}}
    ctx = context_from_options(opts)  # validates; raises OptionError on a bad option
    ctx.resolve_models()
    models = {}
    for role in ROLES:
        m = ctx.model(role)
        models[role] = {"name": model_name(m), "params": _jsonable(model_params(m))}
    config = {
        "models": models,
        "prompts": dict(sorted(prompt_hashes().items())),
        "options": {k: _jsonable(getattr(ctx, k)) for k in _HASHED_OPTIONS if hasattr(ctx, k)},
    }
    if ignore_gate:
        config["scoring"] = {"ignore_gate": True}
    return config


def config_hash(config: Mapping) -> str:
    text = json.dumps(config, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def models_for_repeat(models: Mapping[str, Any], repeat: int) -> dict[str, Any]:
    """Models for repeat ``repeat``: repeat 0 uses them as given; later repeats reseed
    simulated models (``seed + repeat``) so repeats draw fresh noise. Other models are
    unchanged (their variation comes from the run seed, which is ``seed + repeat``)."""
    if repeat == 0 or not models:
        return dict(models)

    out = {}
    for role, spec in models.items():
        model = resolve_model(spec) if isinstance(spec, str) else spec
        out[role] = _reseed(model, repeat)
    return out


def _reseed(model: Any, repeat: int) -> Any:
    """Simulated models (anything with ``with_seed`` and an int ``seed``: `SimulatedModel`,
    `KnowledgeModel`) get ``seed + repeat``; other models are returned unchanged."""
    with_seed, seed = getattr(model, "with_seed", None), getattr(model, "seed", None)
    if callable(with_seed) and isinstance(seed, int) and not isinstance(seed, bool):
        return with_seed(seed + repeat)
    return model


# --------------------------------------------------------------------------- progress


class Progress:
    """Plain-text progress on stderr: a rewritten line on a terminal, else ~every 10 %."""

    def __init__(self, total: int, label: str = "eval", stream: Any = None, quiet: bool = False):
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.start = time.monotonic()
        self.done = 0
        self.errors = 0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_step = -1

    def update(self, row: Mapping | None = None) -> None:
        self.done += 1
        if row is not None and row.get("error"):
            self.errors += 1
        if self.quiet or self.total == 0:
            return
        step = (10 * self.done) // self.total
        if not self._tty and step == self._last_step and self.done != self.total:
            return
        self._last_step = step
        elapsed = time.monotonic() - self.start
        eta = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        text = (
            f"[{self.label}] {self.done}/{self.total} ({100 * self.done // self.total}%) "
            f"{elapsed:.1f}s elapsed, eta {eta:.1f}s"
            + (f", {self.errors} error(s)" if self.errors else "")
        )
        if self._tty:
            end = "\n" if self.done == self.total else ""
            self.stream.write("\r" + text + end)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


# --------------------------------------------------------------------------- engine


AskFn = Callable[..., Awaitable[Any]]


@dataclass
class RunPlan:
    """What to run: samples x repeats under one configuration."""

    samples: Sequence[Sample]
    options: dict[str, Any]
    repeats: int = 1
    config_hash: str = ""
    ignore_gate: bool = False
    retry_errors: bool = False
    extra_row: dict[str, Any] = field(default_factory=dict)

    def keys(self):
        for sample in self.samples:
            h = sample_hash(sample)
            for r in range(self.repeats):
                yield sample, r, (sample.id, r, self.config_hash, h)

    def pending(self, journal: ResultJournal) -> list[tuple[Sample, int]]:
        out = []
        for sample, r, key in self.keys():
            row = journal.get(key)
            if row is None or (row.get("error") and self.retry_errors):
                out.append((sample, r))
        return out


async def arun_samples(
    plan: RunPlan,
    journal: ResultJournal,
    *,
    concurrency: int = 4,
    ask: AskFn | None = None,
    on_row: Callable[[dict], None] | None = None,
) -> list[dict]:
    """Run every pending (sample, repeat) of ``plan``; journal each row as it finishes.

    At most ``concurrency`` queries are in flight. ``on_row`` is called after each row is
    safely journaled (an exception it raises, e.g. KeyboardInterrupt, stops the run;
    finished rows stay in the journal). Returns the plan's rows (old and new).
    """
    if ask is None:
        ask = aask
    pending = plan.pending(journal)
    base_seed = int(plan.options.get("seed", 0) or 0)
    base_models = plan.options.get("models") or {}
    sem = asyncio.Semaphore(max(1, concurrency))

    async def one(sample: Sample, repeat: int) -> dict:
        async with sem:
            seed = base_seed + repeat
            options = dict(plan.options)
            options["seed"] = seed
            if base_models:
                options["models"] = models_for_repeat(base_models, repeat)
            row_fields = {"repeat": repeat, "config_hash": plan.config_hash, "seed": seed}
            t0 = time.perf_counter()
            try:
                report = await ask(sample.query, **options)
            except Exception as exc:  # noqa: BLE001 - recorded as an error row
                row = error_row(sample, exc, **row_fields, latency_s=time.perf_counter() - t0)
            else:
                row = score_report(
                    sample,
                    report,
                    **row_fields,
                    latency_s=time.perf_counter() - t0,
                    ignore_gate=plan.ignore_gate,
                )
            row.update(plan.extra_row)
            return row

    tasks = [asyncio.ensure_future(one(s, r)) for s, r in pending]
    try:
        for fut in asyncio.as_completed(tasks):
            row = await fut
            journal.append(row)
            if on_row is not None:
                on_row(row)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    rows = []
    for _sample, _r, key in plan.keys():
        row = journal.get(key)
        if row is not None:
            rows.append(row)
    return rows
