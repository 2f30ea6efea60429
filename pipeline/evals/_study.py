"""The cascade study (``ddi eval --study cascade``, ``python benchmarks/study_cascade.py``).

Claim under test: orchestration (name variants x templates x both orders x recall-biased
aggregation x evaluator revision) finds interactions that one prompt misses. The study
is built so that the claim can fail.

Models (`pipeline.models._simulated_knowledge.KnowledgeModel`): the prober and the judge
(evaluator role) each have knowledge of their own, drawn from their own seeds
independently of the gold labels (the gold is loaded here, to score, and never reaches a
model): which interactions they know (pair level: a known rate and a false-belief rate),
which name strings they know (a rate per name kind), a per-template shift of both rates,
and a correlation ``rho`` between the probes of one pair (0: every probe an independent
coin flip; 1: the pair-level belief decides every probe, under every name and template).
The extractor is the reference model (extraction is not what is studied). Evidence
sources are off (``evidence=False``): only the models decide, and while the study runs
the rule-based evaluators that read the KB's interactions read the judge's own belief
instead (`own_knowledge_for_evaluators`), since here the KB is the truth the gold is
made from.

Arms are configurations of the real cascade (same graph, planner and aggregation):

* ``single``: one direct prompt per pair under canonical names (`SINGLE`).
* ``synonyms``: name variants only: 3 synonyms per drug, the direct template, both orders.
* ``templates``: templates only: canonical names, 4 templates, both orders.
* ``cascade``: the full cascade (names x templates x orders, adaptive waves, recall
  policy) without evaluator revision.
* ``cascade+evaluators``: the defaults: the full cascade, its evaluators, one revision
  round with the judge as prober, and the gate.

Calls per pair of an arm: probes (the pipeline counts revision probes, which the judge
answers, as probes), plus the judge calls of the evaluators for the arm that uses them.
(The graph runs its evaluators in every arm; without revision and with the gate ignored
they change nothing, so their calls are not the arm's cost.) Extraction calls, the same
in every arm, are left out. Paired sign tests compare arms on the same (sample, repeat,
pair) outcomes: every arm sees the same models.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.cli import UsageError
from pipeline.evals._journal import ResultJournal
from pipeline.evals._report import _pyplot, fmt_pct, have_matplotlib
from pipeline.evals._run import arun_suite, write_json_atomic
from pipeline.evals._suites import Sample, load_samples
from pipeline.models._simulated_knowledge import KnowledgeModel, own_knowledge_for_evaluators
from pipeline.viz import draw_study

__all__ = [
    "ARMS",
    "BEGIN",
    "DEFAULT_RHOS",
    "END",
    "JUDGE",
    "PROBER",
    "SINGLE",
    "Arm",
    "conclusions",
    "make_models",
    "parse_rhos",
    "render_doc",
    "render_markdown",
    "run_study",
    "study_samples",
]

DEFAULT_RHOS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
DEFAULT_SAMPLES = 60
DEFAULT_REPEAT = 2
#: the prober and the judge: rates of their own knowledge (see KnowledgeModel); repeat r
#: uses seed + r for both (two fresh, independent models per repeat)
PROBER: dict[str, Any] = {"identity": "prober", "know_rate": 0.7, "false_belief_rate": 0.05}
JUDGE: dict[str, Any] = {"identity": "judge", "know_rate": 0.6, "false_belief_rate": 0.05}
SEED = 1
#: recall gains below this (absolute) are "no gain"; sign tests at ALPHA
MIN_GAIN = 0.01
ALPHA = 0.05
BEGIN, END = "<!-- study:begin -->", "<!-- study:end -->"

SINGLE: dict[str, Any] = {
    "synonyms_per_drug": 0,
    "templates": ("direct",),
    "budget": {"calls_per_pair": 1, "min_probes_per_pair": 1},
    "revision_rounds": 0,
}


@dataclass(frozen=True)
class Arm:
    options: dict[str, Any]
    evaluators: bool  # revision round and gate on; evaluator calls count as the arm's cost
    what: str
    label: str = ""


ARMS: dict[str, Arm] = {
    "single": Arm(SINGLE, False, "one direct prompt per pair, canonical names", "single prompt"),
    "synonyms": Arm(
        {"templates": ("direct",), "revision_rounds": 0},
        False,
        "3 synonyms per drug x both orders, direct template only",
        "synonyms only",
    ),
    "templates": Arm(
        {"synonyms_per_drug": 0, "revision_rounds": 0},
        False,
        "4 templates x both orders, canonical names only",
        "templates only",
    ),
    "cascade": Arm(
        {"revision_rounds": 0},
        False,
        "names x templates x orders, adaptive waves, recall policy; no revision",
        "full cascade",
    ),
    "cascade+evaluators": Arm(
        {},
        True,
        "defaults: full cascade, evaluators, one revision round (judge as prober), gate",
        "cascade plus evaluators",
    ),
}
#: (better, baseline) arm pairs compared with paired sign tests
COMPARISONS = (
    ("cascade", "single"),
    ("synonyms", "single"),
    ("templates", "single"),
    ("cascade", "templates"),
    ("cascade", "synonyms"),
    ("cascade+evaluators", "cascade"),
    ("cascade+evaluators", "single"),
)


def parse_rhos(text: str) -> tuple[float, ...]:
    """``"0,0.5,1"`` -> (0.0, 0.5, 1.0); a UsageError unless every value is in [0, 1]."""

    try:
        rhos = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise UsageError(f"--rho {text!r}: expected RHO,RHO,... (e.g. 0,0.5,1)") from None
    if not rhos or not all(0 <= r <= 1 for r in rhos):
        raise UsageError(f"--rho {text!r}: correlations must be between 0 and 1")
    return tuple(sorted(set(rhos)))


def study_samples(suite: str, limit: int | None, data_dir: Path | None) -> list[Sample]:
    """An evenly spread, deterministic subset (positives and negatives alike)."""
    samples = load_samples(suite, data_dir)
    n = DEFAULT_SAMPLES if limit is None else limit
    if n >= len(samples):
        return samples
    step = len(samples) / n
    return [samples[int(i * step)] for i in range(n)]


def make_models(
    rho: float,
    seed: int = SEED,
    prober: Mapping[str, Any] | None = None,
    judge: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The study's models for one correlation: role -> model."""

    return {
        "extractor": "reference",
        "prober": KnowledgeModel(**{**PROBER, **(prober or {})}, rho=rho, seed=seed),
        "evaluator": KnowledgeModel(**{**JUDGE, **(judge or {})}, rho=rho, seed=seed),
    }


# --------------------------------------------------------------------------- cells


@dataclass
class _Job:
    arm: str
    rho: float
    run_dir: Path
    samples: list[Sample]
    suite: str
    repeat: int
    concurrency: int
    seed: int
    prober: dict[str, Any] = field(default_factory=dict)
    judge: dict[str, Any] = field(default_factory=dict)
    definition: Arm | None = None  # an arm outside ARMS (the calibration's configurations)


def _run_cell(job: _Job) -> dict:
    """One (arm, rho) cell: run (or resume) it and return its metrics and pair outcomes."""

    arm = job.definition or ARMS[job.arm]
    started, cpu = time.perf_counter(), time.process_time()
    with own_knowledge_for_evaluators():
        outcome = asyncio.run(
            arun_suite(
                job.suite,
                out=job.run_dir,
                models=make_models(job.rho, job.seed, job.prober, job.judge),
                options={**arm.options, "seed": 0, "evidence": False},
                repeat=job.repeat,
                concurrency=job.concurrency,
                cache=None,
                report=False,
                progress=False,
                ignore_gate=not arm.evaluators,
                samples=job.samples,
            )
        )
    s = outcome.summary
    rows = ResultJournal(job.run_dir / "results.jsonl").rows(s["config_hash"])
    n_pairs = sum(r.get("n_pairs", 0) for r in rows) or 1
    by_role: dict[str, int] = {}
    for r in rows:
        for role, u in (r.get("usage") or {}).items():
            by_role[role] = by_role.get(role, 0) + u.get("calls", 0)
    prober = by_role.get("prober", 0) / n_pairs
    evaluator = by_role.get("evaluator", 0) / n_pairs
    outcomes = {
        f"{r['sample_id']}#{r['repeat']}#{p['pair']}": p["outcome"]
        for r in rows
        for p in r["pairs"]
    }
    return {
        "arm": job.arm,
        "rho": job.rho,
        "recall": s["pairs"]["recall"],
        "specificity": s["pairs"]["specificity"],
        "abstention": s["pairs"]["abstention"],
        "needs_review": s["queries"]["abstention"],
        "prober_calls_per_pair": prober,
        "evaluator_calls_per_pair": evaluator,
        "calls_per_pair": prober + (evaluator if arm.evaluators else 0.0),
        "errors": s["errors"],
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "outcomes": outcomes,
    }


def progress_printer(progress: bool) -> Callable[[str], None]:
    """Progress lines on stderr, or nothing."""
    if not progress:
        return lambda _msg: None
    return lambda msg: print(msg, file=sys.stderr, flush=True)


def default_workers() -> int:
    """Cell processes: 2, or fewer with fewer CPUs."""
    return min(2, os.cpu_count() or 1)


def _run_cells(jobs: list[_Job], workers: int, say: Callable[[str], None]) -> list[dict]:
    done: list[dict] = []

    def report(cell: dict) -> None:
        done.append(cell)
        say(
            f"[study] {len(done)}/{len(jobs)} {cell['arm']} rho={cell['rho']:g}: recall "
            f"{fmt_pct(cell['recall']['value'])}, {cell['seconds']:.0f} s"
        )

    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            report(_run_cell(job))
        return done
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [pool.submit(_run_cell, job) for job in jobs]
        for fut in as_completed(futures):
            report(fut.result())
    return done


# --------------------------------------------------------------------------- statistics


def sign_test(worse: int, better: int) -> float:
    """One-sided exact sign test: P(X >= better | X ~ Bin(worse + better, 1/2))."""
    n = worse + better
    if n == 0:
        return 1.0
    return sum(math.comb(n, i) for i in range(better, n + 1)) / 2**n


def _compare(cells: Mapping[tuple[str, float], dict], better: str, base: str, rho: float):
    a, b = cells.get((better, rho)), cells.get((base, rho))
    if a is None or b is None:
        return None
    oa, ob = a["outcomes"], b["outcomes"]
    keys = sorted(set(oa) & set(ob))
    pos = [k for k in keys if oa[k] in ("tp", "fn", "abstain_pos")]
    neg = [k for k in keys if oa[k] in ("tn", "fp", "abstain_neg")]
    found = sum(oa[k] == "tp" and ob[k] != "tp" for k in pos)  # better arm finds, base misses
    lost = sum(ob[k] == "tp" and oa[k] != "tp" for k in pos)
    new_fa = sum(oa[k] == "fp" and ob[k] != "fp" for k in neg)
    cleared_fa = sum(ob[k] == "fp" and oa[k] != "fp" for k in neg)
    ra, rb = a["recall"]["value"], b["recall"]["value"]
    sa, sb = a["specificity"]["value"], b["specificity"]["value"]
    ca, cb = a["calls_per_pair"], b["calls_per_pair"]
    return {
        "arm": better,
        "baseline": base,
        "rho": rho,
        "recall_gain": None if ra is None or rb is None else ra - rb,
        "specificity_change": None if sa is None or sb is None else sa - sb,
        "found": found,
        "lost": lost,
        "p_recall": sign_test(lost, found),
        "new_false_alarms": new_fa,
        "cleared_false_alarms": cleared_fa,
        "calls_ratio": (ca / cb) if cb else None,
    }


# --------------------------------------------------------------------------- study


def run_study(
    *,
    out: Path,
    suite: str = "pairs",
    limit: int | None = None,
    repeat: int = DEFAULT_REPEAT,
    rhos: Sequence[float] | None = None,
    concurrency: int = 4,
    workers: int | None = None,
    data_dir: Path | None = None,
    progress: bool = True,
    doc_plot: Path | None = None,
    arms: Sequence[str] | None = None,
    seed: int = SEED,
    prober: Mapping[str, Any] | None = None,
    judge: Mapping[str, Any] | None = None,
) -> dict:
    """Run every arm at every correlation (resumable per cell, in ``workers`` processes:
    default 2 or fewer with fewer CPUs); write study.json and study.md (and, with
    matplotlib, study_cascade.png) into ``out``. Returns the summary (``meta``,
    ``cells``, ``comparisons``, ``conclusions``) plus ``table_md`` and ``plot``."""

    rhos = tuple(DEFAULT_RHOS if rhos is None else rhos)
    arms = list(arms or ARMS)
    unknown = [a for a in arms if a not in ARMS]
    if unknown:
        raise ValueError(f"unknown arm {unknown[0]!r} (arms: {', '.join(ARMS)})")
    if workers is None:
        workers = default_workers()
    samples = study_samples(suite, limit, data_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [
        _Job(
            arm=arm,
            rho=rho,
            run_dir=out / f"{arm}-rho{rho:g}",
            samples=samples,
            suite=suite,
            repeat=repeat,
            concurrency=concurrency,
            seed=seed,
            prober=dict(prober or {}),
            judge=dict(judge or {}),
        )
        for rho in rhos
        for arm in arms
    ]
    # the costliest cells first, so that the worker processes finish together
    order = {a: i for i, a in enumerate(("cascade+evaluators", "cascade", "synonyms"))}
    jobs.sort(key=lambda j: (order.get(j.arm, 9), j.rho))
    say = progress_printer(progress)
    started = time.perf_counter()
    raw = _run_cells(jobs, workers, say)
    seconds = time.perf_counter() - started
    rank = {a: i for i, a in enumerate(ARMS)}
    raw.sort(key=lambda c: (c["rho"], rank[c["arm"]]))
    by_key = {(c["arm"], c["rho"]): c for c in raw}
    comparisons = [
        c
        for rho in rhos
        for better, base in COMPARISONS
        if (c := _compare(by_key, better, base, rho)) is not None
    ]
    write_json_atomic(
        out / "outcomes.json", {f"{c['arm']}@{c['rho']:g}": c["outcomes"] for c in raw}
    )
    cells = [
        {k: v for k, v in c.items() if k not in ("outcomes", "seconds", "cpu_seconds")} for c in raw
    ]
    n_pos = sum(1 for s in samples for p in s.expected_pairs if p.interacts)
    n_neg = sum(1 for s in samples for p in s.expected_pairs if not p.interacts)
    models = make_models(0.0, seed, prober, judge)
    meta = {
        "suite": suite,
        "samples": len(samples),
        "positive_pairs": n_pos,
        "negative_pairs": n_neg,
        "repeat": repeat,
        "seeds": [seed + r for r in range(repeat)],
        "rhos": list(rhos),
        "models": {role: _model_meta(models[role]) for role in ("prober", "evaluator")},
        "arms": {
            a: {
                "options": ARMS[a].options,
                "evaluators": ARMS[a].evaluators,
                "what": ARMS[a].what,
                "label": ARMS[a].label,
            }
            for a in arms
        },
        "min_gain": MIN_GAIN,
        "alpha": ALPHA,
        "workers": workers,
        "seconds": round(seconds),
        "cpu_seconds": round(sum(c["cpu_seconds"] for c in raw)),
    }
    summary = {"meta": meta, "cells": cells, "comparisons": comparisons}
    summary["conclusions"] = conclusions(summary)
    write_json_atomic(out / "study.json", summary)
    table = render_markdown(summary)
    (out / "study.md").write_text(table + "\n", encoding="utf-8")
    plot = None
    if have_matplotlib():
        plot = plot_study(cells, out / "study_cascade.png")
        if doc_plot is not None:
            doc_plot.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(plot, doc_plot)
    return {**summary, "table_md": table, "plot": str(plot) if plot else None}


def _model_meta(model: Any) -> dict[str, Any]:
    return {
        "know_rate": model.know_rate,
        "false_belief_rate": model.false_belief_rate,
        "template_effects": {k: list(v) for k, v in sorted(model.template_effects.items())},
        "name_rates": dict(sorted(model.name_rates.items())),
    }


def plot_study(cells: Sequence[Mapping], path: Path) -> Path:
    """Save the study figure (`pipeline.viz.draw_study`) as a PNG, headless."""

    title = "cascade study: simulated models with their own knowledge"
    draw_study(_pyplot(), cells, title).savefig(path, dpi=110)
    return path


# --------------------------------------------------------------------------- words


def _pts(x: float) -> str:
    return f"{100 * x:+.1f}"


def _rhos(values: Sequence[float]) -> str:
    vals = [f"{v:g}" for v in values]
    return vals[0] if len(vals) == 1 else ", ".join(vals[:-1]) + " and " + vals[-1]


def _span(values: Sequence[float], fmt: Callable[[float], str], unit: str = "") -> str:
    lo, hi = min(values), max(values)
    if fmt(lo) == fmt(hi):
        return fmt(lo) + unit
    return f"{fmt(lo)} to {fmt(hi)}{unit}"


def _ratio(x: float) -> str:
    return f"{x:.1f}×"


def _specificity(values: Sequence[float]) -> str:
    """``"costs 12.0 to 20.5 points of specificity"`` (or gains / changes by)."""
    if all(v <= 0 for v in values):
        return (
            f"costs {_span([-v for v in values], lambda x: f'{100 * x:.1f}')} points of specificity"
        )
    if all(v >= 0 for v in values):
        return f"gains {_span(values, lambda x: f'{100 * x:.1f}')} points of specificity"
    return f"changes specificity by {_span(values, _pts)} points"


def _where(selected: Sequence[float], every: Sequence[float]) -> str:
    """``"rho ≥ 0.5"`` / ``"rho ≤ 0.5"`` when `selected` (two or more values) is the upper
    / lower tail of `every`, ``"every rho studied"``, else ``"rho = 0, 0.5"``."""
    sel, every = sorted(selected), sorted(every)
    if len(sel) > 1:
        if sel == every:
            return "every rho studied"
        if sel == [r for r in every if r >= sel[0]]:
            return f"rho ≥ {sel[0]:g}"
        if sel == [r for r in every if r <= sel[-1]]:
            return f"rho ≤ {sel[-1]:g}"
    return f"rho = {_rhos(sel)}"


def conclusions(summary: Mapping) -> list[str]:
    """Plain statements of where the cascade helps and where it does not, generated from
    the numbers: a gain *helps* when it is at least `MIN_GAIN` of recall and its paired
    sign test has p < `ALPHA`."""
    meta = summary["meta"]
    min_gain, alpha = meta.get("min_gain", MIN_GAIN), meta.get("alpha", ALPHA)
    comps = summary["comparisons"]
    cells = {(c["arm"], c["rho"]): c for c in summary["cells"]}
    out: list[str] = []

    def rows(better: str, base: str) -> list[Mapping]:
        return [c for c in comps if c["arm"] == better and c["baseline"] == base]

    def helps(c: Mapping) -> bool:
        return (c["recall_gain"] or 0.0) >= min_gain and c["p_recall"] < alpha

    def gains(rs: Sequence[Mapping]) -> str:
        return ", ".join(f"{_pts(c['recall_gain'] or 0.0)} at {c['rho']:g}" for c in rs)

    def significant(rs: Sequence[Mapping]) -> str:
        hits = [c["rho"] for c in rs if helps(c)]
        return f"significant at rho = {_rhos(hits)}" if hits else "significant at no rho"

    def recall(arm: str, rho: float) -> str:
        return fmt_pct(cells[(arm, rho)]["recall"]["value"])

    def cost(rs: Sequence[Mapping]) -> str:
        return (
            f"at {_span([c['calls_ratio'] for c in rs], _ratio)} the calls, and "
            f"{_specificity([c['specificity_change'] or 0.0 for c in rs])}"
        )

    main = rows("cascade", "single")
    every = [c["rho"] for c in main]
    if main:
        yes = [c for c in main if helps(c)]
        no = [c for c in main if not helps(c)]
        if yes:
            best = max(yes, key=lambda c: c["recall_gain"])
            out.append(
                f"**The full cascade helps at {_where([c['rho'] for c in yes], every)}**: "
                f"{_span([c['recall_gain'] for c in yes], _pts)} points of recall over a "
                f"single prompt (at rho = {best['rho']:g}: {recall('single', best['rho'])} → "
                f"{recall('cascade', best['rho'])}; paired sign test p "
                f"{_p(max(c['p_recall'] for c in yes))}), {cost(yes)}."
            )
        if no:
            small = [c for c in no if (c["recall_gain"] or 0.0) < min_gain]
            why = []
            if small:
                why.append(
                    f"less than {100 * min_gain:g} point at rho = "
                    f"{_rhos([c['rho'] for c in small])}"
                )
            unsure = [c for c in no if c not in small]
            if unsure:
                why.append(
                    f"not significant at rho = {_rhos([c['rho'] for c in unsure])}: p "
                    f"{_p(min(c['p_recall'] for c in unsure))}"
                )
            out.append(
                f"**It does not help at {_where([c['rho'] for c in no], every)}**: the full "
                f"cascade adds {_span([c['recall_gain'] or 0.0 for c in no], _pts)} points of "
                f"recall over a single prompt ({'; '.join(why)}), {cost(no)}."
            )
    for arm in ("synonyms", "templates"):
        rs = rows(arm, "single")
        if rs:
            out.append(
                f"{ARMS[arm].label.capitalize()} adds {gains(rs)} points of recall over a "
                f"single prompt by rho ({significant(rs)}), {cost(rs)}."
            )
    for arm in ("templates", "synonyms"):
        rs = rows("cascade", arm)
        if rs:
            out.append(
                f"Against {ARMS[arm].label}, the full cascade adds {gains(rs)} points of "
                f"recall by rho ({significant(rs)}), {cost(rs)}."
            )
    ev = rows("cascade+evaluators", "cascade")
    if ev:
        extra = [
            cells[("cascade+evaluators", c["rho"])]["calls_per_pair"]
            - cells[("cascade", c["rho"])]["calls_per_pair"]
            for c in ev
        ]
        out.append(
            "Adding the evaluators (a judge with its own knowledge, one revision round, the "
            f"gate) adds {gains(ev)} points of recall over the full cascade by rho "
            f"({significant(ev)}), for {_span(extra, lambda x: f'{x:.1f}')} more calls per "
            f"pair, and {_specificity([c['specificity_change'] or 0.0 for c in ev])}."
        )
    abst = {
        arm: [c["abstention"]["value"] for (a, _r), c in sorted(cells.items()) if a == arm]
        for arm in ARMS
    }
    shown = [
        f"{_span(v, fmt_pct)} for {ARMS[a].label}" for a, v in abst.items() if v and None not in v
    ]
    if shown:
        out.append(
            "Pair abstention (pairs left unresolved, which count against both recall and "
            'specificity, e.g. when most answers are "unknown" under names the prober does '
            "not know) is " + ", ".join(shown) + "."
        )
    return out


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}" if p < 0.01 else f"= {p:.2f}"


def _ci(m: Mapping) -> str:
    if m.get("value") is None:
        return "n/a"
    ci = m.get("ci95") or [0, 0]
    return f"{fmt_pct(m['value'])} [{100 * ci[0]:.0f}–{100 * ci[1]:.0f}]"


def table_markdown(cells: Sequence[Mapping]) -> str:
    lines = [
        "| rho | arm | recall [95% CI] | specificity [95% CI] | pair abstention | "
        "queries needing review | probes/pair | judge calls/pair | calls/pair (arm) | "
        "× single |",
        "|---:|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    singles = {c["rho"]: c["calls_per_pair"] for c in cells if c["arm"] == "single"}
    for c in cells:
        base = singles.get(c["rho"])
        ratio = f"{c['calls_per_pair'] / base:.1f}" if base else "n/a"
        arm = ARMS[c["arm"]].label if c["arm"] in ARMS else c["arm"]
        lines.append(
            "| "
            + " | ".join(
                [
                    f"{c['rho']:g}",
                    arm,
                    _ci(c["recall"]),
                    _ci(c["specificity"]),
                    fmt_pct(c["abstention"]["value"]),
                    fmt_pct(c["needs_review"]["value"]),
                    f"{c['prober_calls_per_pair']:.1f}",
                    f"{c['evaluator_calls_per_pair']:.1f}",
                    f"{c['calls_per_pair']:.1f}",
                    ratio,
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def render_markdown(summary: Mapping) -> str:
    """The study's block of EVALS.md (between `BEGIN` and `END`), from its summary."""
    meta = summary["meta"]
    pm, jm = meta["models"]["prober"], meta["models"]["evaluator"]

    def effects(m: Mapping) -> str:
        return ", ".join(f"{t} {_pts(r)}/{_pts(f)}" for t, (r, f) in m["template_effects"].items())

    names = ", ".join(f"{k} {100 * v:g}%" for k, v in pm["name_rates"].items())
    setup = (
        f"{meta['samples']} samples of `{meta['suite']}` ({meta['positive_pairs']} positive, "
        f"{meta['negative_pairs']} negative pairs) × {meta['repeat']} repeat(s) (seeds "
        f"{', '.join(str(s) for s in meta['seeds'])}: a fresh prober and judge each); "
        f"rho ∈ {{{', '.join(f'{r:g}' for r in meta['rhos'])}}}; "
        f"{meta['seconds']} s ({meta['cpu_seconds']} CPU-seconds) with {meta['workers']} "
        "worker process(es).\n"
        f"Prober: knows {100 * pm['know_rate']:g}% of interactions (miss rate "
        f"{100 * (1 - pm['know_rate']):g}%), believes {100 * pm['false_belief_rate']:g}% of "
        f"non-interacting pairs interact. Judge: {100 * jm['know_rate']:g}% and "
        f"{100 * jm['false_belief_rate']:g}%, independent of the prober. Template effects "
        f"(recall/false-alarm points): {effects(pm)}. Names known: {names}."
    )
    bullets = "\n".join(f"- {line}" for line in summary.get("conclusions") or conclusions(summary))
    return f"{setup}\n\n{table_markdown(summary['cells'])}\n\n{bullets}"


def render_doc(doc: str, summary: Mapping) -> str:
    """`doc` with its study block (between the markers) regenerated from `summary`."""
    block = f"{BEGIN}\n{render_markdown(summary)}\n{END}"
    pattern = re.escape(BEGIN) + r".*?" + re.escape(END)
    if not re.search(pattern, doc, flags=re.S):
        raise ValueError(f"no {BEGIN} ... {END} block in the document")
    return re.sub(pattern, lambda _: block, doc, flags=re.S)


def published(summary: Mapping) -> dict:
    """What the committed summary keeps (no local paths)."""
    return json.loads(
        json.dumps({k: summary[k] for k in ("meta", "cells", "comparisons", "conclusions")})
    )
