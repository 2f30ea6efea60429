"""Fault matrix: fault kind x rate x role -> outcome counts over a fixed query set.

    python benchmarks/fault_matrix.py            # full matrix: every fault x 3 roles x 4 rates
    python benchmarks/fault_matrix.py --quick    # 3 faults (error, timeout, malformed) only
    python benchmarks/fault_matrix.py --render   # only rewrite the table from the summary

Every cell wraps the reference model of one role in ``FaultyModel(inner, fault, rate,
seed)`` (the other roles stay fault-free) and runs the same ~10 queries (interacting and
non-interacting pairs) with small time-outs and back-offs so the whole matrix takes about
two minutes. The "silent neg." column counts answers that are ``no_known_interaction``
although the fault-free answer for that query is not, or although a fault left a gap
(an extractor call failed, a pair was not answered, an evaluator did not sign off). It
must be zero: faults may only ever turn answers into ``needs_review``.

A run writes `benchmarks/results/fault_matrix.json` (mode, evaluators, baselines, cells)
and the table of RELIABILITY.md between the `fault-matrix:begin/end` markers;
`tests/reliability/test_fault_matrix_table.py` fails when the two disagree or when the
summary was measured with another evaluator set.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.api import aask
from pipeline.evaluators import EVALUATOR_NAMES
from pipeline.llm import reference_model
from pipeline.models._doubles import FAULTS, FaultyModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import replace_block  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = ROOT / "benchmarks" / "results" / "fault_matrix.json"
DOC = ROOT / "RELIABILITY.md"
BEGIN, END = "<!-- fault-matrix:begin -->", "<!-- fault-matrix:end -->"
QUICK_FAULTS = ("error", "timeout", "malformed")

QUERIES: tuple[str | list[str], ...] = (
    "warfarin and ibuprofen",
    "Can I take Coumadin with Advil?",
    "simvastatin with clarithromycin",
    "sertraline and tramadol",
    ["digoxin", "amiodarone", "paracetamol"],
    "amoxicillin and paracetamol",
    "omeprazole and amoxicillin",
    "metformin and paracetamol",
    "I take atorvastatin daily; is paracetamol OK with it?",
    ["lisinopril", "amoxicillin"],
)
ROLES = ("extractor", "prober", "evaluator")
RATES = (0.05, 0.3, 1.0)
STICKY_RATE = 0.3  # extra column: faults that repeat on every retry of a prompt
OUTCOMES = ("interaction", "no_known_interaction", "needs_review", "error")
# small time-outs/back-offs keep faults cheap; "timeout" faults hang far past `timeout`
OPTIONS = {"retries": 2, "timeout": 0.5, "backoff": 0.002, "concurrency": 16}


@dataclass
class Cell:
    fault: str
    rate: float
    role: str
    sticky: bool = False
    counts: Counter = field(default_factory=Counter)
    silent_negatives: int = 0
    failed_calls: int = 0
    seconds: float = 0.0
    examples: list[str] = field(default_factory=list)


def silent_negative(report, baseline: str) -> bool:
    """A no_known_interaction that a fault-free run would not give, or that rests on a gap."""
    if report.verdict != "no_known_interaction":
        return False
    if baseline != "no_known_interaction":
        return True
    if report.usage.by_role.get("extractor") and report.usage.by_role["extractor"].failed_calls:
        return True
    if any(p.verdict != "no_evidence" for p in report.pairs):
        return True
    return not all(e.passed for e in report.evaluations)


async def run_cell(cell: Cell, baselines: dict[int, str], seed: int) -> Cell:
    model = FaultyModel(
        reference_model(), cell.fault, cell.rate, seed=seed, hang=30.0, sticky=cell.sticky
    )
    started = time.perf_counter()

    async def one(i: int, query):
        try:
            report = await aask(query, models={cell.role: model}, **OPTIONS)
        except Exception as exc:  # noqa: BLE001 - counted, never hidden
            cell.counts["error"] += 1
            cell.examples.append(f"{query!r}: {type(exc).__name__}: {exc}")
            return
        cell.counts[report.verdict] += 1
        usage = report.usage.by_role
        roles = ("prober", "evaluator") if cell.role == "evaluator" else (cell.role,)
        cell.failed_calls += sum(usage[r].failed_calls for r in roles if r in usage)
        if silent_negative(report, baselines[i]):
            cell.silent_negatives += 1
            cell.examples.append(f"{query!r}: silent negative")

    await asyncio.gather(*(one(i, q) for i, q in enumerate(QUERIES)))
    cell.seconds = time.perf_counter() - started
    return cell


async def baseline_verdicts() -> dict[int, str]:
    reports = await asyncio.gather(*(aask(q, **OPTIONS) for q in QUERIES))
    return {i: r.verdict for i, r in enumerate(reports)}


async def run_matrix(faults, rates, roles, seed: int = 0) -> tuple[list[Cell], dict[int, str]]:
    baselines = await baseline_verdicts()
    cells = []
    for fault in faults:
        for role in roles:
            for rate in rates:
                cells.append(await run_cell(Cell(fault, rate, role), baselines, seed))
            cell = Cell(fault, STICKY_RATE, role, sticky=True)
            cells.append(await run_cell(cell, baselines, seed))
    return cells, baselines


def summarise(cells: list[Cell], baselines: dict[int, str], seconds: float, mode: str) -> dict:
    """What the table is rendered from (committed as `SUMMARY`)."""
    return {
        "mode": mode,
        "faults": list(dict.fromkeys(c.fault for c in cells)),
        "roles": list(ROLES),
        "rates": list(RATES),
        "sticky_rate": STICKY_RATE,
        "evaluators": list(EVALUATOR_NAMES),
        "queries": len(QUERIES),
        "options": OPTIONS,
        "baselines": {str(i): v for i, v in sorted(baselines.items())},
        "seconds": round(seconds, 1),
        "cells": [
            {
                "fault": c.fault,
                "role": c.role,
                "rate": c.rate,
                "sticky": c.sticky,
                "counts": {k: c.counts[k] for k in OUTCOMES},
                "silent_negatives": c.silent_negatives,
                "failed_calls": c.failed_calls,
                "seconds": round(c.seconds, 3),
                "examples": c.examples[:3],
            }
            for c in cells
        ],
    }


def markdown(summary: dict) -> str:
    cells = summary["cells"]
    base = Counter(summary["baselines"].values())
    mode = (
        f"full mode: {len(summary['faults'])} faults"
        if summary["mode"] == "full"
        else f"`--quick` mode: {len(summary['faults'])} faults ({', '.join(summary['faults'])})"
    )
    lines = [
        f"Queries: {summary['queries']} (fault-free: {base['interaction']} interaction, "
        f"{base['no_known_interaction']} no_known_interaction, "
        f"{base['needs_review']} needs_review); {len(summary['evaluators'])} evaluators; "
        f"options {summary['options']}; {mode} x {len(summary['roles'])} roles x "
        f"{len(summary['rates']) + 1} rates = {len(cells)} cells in "
        f"{summary['seconds']:.0f} s.",
        "",
        "| fault | role | rate | interaction | no_known | needs_review | error "
        "| silent neg. | failed calls (role) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cells:
        n = c["counts"]
        lines.append(
            f"| {c['fault']} | {c['role']} | {c['rate']:g}{' sticky' if c['sticky'] else ''} | "
            f"{n['interaction']} | {n['no_known_interaction']} | {n['needs_review']} | "
            f"{n['error']} | **{c['silent_negatives']}** | {c['failed_calls']} |"
        )
    total_sn = sum(c["silent_negatives"] for c in cells)
    total_err = sum(c["counts"]["error"] for c in cells)
    runs = sum(sum(c["counts"].values()) for c in cells)
    lines += ["", f"Total: {runs} runs, {total_sn} silent negatives, {total_err} errors."]
    return "\n".join(lines)


def load() -> dict:
    return json.loads(SUMMARY.read_text(encoding="utf-8"))


def render(doc: str, summary: dict) -> str:
    return replace_block(doc, BEGIN, END, markdown(summary))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 faults only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--render", action="store_true", help="only rewrite the table")
    args = parser.parse_args(argv)
    if not args.render:
        faults = QUICK_FAULTS if args.quick else FAULTS
        started = time.perf_counter()
        cells, baselines = asyncio.run(run_matrix(faults, RATES, ROLES, seed=args.seed))
        elapsed = time.perf_counter() - started
        summary = summarise(cells, baselines, elapsed, "quick" if args.quick else "full")
        summary["seed"] = args.seed
        SUMMARY.parent.mkdir(parents=True, exist_ok=True)
        SUMMARY.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
        for c in cells:
            for ex in c.examples[:3]:
                print(f"  {c.fault}/{c.role}/{c.rate:g}: {ex}", file=sys.stderr)
    summary = load()
    doc = DOC.read_text(encoding="utf-8")
    if BEGIN not in doc:
        raise SystemExit(f"{DOC.name} has no {BEGIN} marker")
    DOC.write_text(render(doc, summary), encoding="utf-8")
    print(markdown(summary))
    cells = summary["cells"]
    return 1 if any(c["silent_negatives"] or c["counts"]["error"] for c in cells) else 0


if __name__ == "__main__":
    sys.exit(main())
