"""One eval run of one suite: plan, resume, run, summarise, compare, report."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.api import aplan_probes
from pipeline.cache import ResponseCache
from pipeline.evals._baseline import compare_summaries
from pipeline.evals._engine import (
    Progress,
    RunPlan,
    arun_samples,
    config_hash,
    describe_config,
)
from pipeline.evals._journal import JournalError, ResultJournal
from pipeline.evals._report import write_report
from pipeline.evals._suites import Suite, dataset_version, get_suite, load_samples
from pipeline.evals._summary import per_sample, summarise

__all__ = [
    "EvalOutcome",
    "OutDirBusyError",
    "OutDirError",
    "arun_suite",
    "default_out_dir",
    "load_baseline",
    "lock_out_dir",
    "run_suite",
    "write_json_atomic",
    "write_text_atomic",
]

LOCK_NAME = ".lock"


class OutDirError(Exception):
    """The output folder cannot be used (its lock file is unusable, ...)."""


class OutDirBusyError(OutDirError):
    """Another run holds the output folder's lock."""


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
    damaged_lines: int = 0  # journal lines skipped as damaged (their samples were redone)

    @property
    def regression(self) -> bool:
        return bool(self.baseline and self.baseline.get("regression"))


def default_out_dir(suite: str) -> Path:
    return Path("runs") / f"{suite}-{time.strftime('%Y%m%d-%H%M%S')}"


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_read_umask()  # what open() would give a new file


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a uniquely named temporary file in the same
    folder (flushed, fsync'ed, then renamed over ``path``): readers see the old or the new
    file, never a partial one, and concurrent writers never share a temporary file. A
    symbolic link at ``path`` is replaced by the file, never written through."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _FILE_MODE)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    write_text_atomic(path, text + "\n")


def _real_dir(path: Path) -> None:
    """``path`` as a real directory: a symbolic link there is removed, never followed."""
    if path.is_symlink():
        path.unlink()
    path.mkdir(parents=True, exist_ok=True)


def _write_report_atomic(out_dir: Path, summary: dict, rows: list, baseline: Any) -> dict:
    """`write_report` into a private temporary folder, then each file renamed into place
    (so a reader, or a symbolic link planted in ``out_dir``, never sees a partial file)."""
    tmp = Path(tempfile.mkdtemp(dir=out_dir, prefix=".report-", suffix=".tmp"))
    try:
        info = write_report(tmp, summary, rows, baseline)
        moved = []
        for name in info.get("files", []):
            rel = Path(name).relative_to(tmp)
            dst = out_dir / rel
            if rel.parent != Path("."):
                _real_dir(out_dir / rel.parent)
            os.replace(tmp / rel, dst)
            moved.append(str(dst))
        return {**info, "files": moved}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def lock_out_dir(out_dir: Path) -> Iterator[Path]:
    """Hold an exclusive, non-blocking ``flock`` on ``<out_dir>/.lock`` for the block.

    Raises `OutDirBusyError` at once if another run (another process, or another
    `arun_suite` in this one) holds it. The lock file stays in place (removing it would
    let a third run lock a different file); the lock ends with the block, or with the
    process. Without ``fcntl`` (Windows) nothing is locked.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield out_dir / LOCK_NAME
        return
    path = out_dir / LOCK_NAME
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        what = "is a symbolic link" if path.is_symlink() else f"cannot be opened ({exc})"
        raise OutDirError(f"lock file {path} {what}; remove it and run again") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            by = f" (pid {holder})" if holder.isdigit() else ""
            raise OutDirBusyError(
                f"output folder {out_dir} is in use by another eval run{by}: "
                f"{path} is locked; wait for it to finish or use another --out"
            ) from None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # releases the lock


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
            journal = ResultJournal(results)
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
    """Run (or resume) ``suite`` into ``out``; see `pipeline.evals._cli` for the options.

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
    warn = log or (lambda msg: print(msg, file=sys.stderr))  # warnings always reach stderr
    if dry_run:
        journal = ResultJournal(journal_path) if journal_path.exists() else None
        if journal is not None and journal.skipped_lines:
            warn(journal.damage_warning() or "")
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
    with lock_out_dir(out_dir):  # OutDirBusyError at once if another run writes here
        return await _arun_locked(
            suite,
            samples,
            out_dir=out_dir,
            opts=opts,
            config=config,
            chash=chash,
            plan=plan,
            repeat=repeat,
            limit=limit,
            concurrency=concurrency,
            baseline=baseline,
            prices=prices,
            cache=cache,
            report=report,
            progress=progress,
            alpha=alpha,
            min_effect=min_effect,
            ask=ask,
            on_row=on_row,
            say=say,
            warn=warn,
        )


async def _arun_locked(
    suite: Suite,
    samples: list,
    *,
    out_dir: Path,
    opts: dict[str, Any],
    config: dict,
    chash: str,
    plan: RunPlan,
    repeat: int,
    limit: int | None,
    concurrency: int,
    baseline: Any,
    prices: Mapping | None,
    cache: Any,
    report: bool,
    progress: bool,
    alpha: float,
    min_effect: float,
    ask: Callable | None,
    on_row: Callable[[dict], None] | None,
    say: Callable[[str], None],
    warn: Callable[[str], None],
) -> EvalOutcome:
    """The writing part of `arun_suite`, run while the output folder's lock is held."""
    journal_path = out_dir / "results.jsonl"
    if journal_path.is_symlink():  # refused before any work (ResultJournal.append refuses too)
        raise JournalError(f"{journal_path} is a symbolic link; refusing to write through it")
    write_json_atomic(out_dir / "config.json", {"config_hash": chash, **config})
    owned_cache = None
    if cache is True:
        owned_cache = cache = ResponseCache(out_dir / "cache.sqlite", on_error=warn)
    elif isinstance(cache, str | Path):
        owned_cache = cache = ResponseCache(cache, on_error=warn)
    if cache is False:
        cache = None
    if cache is not None:  # not `if cache`: an empty ResponseCache has len() == 0
        opts["cache"] = cache
    started = time.time()
    cache_stats = None
    try:
        with ResultJournal(journal_path) as journal:
            damaged = journal.skipped_lines
            if damaged:
                warn(journal.damage_warning() or "")
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

            rows = await arun_samples(
                plan, journal, concurrency=concurrency, ask=ask, on_row=_on_row
            )
    finally:
        cache_stats = _cache_stats(cache)
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
                "journal_damaged_lines": damaged,
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
    report_info = _write_report_atomic(out_dir, summary, rows, base_dict) if report else {}
    return EvalOutcome(
        out_dir,
        summary,
        baseline=base_dict,
        new_rows=len(new_rows),
        reused_rows=reused,
        report=report_info,
        damaged_lines=damaged,
    )


def _cache_stats(cache: Any) -> dict | None:
    """The cache's stats for the summary; a cache that fails here never fails the run."""
    if not hasattr(cache, "stats"):
        return None
    try:
        return cache.stats()
    except Exception as exc:  # noqa: BLE001 - e.g. a caller's own cache object
        return {"error": f"{type(exc).__name__}: {exc}"}


def run_suite(suite: Suite | str, **kwargs: Any) -> EvalOutcome:
    """Synchronous `arun_suite` (must not be called from a running event loop)."""
    return asyncio.run(arun_suite(suite, **kwargs))
