"""Scaling: model calls and wall time for lists of 2, 5, 10 and 20 drugs, and the effect
of the per-query probe budget.

    python benchmarks/bench_scaling.py
    python benchmarks/bench_scaling.py --sizes 2 5 --latency 0 --json

Each cell is one list query through `pipeline.api.aask` (adaptive probing, recall policy,
defaults otherwise) with the prober ``sim:noisy?latency=L`` (miss 0.3, false alarm 0.05,
brand-blind 0.5; L = 0.2 s by default), the reference model as extractor and evaluator,
``concurrency=16``. Budgets: the default (600 probes per query) and a tight one (150).
Reported: pairs, probes (prober calls, revision included), all model calls, pairs left
unresolved because the budget ran out, wall time, and the ideal wall time for the probes
alone at this concurrency (ceil(probes / 16) x L, a lower bound that ignores waves).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, row  # noqa: E402
from bench_overhead import DRUGS  # noqa: E402

CONCURRENCY = 16


async def cell(n: int, budget: int | None, latency: float) -> dict:
    from pipeline.api import aask

    options = {
        "models": {"prober": f"sim:noisy?latency={latency}&seed=1"},
        "concurrency": CONCURRENCY,
        "seed": 1,
    }
    if budget is not None:
        options["budget"] = {"calls_per_query": budget}
    t = time.perf_counter()
    report = await aask(DRUGS[:n], **options)
    wall = time.perf_counter() - t
    probes = report.usage.by_role["prober"].calls if "prober" in report.usage.by_role else 0
    out_of_budget = sum(1 for p in report.pairs if p.verdict == "unresolved" and p.votes.total == 0)
    return {
        "drugs": n,
        "pairs": len(report.pairs),
        "budget": budget or 600,
        "probes": probes,
        "calls": report.usage.calls,
        "probes_per_pair": probes / len(report.pairs) if report.pairs else 0.0,
        "interacts": sum(p.verdict == "interacts" for p in report.pairs),
        "unresolved": sum(p.verdict == "unresolved" for p in report.pairs),
        "not_probed": out_of_budget,
        "wall": wall,
        "ideal_probe_time": math.ceil(probes / CONCURRENCY) * latency,
    }


async def main_async(args) -> list[dict]:
    from pipeline.api import aask

    await aask(["warfarin", "ibuprofen"])  # warm-up: imports, KB, graph
    rows = []
    for budget in (None, args.tight):
        for n in args.sizes:
            rows.append(await cell(n, budget, args.latency))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 5, 10, 20])
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--tight", type=int, default=150, help="the tight per-query budget")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = asyncio.run(main_async(args))
    emit("scaling", {"args": vars(args), "rows": rows}, args.json)
    if not args.json:
        print(
            row(
                "drugs", "pairs", "budget", "probes", "all calls", "probes/pair",
                "interacts", "unresolved (not probed)", "wall s", "ideal probe time s",
            )
        )  # fmt: skip
        print(row(*["---"] * 10))
        for r in rows:
            print(
                row(
                    r["drugs"],
                    r["pairs"],
                    r["budget"],
                    r["probes"],
                    r["calls"],
                    f"{r['probes_per_pair']:.1f}",
                    r["interacts"],
                    f"{r['unresolved']} ({r['not_probed']})",
                    f"{r['wall']:.2f}",
                    f"{r['ideal_probe_time']:.2f}",
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
