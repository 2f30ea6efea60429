"""Start-up: `ddi ask` in fresh processes (wall time, CPU time, peak RSS), with floors.

    python benchmarks/bench_startup.py            # 7 rounds of every command
    python benchmarks/bench_startup.py --runs 3 --json
    python benchmarks/bench_startup.py --render   # only rewrite BENCHMARKS.md's table

Writes `benchmarks/results/startup.json` (committed) and the start-up table of
BENCHMARKS.md between the ``<!-- startup:begin -->`` markers; exits 1 when `ddi ask` with
two drugs costs more than `TARGET` times the import floor.

Each command runs in a new process (`subprocess.Popen` + `os.wait4` for the child's own
peak RSS and CPU time). "Cold" here means a fresh process: Python bytecode caches and the
KB load cache (`data/kb/.cache/`, see `pipeline.kb`) exist, as they do after the first run
or after `python -m tools.kb.build`. Also measured in the same run, as floors: a bare
`python -c pass`, the import of the third-party stack the cascade cannot avoid
(`langgraph.graph`, langchain-core's `BaseChatModel`, `pydantic`, `rapidfuzz`), and the
first query with the load cache disabled (`DDI_KB_CACHE=0`: gzip JSON as before).
Rounds are interleaved (each round runs every command once), so that a change in the
machine's load moves the floor and the commands alike; medians are reported, and the
target is checked on the median of the per-round ratios to the floor. The load average is
recorded because other work on a 2-core machine inflates every number.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, machine, publish, replace_block, row, store_summary  # noqa: E402

from pipeline.cli import GC_THRESHOLD  # noqa: E402

SUMMARY = ROOT / "benchmarks" / "results" / "startup.json"
DOC = ROOT / "BENCHMARKS.md"
BEGIN, END = "<!-- startup:begin -->", "<!-- startup:end -->"
#: issue 12: `ddi ask` with two drugs within 1.25x of the import floor, in one run
TARGET = 1.25
FLOOR = "import floor (langgraph, langchain-core, pydantic, rapidfuzz)"
#: the same imports under the console script's GC thresholds: how much of the saving of
#: `pipeline.cli.GC_THRESHOLD` lies in the third-party imports rather than in ours
FLOOR_GC = "import floor, GC thresholds of ddi"
ASK = 'ddi ask "warfarin and ibuprofen"'

TEN = (
    "warfarin, ibuprofen, aspirin, simvastatin, clarithromycin, amiodarone, digoxin, "
    "metformin, lisinopril, omeprazole"
)
FLOOR_IMPORTS = (
    "import langgraph.graph, langgraph.runtime, pydantic, rapidfuzz; "
    "from langchain_core.language_models import BaseChatModel"
)


def ddi() -> list[str]:
    return [sys.executable, "-m", "pipeline.cli"]


COMMANDS: dict[str, tuple[list[str], dict]] = {
    "python -c pass": ([sys.executable, "-c", "pass"], {}),
    FLOOR: ([sys.executable, "-c", FLOOR_IMPORTS], {}),
    FLOOR_GC: (
        [sys.executable, "-c", f"import gc; gc.set_threshold(*{GC_THRESHOLD}); {FLOOR_IMPORTS}"],
        {},
    ),
    "ddi --help": (ddi() + ["--help"], {}),
    ASK: (ddi() + ["ask", "warfarin and ibuprofen"], {}),
    "ddi ask <10-drug list> (45 pairs)": (ddi() + ["ask", "--list", TEN], {}),
    'ddi ask "warfarin and ibuprofen", DDI_KB_CACHE=0': (
        ddi() + ["ask", "warfarin and ibuprofen"],
        {"DDI_KB_CACHE": "0"},
    ),
}


def run_once(cmd: list[str], env_extra: dict) -> dict:
    env = {**os.environ, **env_extra}
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} exited {proc.returncode}: {err[-500:]}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
    }


def measure(rounds: int) -> dict:
    # make sure bytecode and the KB load cache exist (what "cold" assumes): an installed
    # wheel has compiled bytecode, but PYTHONDONTWRITEBYTECODE=1 would otherwise make
    # every run recompile the project's modules (~0.2 s) while the floor's are compiled
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "pipeline"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    run_once(ddi() + ["ask", "warfarin and ibuprofen"], {})
    runs: dict[str, list[dict]] = {name: [] for name in COMMANDS}
    for _ in range(rounds):
        for name, (cmd, env) in COMMANDS.items():
            runs[name].append(run_once(cmd, env))
    results = {
        name: {
            "wall_median": statistics.median(r["wall"] for r in rs),
            "wall_min": min(r["wall"] for r in rs),
            "cpu_median": statistics.median(r["cpu"] for r in rs),
            "rss_mb_max": max(r["rss_mb"] for r in rs),
            "runs": rs,
        }
        for name, rs in runs.items()
    }
    return {
        "benchmark": "startup",
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "rounds": rounds,
        "target": TARGET,
        "results": results,
    }


def ratios(summary: dict, name: str = ASK, floor: str = FLOOR) -> tuple[float, float]:
    """(median of the per-round wall ratios to a floor, ratio of the medians)."""
    floor, cmd = summary["results"][floor], summary["results"][name]
    paired = [c["wall"] / f["wall"] for c, f in zip(cmd["runs"], floor["runs"], strict=True)]
    return statistics.median(paired), cmd["wall_median"] / floor["wall_median"]


def table(summary: dict) -> str:
    m = summary["machine"]
    paired, of_medians = ratios(summary)
    strict, _ = ratios(summary, ASK, FLOOR_GC)
    verdict = "met" if paired <= summary["target"] else "**not met**"
    lines = [
        f"{summary['rounds']} interleaved rounds, {summary['date']}, Python {m['python']} on "
        f"{m['cores']} cores ({m['cpu']}), load average {m['load_avg_1m']:.1f} at the end.",
        "",
        row("command", "wall median s", "wall min s", "CPU median s", "peak RSS MB", "x floor"),
        row(*["---"] * 6),
    ]
    for name, r in summary["results"].items():
        lines.append(
            row(
                f"`{name}`",
                f"{r['wall_median']:.2f}",
                f"{r['wall_min']:.2f}",
                f"{r['cpu_median']:.2f}",
                f"{r['rss_mb_max']:.0f}",
                f"{ratios(summary, name)[0]:.2f}",
            )
        )
    lines += [
        "",
        f"`{ASK}`: **{paired:.2f}x** the import floor (median of the per-round ratios; "
        f"{of_medians:.2f}x as a ratio of medians); target {summary['target']:.2f}x: "
        f"{verdict}. Against the floor under the same GC thresholds: {strict:.2f}x.",
    ]
    return "\n".join(lines)


def load() -> dict:
    return json.loads(SUMMARY.read_text(encoding="utf-8"))


def render(doc: str, summary: dict) -> str:
    return replace_block(doc, BEGIN, END, table(summary))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="interleaved rounds")
    parser.add_argument("--json", action="store_true", help="also print the summary")
    parser.add_argument("--render", action="store_true", help="only rewrite the table")
    args = parser.parse_args(argv)
    if not args.render:
        summary = measure(args.runs)
        store_summary(SUMMARY, summary)
    summary = load()
    publish(DOC, BEGIN, END, table(summary))
    if args.json:
        print(json.dumps(summary, indent=1))
    print(table(summary))
    return 0 if ratios(summary)[0] <= summary["target"] else 1


if __name__ == "__main__":
    sys.exit(main())
