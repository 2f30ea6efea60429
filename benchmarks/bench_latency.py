"""Latency hiding: wall time of N probes with a simulated 200 ms prober at concurrency C,
versus the ideal ceil(N / C) x 200 ms; and the longest event-loop stall of a first query.

    python benchmarks/bench_latency.py                       # C = 1, 4, 16, 64
    python benchmarks/bench_latency.py --concurrency 16 64 --json

Each run is one list query through `pipeline.api.aask` with the prober
``sim:perfect?latency=0.2`` (every call awaits 200 ms; answers are the reference answers),
the zero-latency reference model for the extractor and evaluator roles, full fan-out
(``adaptive=False``, ``revision_rounds=0``) and a budget that makes exactly N probes, with
``concurrency=C`` (the run's one top-level setting: the LangGraph ``max_concurrency`` and
the limiter every model call waits on). The ideal assumes nothing but the probes takes time.
A KeyedModel-style gauge is not needed here: the in-flight maximum is checked by
tests/perf. An extra row runs the default adaptive mode (waves) and compares it with the
ideal for its actual waves, sum over waves of ceil(n_wave / C) x 200 ms.

Stall: in a fresh process, after the imports and graph compilation (start-up work), a 5 ms
heartbeat task runs while the first query loads the KB and the name index; the longest gap
between beats is reported (the load runs in a worker thread, see
`pipeline.names._resolver.aprepare_default`; what remains is node CPU work).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, emit, row  # noqa: E402
from bench_overhead import drugs_for  # noqa: E402

LATENCY = 0.2


async def run_full(n: int, c: int) -> dict:
    from pipeline.api import aask

    drugs, per_pair = drugs_for(n)
    t = time.perf_counter()
    report = await aask(
        drugs,
        models={"prober": f"sim:perfect?latency={LATENCY}"},
        adaptive=False,
        revision_rounds=0,
        synonyms_per_drug=6,
        budget={"calls_per_pair": per_pair, "calls_per_query": n, "min_probes_per_pair": 1},
        concurrency=c,
    )
    wall = time.perf_counter() - t
    probes = report.usage.by_role["prober"].calls
    ideal = math.ceil(probes / c) * LATENCY
    return {
        "mode": "full",
        "C": c,
        "N": probes,
        "wall": wall,
        "ideal": ideal,
        "ratio": wall / ideal,
    }


async def run_adaptive(drug_count: int, c: int) -> dict:
    from bench_overhead import DRUGS

    from pipeline.api import RECURSION_LIMIT, get_graph, make_context

    ctx = make_context(
        {
            "models": {"prober": f"sim:noisy?latency={LATENCY}"},
            "revision_rounds": 0,
            "concurrency": c,
        }
    )
    waves: list[int] = []
    t = time.perf_counter()
    async for update in get_graph().astream(
        {"query": DRUGS[:drug_count]},
        config={"max_concurrency": c, "recursion_limit": RECURSION_LIMIT},
        context=ctx,
        stream_mode="updates",
    ):
        for node, value in update.items():
            if node == "wave" and value and value.get("wave"):
                waves.append(len(value["wave"]))
    wall = time.perf_counter() - t
    ideal = sum(math.ceil(n / c) for n in waves) * LATENCY
    return {
        "mode": f"adaptive ({drug_count} drugs, sim:noisy prober, waves {waves})",
        "C": c,
        "N": sum(waves),
        "wall": wall,
        "ideal": ideal,
        "ratio": wall / ideal if ideal else None,
    }


STALL_SCRIPT = """
import asyncio, json, time
async def main():
    gaps = []
    done = False
    async def beat():
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
    from pipeline.api import aask, get_graph, make_context
    get_graph()  # imports and graph compile happen at start-up, not per query
    make_context({}).resolve_models()
    hb = asyncio.create_task(beat())
    await asyncio.sleep(0.02)
    t = time.perf_counter()
    await aask(["warfarin", "ibuprofen"])
    first = time.perf_counter() - t
    done = True
    await hb
    print(json.dumps({"first_query_s": first, "max_gap_s": max(gaps), "beats": len(gaps)}))
asyncio.run(main())
"""


def stall() -> dict:
    out = subprocess.run(
        [sys.executable, "-c", STALL_SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


async def main_async(args) -> dict:
    from pipeline.api import aask
    from pipeline.names._resolver import aprepare_default

    await aprepare_default()
    await aask(["warfarin", "ibuprofen"])  # warm-up: imports, graph compile, first run
    rows = []
    for c in args.concurrency:
        n = max(args.rounds * c, c)
        rows.append(await run_full(n, c))
    if args.big:
        rows.append(await run_full(args.big, max(args.concurrency)))
    for c in args.concurrency:
        if c >= 16:
            rows.append(await run_adaptive(10, c))
    return {"rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--rounds", type=int, default=8, help="N = rounds x C (ideal rounds)")
    parser.add_argument("--big", type=int, default=1024, help="one extra run: N at max C")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(main_async(args))
    result["stall"] = stall()
    emit("latency", {"args": vars(args), **result}, args.json)
    if not args.json:
        print(row("mode", "C", "N probes", "wall s", "ideal s", "wall / ideal"))
        print(row(*["---"] * 6))
        for r in result["rows"]:
            print(
                row(
                    r["mode"],
                    r["C"],
                    r["N"],
                    f"{r['wall']:.2f}",
                    f"{r['ideal']:.2f}",
                    f"{r['ratio']:.3f}" if r["ratio"] else "-",
                )
            )
        s = result["stall"]
        print(
            f"first query in a fresh process: {s['first_query_s']:.2f} s; longest event-loop "
            f"stall {1000 * s['max_gap_s']:.0f} ms ({s['beats']} beats of 5 ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
