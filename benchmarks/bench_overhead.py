"""Orchestration overhead: cost per probe through the whole cascade versus a bare LangGraph
`Send` fan-out of the same size, measured in the same process and run.

    python benchmarks/bench_overhead.py                 # N = 250, 500, 1000
    python benchmarks/bench_overhead.py --sizes 1000 --json

Bare floor: a two-node graph (`fan` -Send x N-> async `work` node returning one item into
an ``operator.add`` list), as in /work/shared/NOTES.md. Cascade: one list query of drugs
through `pipeline.api.aask` with the zero-latency reference model in every role,
``adaptive=False`` and ``budget={"calls_per_pair": k, "calls_per_query": N}`` so that
exactly N probes run (the query also runs parse, resolve, expand, plan, aggregate, 13
evaluators with their judge calls, gate and compose). "per probe" is the whole query's
wall time divided by N (fixed costs included, so it is an upper bound); "marginal" is
(T(N) - T(N_min)) / (N - N_min). Every measurement is the median of --repeat runs after
one warm-up run (KB and name index loaded, graphs compiled).
"""

from __future__ import annotations

import argparse
import asyncio
import operator
import statistics
import sys
import time
from pathlib import Path
from typing import Annotated, TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, row  # noqa: E402

DRUGS = [
    "warfarin", "ibuprofen", "aspirin", "simvastatin", "clarithromycin", "amiodarone",
    "digoxin", "metformin", "lisinopril", "omeprazole", "fluconazole", "tramadol",
    "sertraline", "verapamil", "carbamazepine", "rifampicin", "ciprofloxacin", "lithium",
    "methotrexate", "allopurinol",
]  # fmt: skip


class _S(TypedDict, total=False):
    n: int
    out: Annotated[list, operator.add]


def bare_graph():
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import Send

    async def work(task: dict) -> dict:
        return {"out": [task["i"]]}

    def fan(state: _S):
        return [Send("work", {"i": i}) for i in range(state["n"])]

    b = StateGraph(_S)
    b.add_node("start", lambda s: {})
    b.add_node("work", work)
    b.add_edge(START, "start")
    b.add_conditional_edges("start", fan, ["work"])
    b.add_edge("work", END)
    return b.compile()


def drugs_for(n: int) -> tuple[list[str], int]:
    """Fewest drugs whose pairs x per-pair cap reach n probes, and that cap."""
    for d in range(2, len(DRUGS) + 1):
        pairs = d * (d - 1) // 2
        per_pair = -(-n // pairs)
        if per_pair <= 24:
            return DRUGS[:d], per_pair
    raise ValueError(n)


async def time_bare(n: int, repeat: int) -> float:
    g = bare_graph()
    await g.ainvoke({"n": n, "out": []}, {"max_concurrency": 64})
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = await g.ainvoke({"n": n, "out": []}, {"max_concurrency": 64})
        times.append(time.perf_counter() - t)
        assert len(out["out"]) == n
    return statistics.median(times)


async def time_cascade(n: int, repeat: int, concurrency: int) -> tuple[float, int]:
    from pipeline.api import aask

    drugs, per_pair = drugs_for(n)
    options = {
        "adaptive": False,
        "budget": {"calls_per_pair": per_pair, "calls_per_query": n, "min_probes_per_pair": 1},
        "synonyms_per_drug": 6,
        "revision_rounds": 0,
        "concurrency": concurrency,
    }
    await aask(drugs, **options)
    times, probes = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        report = await aask(drugs, **options)
        times.append(time.perf_counter() - t)
        probes = report.usage.by_role["prober"].calls
    return statistics.median(times), probes


async def main_async(args) -> dict:
    from pipeline.names._resolver import aprepare_default

    await aprepare_default()
    rows = []
    for n in args.sizes:
        bare = await time_bare(n, args.repeat)
        whole, probes = await time_cascade(n, args.repeat, args.concurrency)
        rows.append(
            {
                "n": n,
                "probes": probes,
                "bare_s": bare,
                "bare_ms_per_task": 1000 * bare / n,
                "cascade_s": whole,
                "cascade_ms_per_probe": 1000 * whole / probes,
                "ratio": (whole / probes) / (bare / n),
            }
        )
    if len(rows) > 1:
        lo, hi = rows[0], rows[-1]
        marginal = (hi["cascade_s"] - lo["cascade_s"]) / (hi["probes"] - lo["probes"])
        bare_marginal = (hi["bare_s"] - lo["bare_s"]) / (hi["n"] - lo["n"])
        extra = {
            "cascade_marginal_ms_per_probe": 1000 * marginal,
            "bare_marginal_ms_per_task": 1000 * bare_marginal,
            "marginal_ratio": marginal / bare_marginal if bare_marginal > 0 else None,
        }
    else:
        extra = {}
    return {"rows": rows, **extra}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=64, help="model calls in flight")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(main_async(args))
    emit("overhead", {"args": vars(args), **result}, args.json)
    if not args.json:
        print(row("N", "bare Send s", "bare ms/task", "cascade s", "cascade ms/probe", "ratio"))
        print(row(*["---"] * 6))
        for r in result["rows"]:
            print(
                row(
                    r["probes"],
                    f"{r['bare_s']:.3f}",
                    f"{r['bare_ms_per_task']:.3f}",
                    f"{r['cascade_s']:.3f}",
                    f"{r['cascade_ms_per_probe']:.3f}",
                    f"{r['ratio']:.2f}x",
                )
            )
        if "marginal_ratio" in result:
            print(
                f"marginal: cascade {result['cascade_marginal_ms_per_probe']:.3f} ms/probe, "
                f"bare {result['bare_marginal_ms_per_task']:.3f} ms/task, "
                f"ratio {result['marginal_ratio']:.2f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
