"""Published reference-model results: run the suites, keep their summaries, write the
EVALS.md table.

    python benchmarks/publish_evals.py            # runs smoke, pairs, perturbed, lists,
                                                  # clinical, dev, holdout (with and without
                                                  # the pharmacology source), labels
                                                  # (~7 min), then writes
                                                  # benchmarks/results/evals/<suite>.json
                                                  # and the table of EVALS.md
    python benchmarks/publish_evals.py --render   # only rewrite the table from the files

`tests/evals/test_published_tables.py` fails when the table and the summaries disagree.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from pipeline.cli import main as ddi

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import replace_block  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "evals"
DOC = ROOT / "EVALS.md"
BEGIN, END = "<!-- published:begin -->", "<!-- published:end -->"
#: published run -> (suite, extra `ddi eval` arguments); the "-without-pharm" runs leave
#: out the pharmacology rules and the ONC list (which reads their profiles), to show what
#: they add
WITHOUT_PHARM = ["--set", "sources=ansm,us-hp"]
RUNS: dict[str, tuple[str, list[str]]] = {
    "smoke": ("smoke", []),
    "pairs": ("pairs", []),
    "perturbed": ("perturbed", []),
    "lists": ("lists", []),
    "clinical": ("clinical", []),
    "clinical-without-pharm": ("clinical", WITHOUT_PHARM),
    "dev": ("dev", []),
    "dev-without-pharm": ("dev", WITHOUT_PHARM),
    "labels": ("labels", []),
    "holdout": ("holdout", []),
    "holdout-without-pharm": ("holdout", WITHOUT_PHARM),
}
SUITES = tuple(RUNS)
KEEP = ("suite", "samples_n", "pairs", "queries", "usage", "dataset_version", "config_hash")


def _pct(m: dict) -> str:
    lo, hi = m["ci95"]
    return f"{m['value']:.1%} [{lo:.1%}–{hi:.1%}] ({m['n']})"


def table(summaries: dict[str, dict]) -> str:
    lines = [
        "| run | samples | pair recall [95% CI] (n) | recall incl. review | silent negatives "
        "| specificity [95% CI] (n) | pair abstention | severity understated | calls per query |",
        "|---|---:|---|---|---:|---|---|---|---:|",
    ]
    for name in SUITES:
        s = summaries.get(name)
        if s is None:
            continue
        p = s["pairs"]
        lines.append(
            f"| {name} | {s['samples_n']} | {_pct(p['recall'])} | "
            f"{p['recall_incl_review']['value']:.1%} | **{p['counts']['fn']}** | "
            f"{_pct(p['specificity'])} | {p['abstention']['value']:.1%} | "
            f"{p['severity_understated']['value']:.1%} of {p['severity_understated']['n']} | "
            f"{s['usage']['calls_per_query']['mean']:.1f} |"
        )
    return "\n".join(lines)


def load() -> dict[str, dict]:
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(RESULTS.glob("*.json"))
    }


def render(doc: str, summaries: dict[str, dict]) -> str:
    return replace_block(doc, BEGIN, END, table(summaries))


def run() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp())
    try:
        for name, (suite, extra) in RUNS.items():
            out = work / name
            ddi(["eval", "--suite", suite, "--out", str(out), "--quiet", "--no-cache", *extra])
            summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
            kept = {k: summary[k] for k in KEEP if k in summary}
            (RESULTS / f"{name}.json").write_text(json.dumps(kept, indent=1) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", action="store_true", help="only rewrite the table")
    args = parser.parse_args(argv)
    if not args.render:
        run()
    summaries = load()
    DOC.write_text(render(DOC.read_text(encoding="utf-8"), summaries), encoding="utf-8")
    print(table(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
