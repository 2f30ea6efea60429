"""Load: `pipeline.ask_many` on N reference-model queries at concurrency 4, 16 and 64,
two rounds each: queries/s, errors, RSS before / after round 1 / after round 2.

    python benchmarks/bench_load.py                  # 500 queries (a few minutes here)
    python benchmarks/bench_load.py --queries 2000   # the size of issue 16
    python benchmarks/bench_load.py --render         # only rewrite the BENCHMARKS.md table

Queries: N samples spread evenly over `data/evals/full.jsonl` (every suite: free-text
pairs, perturbed spellings, lists; repeated in order if N is larger than the file), the
reference model in every role, default options. Each concurrency runs in its own fresh
process (so RSS figures do not carry over between rows): one warm-up query (imports, KB,
graph), RSS "before", then the same N queries twice through `ask_many(queries,
concurrency=C)`, with `gc.collect()` and the process's current RSS (`VmRSS`) after each
round. "growth r1->r2" is the leak check: a steady process should grow much less in round 2
than in round 1. "changed" counts queries whose verdict differs between the two rounds
(the reference model is deterministic: it should be 0). An error is a round that raised
(`ask_many` fails the whole batch) and is counted with its message.

Writes `benchmarks/results/load.json` and the table of BENCHMARKS.md between the
`load:begin/end` markers; `tests/perf/test_load_table.py` fails when the two disagree.
Throughput is compared as a ratio to C=4 of the same run (the machine is shared).
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, machine, peak_rss_mb, publish, replace_block, store_summary  # noqa: E402

DATASET = ROOT / "data" / "evals" / "full.jsonl"
SUMMARY = ROOT / "benchmarks" / "results" / "load.json"
DOC = ROOT / "BENCHMARKS.md"
BEGIN, END = "<!-- load:begin -->", "<!-- load:end -->"
CONCURRENCIES = (4, 16, 64)
ROUNDS = 2


def rss_mb() -> float:
    """Current resident set size of this process (Linux `VmRSS`), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not found in /proc/self/status")  # pragma: no cover


def pick_queries(n: int) -> list:
    """N queries spread evenly over the dataset (deterministic)."""
    records = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines()]
    queries = [r["query"] for r in records]
    if n <= len(queries):
        return [queries[(i * len(queries)) // n] for i in range(n)]
    return [queries[i % len(queries)] for i in range(n)]


def worker(concurrency: int, n: int, rounds: int) -> dict:
    """One row, in this process: warm-up, then `rounds` rounds of `ask_many`."""
    from pipeline import ask, ask_many

    queries = pick_queries(n)
    ask("warfarin and ibuprofen")  # imports, KB, graph, name index
    gc.collect()
    out: dict = {
        "concurrency": concurrency,
        "queries": n,
        "rss_before": round(rss_mb(), 1),
        "rounds": [],
    }
    previous: list[str] | None = None
    for _ in range(rounds):
        started = time.perf_counter()
        error = None
        verdicts: list[str] = []
        try:
            reports = ask_many(queries, concurrency=concurrency)
            verdicts = [r.verdict for r in reports]
        except Exception as exc:  # noqa: BLE001 - counted and reported, never hidden
            error = f"{type(exc).__name__}: {exc}"[:300]
        seconds = time.perf_counter() - started
        gc.collect()
        changed = (
            sum(a != b for a, b in zip(previous, verdicts, strict=True))
            if previous is not None and len(previous) == len(verdicts)
            else None
        )
        out["rounds"].append(
            {
                "seconds": round(seconds, 2),
                "queries_per_s": round(len(verdicts) / seconds, 2) if verdicts else 0.0,
                "errors": 0 if error is None else 1,
                "error": error,
                "verdicts": dict(sorted(Counter(verdicts).items())),
                "changed_from_previous_round": changed,
                "rss_after": round(rss_mb(), 1),
            }
        )
        previous = verdicts or previous
    out["peak_rss"] = round(peak_rss_mb(), 1)
    return out


def run(n: int, concurrencies: tuple[int, ...], rounds: int) -> dict:
    rows = []
    for c in concurrencies:
        t = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", str(c), "--queries", str(n)]
            + ["--rounds", str(rounds)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"worker C={c} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"C={c}: done in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return {
        "benchmark": "load",
        "machine": machine(),
        "measured": time.strftime("%Y-%m-%d"),
        "dataset": DATASET.relative_to(ROOT).as_posix(),
        "queries": n,
        "rounds": rounds,
        "rows": rows,
    }


def _mb(x: float) -> str:
    return f"{x:.0f}"


def table(summary: dict) -> str:
    rows = summary["rows"]
    base = rows[0]
    base_qps = base["rounds"][0]["queries_per_s"] or None
    rs = " / ".join(f"r{i + 1}" for i in range(summary["rounds"]))
    lines = [
        f"{summary['queries']:,} queries from `{summary['dataset']}`, {summary['rounds']} "
        f"rounds per concurrency, one fresh process per row; measured {summary['measured']} "
        f"on {summary['machine']['cores']} cores, load average "
        f"{summary['machine']['load_avg_1m']:.1f} at the end.",
        "",
        f"| concurrency | queries/s {rs} | vs C={base['concurrency']} (round 1) | errors "
        f"| verdicts changed vs previous round | RSS before / after {rs} MB "
        f"| growth in {rs} MB | peak RSS MB |",
        "|---:|---|---:|---:|---:|---|---|---:|",
    ]
    for r in rows:
        rr = r["rounds"]
        qps = " / ".join(f"{x['queries_per_s']:.1f}" for x in rr)
        ratio = f"{rr[0]['queries_per_s'] / base_qps:.2f}x" if base_qps else "-"
        errors = sum(x["errors"] for x in rr)
        changed = [x["changed_from_previous_round"] for x in rr[1:]]
        rss = [r["rss_before"]] + [x["rss_after"] for x in rr]
        growth = [b - a for a, b in zip(rss, rss[1:], strict=False)]
        lines.append(
            f"| {r['concurrency']} | {qps} | {ratio} | **{errors}** | "
            f"{' / '.join('-' if c is None else str(c) for c in changed) or '-'} | "
            f"{' / '.join(_mb(x) for x in rss)} | "
            f"{' / '.join(f'{g:+.0f}' for g in growth)} | {_mb(r['peak_rss'])} |"
        )
    errors = [x["error"] for r in rows for x in r["rounds"] if x["error"]]
    if errors:
        lines += ["", "Errors: " + "; ".join(errors)]
    return "\n".join(lines)


def load() -> dict:
    return json.loads(SUMMARY.read_text(encoding="utf-8"))


def render(doc: str, summary: dict) -> str:
    return replace_block(doc, BEGIN, END, table(summary))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=list(CONCURRENCIES), metavar="C"
    )
    parser.add_argument("--render", action="store_true", help="only rewrite the table")
    parser.add_argument("--worker", type=int, metavar="C", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        print(json.dumps(worker(args.worker, args.queries, args.rounds)))
        return 0
    if not args.render:
        summary = run(args.queries, tuple(args.concurrency), args.rounds)
        store_summary(SUMMARY, summary)
    summary = load()
    publish(DOC, BEGIN, END, table(summary))
    print(table(summary))
    return 1 if any(x["errors"] for r in summary["rows"] for x in r["rounds"]) else 0


if __name__ == "__main__":
    sys.exit(main())
