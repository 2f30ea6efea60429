"""Calibration of the vote policy and the probe templates: summary and EVALS.md block.

    python benchmarks/calibration.py            # runs the grid (~10 min on 2 cores), writes
                                                # benchmarks/results/calibration.json, the
                                                # block of EVALS.md between
                                                # <!-- calibration:begin --> and
                                                # <!-- calibration:end --> and
                                                # docs/calibration.png
    python benchmarks/calibration.py --render   # only rewrite the block from the summary
    python benchmarks/calibration.py --out runs/calibration   # resumable run directory

Method and choice rule: `pipeline.evals._calibration`. The default policy and template
set of `pipeline.context.Context` must be the ones the committed summary adopts:
`tests/evals/test_published_tables.py` fails otherwise, and when the block and the
summary disagree.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from _common import ROOT, replace_block

from pipeline.evals._calibration import BEGIN, END, render_markdown, run_calibration
from pipeline.evals._study import parse_rhos

SUMMARY = ROOT / "benchmarks" / "results" / "calibration.json"
DOC = ROOT / "EVALS.md"
PLOT = ROOT / "docs" / "calibration.png"


def load() -> dict:
    return json.loads(SUMMARY.read_text(encoding="utf-8"))


def render(doc: str, summary: dict) -> str:
    return replace_block(doc, BEGIN, END, render_markdown(summary))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", action="store_true", help="only rewrite the EVALS.md block")
    parser.add_argument("--out", default=None, help="run directory (default: a temporary one)")
    parser.add_argument("--limit", type=int, default=None, help="samples of `pairs` (default 90)")
    parser.add_argument("--rho", default=None, help="RHO,RHO,.. (default 0,0.5,1)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default 2)")
    args = parser.parse_args(argv)
    if not args.render:
        out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="calibration-"))
        summary = run_calibration(
            out=out,
            limit=args.limit,
            rhos=parse_rhos(args.rho) if args.rho else None,
            workers=args.workers,
            doc_plot=PLOT,
        )
        SUMMARY.parent.mkdir(parents=True, exist_ok=True)
        SUMMARY.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
        print(f"run directory: {out}", file=sys.stderr)
    DOC.write_text(render(DOC.read_text(encoding="utf-8"), load()), encoding="utf-8")
    print(f"wrote {SUMMARY.relative_to(ROOT)} and the calibration block of {DOC.name}",
          file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
