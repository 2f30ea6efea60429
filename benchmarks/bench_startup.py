"""Start-up: `ddi ask` in fresh processes (wall time, CPU time, peak RSS), with floors.

    python benchmarks/bench_startup.py            # 5 runs of each command
    python benchmarks/bench_startup.py --runs 3 --json

Each command runs in a new process (`subprocess.Popen` + `os.wait4` for the child's own
peak RSS and CPU time). "Cold" here means a fresh process: Python bytecode caches and the
KB load cache (`data/kb/.cache/`, see `pipeline.kb`) exist, as they do after the first run
or after `python -m tools.kb.build`. Also measured in the same run, as floors: a bare
`python -c pass`, the import of the third-party stack the cascade cannot avoid
(`langgraph.graph`, langchain-core's `BaseChatModel`, `pydantic`, `rapidfuzz`), and the
first query with the load cache disabled (`DDI_KB_CACHE=0`: gzip JSON as before).
Medians are reported; the machine's load average is recorded because other work on a
2-core machine inflates every number (compare the ratios to the floors).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, emit, row  # noqa: E402

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
    "import floor (langgraph, langchain-core, pydantic, rapidfuzz)": (
        [sys.executable, "-c", FLOOR_IMPORTS],
        {},
    ),
    "ddi --help": (ddi() + ["--help"], {}),
    'ddi ask "warfarin and ibuprofen"': (ddi() + ["ask", "warfarin and ibuprofen"], {}),
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
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
    results = {}
    for name, (cmd, env) in COMMANDS.items():
        runs = []
        for _ in range(args.runs):
            runs.append(run_once(cmd, env))
        results[name] = {
            "wall_median": statistics.median(r["wall"] for r in runs),
            "wall_min": min(r["wall"] for r in runs),
            "cpu_median": statistics.median(r["cpu"] for r in runs),
            "rss_mb_max": max(r["rss_mb"] for r in runs),
            "runs": runs,
        }
    emit("startup", {"runs": args.runs, "results": results}, args.json)
    if not args.json:
        print(row("command", "wall median s", "wall min s", "CPU median s", "peak RSS MB"))
        print(row(*["---"] * 5))
        for name, r in results.items():
            print(
                row(
                    f"`{name}`",
                    f"{r['wall_median']:.2f}",
                    f"{r['wall_min']:.2f}",
                    f"{r['cpu_median']:.2f}",
                    f"{r['rss_mb_max']:.0f}",
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
