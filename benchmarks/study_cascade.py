"""Cascade versus single prompt, under simulated probers (see EVALS.md, "The cascade study").

    python benchmarks/study_cascade.py                      # default: 60 samples of `pairs`
    python benchmarks/study_cascade.py --limit 200 --repeat 3 --out runs/study-big

Same as ``ddi eval --study cascade``; this script also refreshes the plot committed at
docs/study_recall_vs_calls.png (``--doc ''`` to skip). Resumable: rerunning with the same
--out reuses every finished (arm, grid cell, sample, repeat); use a fresh --out after
changing pipeline code, since code changes are not part of the config hash.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    from pipeline.evals.study import ARMS, parse_grid, run_study

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/study-cascade")
    parser.add_argument("--suite", default="pairs")
    parser.add_argument("--limit", type=int, default=None, help="samples (default 60)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--grid", default=None, help="P,P,..:B,B,.. (default 0.1,0.3,0.5:0,0.5)")
    parser.add_argument("--arms", default=",".join(ARMS), help="comma-separated arms")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--doc", default=str(ROOT / "docs" / "study_recall_vs_calls.png"))
    args = parser.parse_args(argv)
    arms = [a for a in args.arms.split(",") if a]
    unknown = [a for a in arms if a not in ARMS]
    if unknown:
        parser.error(f"unknown arm {unknown[0]!r} (arms: {', '.join(ARMS)})")
    started = time.perf_counter()
    result = run_study(
        out=Path(args.out),
        suite=args.suite,
        limit=args.limit,
        repeat=args.repeat,
        grid=parse_grid(args.grid) if args.grid else None,
        concurrency=args.concurrency,
        doc_plot=Path(args.doc) if args.doc else None,
        arms=arms,
    )
    meta = result["meta"]
    print(
        f"{meta['samples']} samples of {meta['suite']} ({meta['positive_pairs']} positive, "
        f"{meta['negative_pairs']} negative pairs), {meta['repeat']} repeat(s), "
        f"false-alarm rate {meta['false_alarm_rate']}; {time.perf_counter() - started:.0f} s\n"
    )
    print(result["table_md"])
    if result["plot"]:
        print(f"\nplot: {result['plot']}" + (f" (copied to {args.doc})" if args.doc else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
