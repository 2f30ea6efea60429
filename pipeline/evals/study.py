"""The cascade-versus-single-prompt study (``ddi eval --study cascade``).

Claim under test: orchestration (name variants x templates x both orders x recall-biased
aggregation x evaluator revision) catches interactions that one prompt misses.

Every configuration runs on the same samples with the same simulated model in every role
(`pipeline.models.doubles.SimulatedModel`, seeded; it answers extraction and judge prompts
like the reference model and probes noisily, including the revision probes the cascade
asks of the evaluator), over a grid of miss rates ``p`` and
brand-blind rates ``b`` (false-alarm rate fixed at ``FALSE_ALARM``). Configurations are
all options of the real cascade, so the only difference between arms is orchestration:

* ``single``: one direct prompt per pair under canonical names: ``synonyms_per_drug=0``,
  ``templates=("direct",)``, ``budget={"calls_per_pair": 1, "min_probes_per_pair": 1}``
  (hence one order), ``revision_rounds=0``, scored with the evaluator gate ignored.
* ``cascade``: the defaults (policy ``recall``).
* ``majority`` / ``k_of_n``: the default cascade with those aggregation policies (k = 2).
* ``no-synonyms``: the default cascade with ``synonyms_per_drug=0``.
* ``no-gate``: the default cascade with ``revision_rounds=0``, gate ignored when scoring.

Beside each measured recall the table shows the independence bound ``1 - p^k``: what
recall ``k`` independent probes would reach under the recall policy if each missed with
probability ``p``, averaged over the positive pairs' actual probe counts.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.evals.report import fmt_pct, have_matplotlib
from pipeline.evals.run import arun_suite, write_json_atomic
from pipeline.evals.suites import Sample, load_samples

__all__ = ["ARMS", "DEFAULT_GRID", "FALSE_ALARM", "parse_grid", "run_study", "study_samples"]

FALSE_ALARM = 0.05
SEED = 1
DEFAULT_GRID: tuple[tuple[float, ...], tuple[float, ...]] = ((0.1, 0.3, 0.5), (0.0, 0.5))
DEFAULT_SAMPLES = 60
DEFAULT_REPEAT = 2
ROLES = ("extractor", "prober", "evaluator")

SINGLE = {
    "synonyms_per_drug": 0,
    "templates": ("direct",),
    "budget": {"calls_per_pair": 1, "min_probes_per_pair": 1},
    "revision_rounds": 0,
}

#: arm name -> (cascade options, ignore_gate when scoring, description)
ARMS: dict[str, tuple[dict[str, Any], bool, str]] = {
    "single": (SINGLE, True, "one direct prompt per pair, canonical names"),
    "cascade": ({}, False, "full cascade, recall policy (defaults)"),
    "majority": ({"policy": "majority"}, False, "full cascade, majority vote"),
    "k_of_n": ({"policy": "k_of_n", "k": 2}, False, "full cascade, 2-of-n"),
    "no-synonyms": ({"synonyms_per_drug": 0}, False, "cascade without synonym expansion"),
    "no-gate": ({"revision_rounds": 0}, True, "cascade without evaluator revision or gate"),
}


def parse_grid(text: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """``"0.1,0.3:0,0.5"`` -> ((0.1, 0.3), (0.0, 0.5))."""
    from pipeline.cli import UsageError

    try:
        ps, bs = text.split(":")
        grid = (
            tuple(float(x) for x in ps.split(",") if x),
            tuple(float(x) for x in bs.split(",") if x),
        )
    except ValueError:
        raise UsageError(
            f"--grid {text!r}: expected P,P,...:B,B,... (e.g. 0.1,0.3:0,0.5)"
        ) from None
    if not grid[0] or not grid[1] or not all(0 <= x <= 1 for x in grid[0] + grid[1]):
        raise UsageError(f"--grid {text!r}: rates must be between 0 and 1")
    return grid


def study_samples(suite: str, limit: int | None, data_dir: Path | None) -> list[Sample]:
    """An evenly spread, deterministic subset (positives and negatives alike)."""
    samples = load_samples(suite, data_dir)
    n = DEFAULT_SAMPLES if limit is None else limit
    if n >= len(samples):
        return samples
    step = len(samples) / n
    return [samples[int(i * step)] for i in range(n)]


def prober_spec(p: float, b: float, seed: int = SEED) -> str:
    return f"sim:perfect?miss={p:g}&false_alarm={FALSE_ALARM:g}&brand_blind={b:g}&seed={seed}"


def _positive_probe_counts(run_dir: Path, config_hash: str) -> list[int]:
    from pipeline.evals.journal import Journal

    counts = []
    for row in Journal(run_dir / "results.jsonl").rows(config_hash):
        for pair in row["pairs"]:
            votes = pair.get("votes") or {}
            if pair["interacts"]:
                counts.append(sum(int(votes.get(k, 0)) for k in ("yes", "no", "unknown")))
    return counts


def _bound(p: float, ks: Sequence[int]) -> float | None:
    if not ks:
        return None
    return sum(1 - p**k for k in ks) / len(ks)


async def _arun_study(
    out: Path,
    samples: list[Sample],
    suite: str,
    grid,
    repeat: int,
    concurrency: int,
    progress: bool,
    arms: Sequence[str],
) -> list[dict]:
    cells = []
    for b in grid[1]:
        for p in grid[0]:
            for arm in arms:
                options, ignore_gate, _ = ARMS[arm]
                run_dir = out / f"{arm}-p{p:g}-b{b:g}"
                outcome = await arun_suite(
                    suite,
                    out=run_dir,
                    # every role is the same simulated model: revision probes asked of the
                    # evaluator must not come from a noiseless oracle
                    models={role: prober_spec(p, b) for role in ROLES},
                    options={**options, "seed": 0, "evidence": False},  # models alone
                    repeat=repeat,
                    concurrency=concurrency,
                    cache=None,
                    report=False,
                    progress=progress,
                    ignore_gate=ignore_gate,
                    samples=samples,
                )
                s = outcome.summary
                ks = _positive_probe_counts(run_dir, s["config_hash"])
                cells.append(
                    {
                        "arm": arm,
                        "p": p,
                        "b": b,
                        "recall": s["pairs"]["recall"],
                        "specificity": s["pairs"]["specificity"],
                        "abstention": s["pairs"]["abstention"],
                        "query_abstention": s["queries"]["abstention"]["value"],
                        "prober_calls_per_pair": s["usage"]["prober_calls_per_pair"],
                        "calls_per_pair": s["usage"]["calls_per_pair"],
                        "k_mean_positive": (sum(ks) / len(ks)) if ks else None,
                        "bound": _bound(p, ks),
                        "errors": s["errors"],
                        "run_dir": str(run_dir),
                    }
                )
    return cells


def table_markdown(cells: Sequence[Mapping]) -> str:
    header = (
        "| p (miss) | b (brand-blind) | arm | recall [95% CI] | independence bound 1-p^k | "
        "probes per positive pair (k) | specificity | abstention | prober calls per pair | "
        "all calls per pair |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [header]

    def num(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.1f}"

    for c in cells:
        r = c["recall"]
        ci = r.get("ci95") or [0, 0]
        cols = [
            f"{c['p']:g}",
            f"{c['b']:g}",
            c["arm"],
            f"{fmt_pct(r['value'])} [{100 * ci[0]:.0f}–{100 * ci[1]:.0f}]",
            fmt_pct(c["bound"]),
            num(c["k_mean_positive"]),
            fmt_pct(c["specificity"]["value"]),
            fmt_pct(c["abstention"]["value"]),
            num(c["prober_calls_per_pair"]),
            num(c["calls_per_pair"]),
        ]
        lines.append("| " + " | ".join(cols) + " |")
    return "\n".join(lines)


def plot_study(cells: Sequence[Mapping], path: Path) -> Path:
    """Save the study's recall-against-calls figure (`pipeline.viz.plot_recall_vs_calls`,
    titled for the study) as a PNG, with a headless backend outside Jupyter."""
    from pipeline.evals.report import _pyplot
    from pipeline.viz import draw_recall_vs_calls

    title = "recall against calls: single prompt versus cascade (simulated prober)"
    draw_recall_vs_calls(_pyplot(), cells, title).savefig(path, dpi=110)
    return path


def run_study(
    *,
    out: Path,
    suite: str = "pairs",
    limit: int | None = None,
    repeat: int = DEFAULT_REPEAT,
    grid=None,
    concurrency: int = 4,
    data_dir: Path | None = None,
    progress: bool = True,
    doc_plot: Path | None = None,
    arms: Sequence[str] | None = None,
) -> dict:
    """Run every arm on every grid cell (resumable per cell); write study.json, study.md
    and study_recall_vs_calls.png (with matplotlib) into ``out``."""
    grid = grid or DEFAULT_GRID
    arms = list(arms or ARMS)
    samples = study_samples(suite, limit, data_dir)
    out.mkdir(parents=True, exist_ok=True)
    cells = asyncio.run(_arun_study(out, samples, suite, grid, repeat, concurrency, progress, arms))
    table = table_markdown(cells)
    n_pos = sum(1 for s in samples for p in s.expected_pairs if p.interacts)
    n_neg = sum(1 for s in samples for p in s.expected_pairs if not p.interacts)
    meta = {
        "suite": suite,
        "samples": len(samples),
        "positive_pairs": n_pos,
        "negative_pairs": n_neg,
        "repeat": repeat,
        "grid": {"p": list(grid[0]), "b": list(grid[1])},
        "false_alarm_rate": FALSE_ALARM,
        "prober": prober_spec(0, 0)
        .replace("miss=0", "miss=P")
        .replace("brand_blind=0", "brand_blind=B"),
        "arms": {
            a: {"options": ARMS[a][0], "ignore_gate": ARMS[a][1], "what": ARMS[a][2]} for a in arms
        },
    }
    write_json_atomic(out / "study.json", {"meta": meta, "cells": cells})
    (out / "study.md").write_text(
        f"Study: {len(samples)} samples of `{suite}` ({n_pos} positive, {n_neg} negative "
        f"pairs), {repeat} repeat(s), false-alarm rate {FALSE_ALARM:g}.\n\n{table}\n",
        encoding="utf-8",
    )
    plot = None
    if have_matplotlib():
        plot = plot_study(cells, out / "study_recall_vs_calls.png")
        if doc_plot is not None:
            doc_plot.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(plot, doc_plot)
    return {"meta": meta, "cells": cells, "table_md": table, "plot": str(plot) if plot else None}


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(run_study(out=Path("runs/study-cascade"))["meta"], indent=2))
