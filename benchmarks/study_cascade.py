"""The cascade study: publish its summary and its EVALS.md block ("The cascade study").

    python benchmarks/study_cascade.py            # runs the study (~3 min on 2 cores),
                                                  # writes benchmarks/results/study_cascade.json,
                                                  # the block of EVALS.md between
                                                  # <!-- study:begin --> and <!-- study:end -->
                                                  # and docs/study_cascade.png
    python benchmarks/study_cascade.py --render   # only rewrite the block from the summary
    python benchmarks/study_cascade.py --limit 170 --repeat 3 --out runs/study-big --no-publish

Same study as ``ddi eval --study cascade``. Resumable: rerunning with the same --out reuses
every finished (arm, rho, sample, repeat); use a fresh --out (the default is a new
temporary directory) after changing pipeline code, since code is not part of the config
hash. `tests/evals/test_published_tables.py` fails when the block and the summary disagree.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = ROOT / "benchmarks" / "results" / "study_cascade.json"
DOC = ROOT / "EVALS.md"
PLOT = ROOT / "docs" / "study_cascade.png"


def load() -> dict:
    return json.loads(SUMMARY.read_text(encoding="utf-8"))


def render(doc: str, summary: dict) -> str:
    from pipeline.evals._study import render_doc

    return render_doc(doc, summary)


def main(argv: list[str] | None = None) -> int:
    from pipeline.evals._study import ARMS, parse_rhos, published, run_study

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", action="store_true", help="only rewrite the EVALS.md block")
    parser.add_argument("--out", default=None, help="run directory (default: a temporary one)")
    parser.add_argument("--suite", default="pairs")
    parser.add_argument("--limit", type=int, default=None, help="samples (default 60)")
    parser.add_argument("--repeat", type=int, default=None, help="repeats (default 2)")
    parser.add_argument("--rho", default=None, help="RHO,RHO,.. (default 0,0.25,0.5,0.75,1)")
    parser.add_argument("--arms", default=",".join(ARMS), help="comma-separated arms")
    parser.add_argument("--workers", type=int, default=None, help="processes (default 2)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--no-publish", action="store_true", help="leave the summary, EVALS.md and the plot"
    )
    args = parser.parse_args(argv)
    if not args.render:
        arms = [a for a in args.arms.split(",") if a]
        unknown = [a for a in arms if a not in ARMS]
        if unknown:
            parser.error(f"unknown arm {unknown[0]!r} (arms: {', '.join(ARMS)})")
        out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="study-cascade-"))
        kwargs = {} if args.repeat is None else {"repeat": args.repeat}
        result = run_study(
            out=out,
            suite=args.suite,
            limit=args.limit,
            rhos=parse_rhos(args.rho) if args.rho else None,
            arms=arms,
            workers=args.workers,
            concurrency=args.concurrency,
            **kwargs,
        )
        print(result["table_md"])
        print(f"\nrun directory: {out}", file=sys.stderr)
        if args.no_publish:
            return 0
        SUMMARY.parent.mkdir(parents=True, exist_ok=True)
        SUMMARY.write_text(json.dumps(published(result), indent=1) + "\n", encoding="utf-8")
        if result["plot"]:
            PLOT.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(result["plot"], PLOT)
    DOC.write_text(render(DOC.read_text(encoding="utf-8"), load()), encoding="utf-8")
    print(f"wrote {SUMMARY.relative_to(ROOT)} and the study block of {DOC.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
