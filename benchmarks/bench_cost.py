"""Cost of adaptive probing versus full fan-out on the `pairs` suite (simulated noisy models).

    python benchmarks/bench_cost.py                 # 200 queries x 2 seeds, sim:noisy
    python benchmarks/bench_cost.py --limit 50 --seeds 0 --json

Each query runs through `pipeline.api.aask_many` three times per seed: with
``adaptive=False`` and no per-pair cap (the full permutation fan-out: every name of A x
every name of B x every template x both orders), with ``adaptive=False`` under the default
budget (every pair gets its whole 12-probe allowance in one wave), and with
``adaptive=True`` (the default), with the same simulated model in every role
(``sim:noisy?seed=S``: miss 0.3, false alarm 0.05, brand-blind 0.5). Reported per arm:
prober calls per query (first pass plus revision probes), all model calls per query,
recall over the gold interacting pairs, false-positive rate over the gold non-interacting
pairs, and how many pair verdicts differ between the two arms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, Timer, emit, pct, row  # noqa: E402


def load_pairs(limit: int | None) -> list[dict]:
    rows = [
        json.loads(line)
        for line in (ROOT / "data" / "evals" / "pairs.jsonl").read_text().splitlines()
        if line.strip()
    ]
    return rows[:limit] if limit else rows


def pair_verdicts(report) -> dict[tuple[str, str], str]:
    out = {}
    for p in report.pairs:
        a, b = sorted((p.drug_a.casefold(), p.drug_b.casefold()))
        out[(a, b)] = p.verdict
    return out


async def run_arm(samples: list[dict], seed: int, options: dict, concurrency: int) -> dict:
    from pipeline.api import aask_many

    spec = f"sim:noisy?seed={seed}"
    models = {"extractor": spec, "prober": spec, "evaluator": spec}
    with Timer() as t:
        reports = await aask_many(
            [s["query"] for s in samples],
            concurrency=concurrency,
            models=models,
            seed=seed,
            **options,
        )
    probes = calls = tp = pos = fp = neg = 0
    verdicts: dict[tuple[str, str, str], str] = {}
    for s, r in zip(samples, reports, strict=True):
        got = pair_verdicts(r)
        probes += r.usage.by_role.get("prober").calls if "prober" in r.usage.by_role else 0
        calls += r.usage.calls
        for gold in s["expected_pairs"]:
            key = tuple(sorted((gold["drug_a"].casefold(), gold["drug_b"].casefold())))
            verdict = got.get(key, "missing")
            verdicts[(s["id"], *key)] = verdict
            if gold["interacts"]:
                pos += 1
                tp += verdict == "interacts"
            else:
                neg += 1
                fp += verdict == "interacts"
    n = len(samples)
    return {
        "queries": n,
        "probes_per_query": probes / n,
        "calls_per_query": calls / n,
        "recall": tp / pos if pos else None,
        "false_positive_rate": fp / neg if neg else None,
        "seconds": t.seconds,
        "verdicts": verdicts,
    }


def _mean(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


async def main_async(args) -> dict:
    samples = load_pairs(args.limit)
    arms = {
        # every planned probe: all name variants x templates x both orders, no per-pair cap
        "permutation": {
            "adaptive": False,
            "budget": {"calls_per_pair": 128, "calls_per_query": 100_000},
        },
        "full": {"adaptive": False},
        "adaptive": {"adaptive": True},
    }
    if args.wave_size:
        arms["adaptive"]["wave_size"] = args.wave_size
    results: dict[str, list[dict]] = {name: [] for name in arms}
    for seed in args.seeds:
        for name, options in arms.items():
            results[name].append(await run_arm(samples, seed, options, args.concurrency))
    summary = {}
    for name, runs in results.items():
        summary[name] = {
            k: _mean([r[k] for r in runs])
            for k in ("probes_per_query", "calls_per_query", "recall", "false_positive_rate")
        }
        summary[name]["seconds"] = sum(r["seconds"] for r in runs)
    changed = 0
    total = 0
    for full, adaptive in zip(results["full"], results["adaptive"], strict=True):
        for key, v in full["verdicts"].items():
            total += 1
            changed += adaptive["verdicts"].get(key) != v
    summary["pair_verdicts_changed"] = changed
    summary["pair_verdicts_compared"] = total
    f, a = summary["full"], summary["adaptive"]
    summary["probe_ratio"] = f["probes_per_query"] / a["probes_per_query"]
    summary["call_ratio"] = f["calls_per_query"] / a["calls_per_query"]
    summary["recall_delta_points"] = 100 * (a["recall"] - f["recall"])
    p = summary["permutation"]
    summary["permutation_probe_ratio"] = p["probes_per_query"] / a["probes_per_query"]
    summary["permutation_call_ratio"] = p["calls_per_query"] / a["calls_per_query"]
    summary["permutation_recall_delta_points"] = 100 * (a["recall"] - p["recall"])
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--concurrency", type=int, default=8, help="queries at once")
    parser.add_argument("--wave-size", type=int, default=None, help="override Context.wave_size")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    summary = asyncio.run(main_async(args))
    emit("cost", {"args": vars(args), **summary}, args.json)
    if not args.json:
        print(row("arm", "probes/query", "calls/query", "recall", "FP rate", "wall s"))
        print(row(*["---"] * 6))
        for name in ("permutation", "full", "adaptive"):
            s = summary[name]
            print(
                row(
                    name,
                    f"{s['probes_per_query']:.2f}",
                    f"{s['calls_per_query']:.2f}",
                    pct(s["recall"]),
                    pct(s["false_positive_rate"]),
                    f"{s['seconds']:.1f}",
                )
            )
        print(
            f"ratio full/adaptive: probes {summary['probe_ratio']:.2f}x, calls "
            f"{summary['call_ratio']:.2f}x; recall delta {summary['recall_delta_points']:+.2f} "
            f"points; pair verdicts changed {summary['pair_verdicts_changed']} of "
            f"{summary['pair_verdicts_compared']}"
        )
        print(
            f"ratio permutation/adaptive: probes {summary['permutation_probe_ratio']:.2f}x, "
            f"calls {summary['permutation_call_ratio']:.2f}x; recall delta "
            f"{summary['permutation_recall_delta_points']:+.2f} points"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
