"""One eval run of one suite: plan, resume, run, summarise, compare, report."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.evals.baseline import compare_summaries
from pipeline.evals.journal import Journal
from pipeline.evals.report import write_report
from pipeline.evals.runner import (
    Progress,
    RunPlan,
    arun_samples,
    config_hash,
    describe_config,
)
from pipeline.evals.suites import Suite, dataset_version, get_suite, load_samples
from pipeline.evals.summary import per_sample, summarise

__all__ = ["EvalOutcome", "arun_suite", "run_suite", "load_baseline", "default_out_dir"]


@dataclass
class EvalOutcome:
    out_dir: Path
    summary: dict | None
    baseline: dict | None = None
    new_rows: int = 0
    reused_rows: int = 0
    pending: int = 0
    dry_run: bool = False
    report: dict = field(default_factory=dict)

    @property
    def regression(self) -> bool:
        return bool(self.baseline and self.baseline.get("regression"))


def default_out_dir(suite: str) -> Path:
    return Path("runs") / f"{suite}-{time.strftime('%Y%m%d-%H%M%S')}"


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True, ensure_ascii=False, default=str)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_baseline(path: str | Path) -> dict:
    """A stored summary.json (or a run directory holding one). When the summary has no
    per-sample outcomes, they are rebuilt from the ``results.jsonl`` beside it."""
    p = Path(path)
    if p.is_dir():
        p = p / "summary.json"
    if not p.exists():
        raise FileNotFoundError(f"baseline {p} not found")
    summary = json.loads(p.read_text(encoding="utf-8"))
    if not summary.get("samples"):
        results = p.with_name("results.jsonl")
        if results.exists():
            journal = Journal(results)
            rows = journal.rows(summary.get("config_hash"))
            summary["samples"] = per_sample(rows)
    return summary


async def arun_suite(
    suite: Suite | str,
    *,
    out: str | Path | None = None,
    models: Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | None = None,
    repeat: int = 1,
    limit: int | None = None,
    concurrency: int = 4,
    baseline: str | Path | Mapping | None = None,
    prices: Mapping | None = None,
    data_dir: Path | None = None,
    dry_run: bool = False,
    cache: Any = True,
    report: bool = True,
    progress: bool = True,
    retry_errors: bool = False,
    ignore_gate: bool = False,
    alpha: float = 0.05,
    min_effect: float = 0.02,
    ask: Callable | None = None,
    on_row: Callable[[dict], None] | None = None,
    log: Callable[[str], None] | None = None,
    samples: list | None = None,
) -> EvalOutcome:
    """Run (or resume) ``suite`` into ``out``; see `pipeline.evals.cli` for the options.

    ``cache``: True for ``<out>/cache.sqlite``, a path or a ResponseCache to share one,
    False/None for none. ``samples`` overrides the suite's samples (e.g. a subset).
    Raises ``OptionError``/``SuiteError`` (ValueError) on bad input.
    """
    suite = get_suite(suite) if isinstance(suite, str) else suite
    if samples is None:
        samples = load_samples(suite, data_dir, limit)
    elif limit is not None:
        samples = list(samples)[:limit]
    out_dir = Path(out) if out is not None else default_out_dir(suite.name)
    opts: dict[str, Any] = dict(options or {})
    if models:
        opts["models"] = dict(models)
    config = describe_config(opts, ignore_gate=ignore_gate)
    chash = config_hash(config)
    plan = RunPlan(
        samples=samples,
        options=opts,
        repeats=repeat,
        config_hash=chash,
        ignore_gate=ignore_gate,
        retry_errors=retry_errors,
    )
    journal_path = out_dir / "results.jsonl"
    say = log or (lambda _msg: None)
    if dry_run:
        from pipeline.api import aplan_probes

        journal = Journal(journal_path) if journal_path.exists() else None
        todo = (
            plan.pending(journal) if journal else [(s, r) for s in samples for r in range(repeat)]
        )
        first_wave = most = 0
        for sample, _ in todo:  # plans only: resolves names, calls no model
            planned = await aplan_probes(sample.query, **opts)
            first_wave += planned["first_wave"]
            most += planned["planned_probes"]
        say(
            f"dry run: suite {suite.name} ({len(samples)} samples x {repeat} repeat(s)), "
            f"config {chash}, {len(todo)} run(s) pending, output {out_dir}"
        )
        say(
            f"  probes: {first_wave} in first waves, at most {most} (budget caps, before "
            "adaptive stopping and revision rounds); plus per query one extractor call per "
            "text chunk and the evaluator judges"
        )
        for role, m in config["models"].items():
            say(f"  {role}: {m['name']}")
        return EvalOutcome(out_dir, None, pending=len(todo), dry_run=True)

    out_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out_dir / "config.json", {"config_hash": chash, **config})
    owned_cache = None
    if cache is True:
        from pipeline.cache import ResponseCache

        owned_cache = cache = ResponseCache(out_dir / "cache.sqlite")
    elif isinstance(cache, str | Path):
        from pipeline.cache import ResponseCache

        owned_cache = cache = ResponseCache(cache)
    if cache is False:
        cache = None
    if cache is not None:  # not `if cache`: an empty ResponseCache has len() == 0
        opts["cache"] = cache
    started = time.time()
    with Journal(journal_path) as journal:
        pending = plan.pending(journal)
        total = len(samples) * repeat
        reused = total - len(pending)
        if reused:
            say(f"resuming: {reused} of {total} run(s) already in {journal_path}")
        bar = Progress(len(pending), label=f"eval {suite.name}", quiet=not progress)
        new_rows: list[dict] = []

        def _on_row(row: dict) -> None:
            new_rows.append(row)
            bar.update(row)
            if on_row is not None:
                on_row(row)

        try:
            rows = await arun_samples(
                plan, journal, concurrency=concurrency, ask=ask, on_row=_on_row
            )
        finally:
            cache_stats = cache.stats() if hasattr(cache, "stats") else None
            if owned_cache is not None:
                owned_cache.close()
    summary = summarise(
        rows,
        suite=suite.name,
        dataset_version=dataset_version(samples),
        config=config,
        config_hash=chash,
        repeats=repeat,
        prices=prices,
        extra={
            "run": {
                "started": started,
                "seconds": time.time() - started,
                "new_rows": len(new_rows),
                "reused_rows": reused,
                "model_calls_this_run": sum(r.get("calls", 0) for r in new_rows),
                "cache": cache_stats,
                "limit": limit,
                "concurrency": concurrency,
            }
        },
    )
    base_dict = None
    if baseline is not None:
        base = baseline if isinstance(baseline, Mapping) else load_baseline(baseline)
        result = compare_summaries(base, summary, alpha=alpha, min_effect=min_effect)
        base_dict = result.to_dict()
        base_dict["headline"] = result.headline()
        base_dict["baseline_config_hash"] = base.get("config_hash")
        summary["baseline"] = base_dict
    write_json_atomic(out_dir / "summary.json", summary)
    report_info = write_report(out_dir, summary, rows, base_dict) if report else {}
    return EvalOutcome(
        out_dir,
        summary,
        baseline=base_dict,
        new_rows=len(new_rows),
        reused_rows=reused,
        report=report_info,
    )


def run_suite(suite: Suite | str, **kwargs: Any) -> EvalOutcome:
    """Synchronous `arun_suite` (must not be called from a running event loop)."""
    return asyncio.run(arun_suite(suite, **kwargs))
