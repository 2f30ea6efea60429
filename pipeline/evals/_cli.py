"""`ddi eval`: run a regression eval suite, or the cascade-versus-single-prompt study.

    ddi eval --suite smoke                              # reference model, runs/smoke-<time>/
    ddi eval --suite pairs --model prober=sim:noisy?miss=0.3&seed=1 --repeat 3
    ddi eval --suite pairs --out runs/new --baseline runs/base/summary.json
    ddi eval --study cascade --out runs/study           # see EVALS.md

Exit codes: 0 ok; 1 the baseline check found a significant recall drop; 2 bad options,
or the --out folder is in use by another run (its ``.lock`` is held) or unsafe to write.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pipeline.cli import EXIT_FAILED_CHECK, EXIT_OK, UsageError
from pipeline.context import OptionError
from pipeline.evals._baseline import format_diff
from pipeline.evals._journal import JournalError
from pipeline.evals._report import fmt_pct, fmt_rate_ci
from pipeline.evals._run import OutDirError, run_suite
from pipeline.evals._study import DEFAULT_REPEAT, parse_rhos, run_study
from pipeline.evals._suites import SUITES, SuiteError

ROLES = ("extractor", "prober", "evaluator")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "Writes results.jsonl (resumable journal), summary.json, config.json, report.md\n"
        "(and report.html + plots/ with matplotlib) into --out. Rerunning the same command\n"
        "with the same --out resumes and never redoes finished work."
    )
    parser.add_argument(
        "--suite", choices=sorted(SUITES), help="eval suite to run (with --study: its samples)"
    )
    parser.add_argument(
        "--study", choices=["cascade"], help="run the cascade-versus-single-prompt study"
    )
    parser.add_argument("--list", action="store_true", help="list the suites and exit")
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="ROLE=SPEC",
        help="model for a role (extractor, prober, evaluator), e.g. prober=sim:noisy?miss=0.3; "
        "a bare SPEC sets every role (default: the reference model)",
    )
    parser.add_argument("--policy", choices=["recall", "majority", "k_of_n"], default=None)
    parser.add_argument("--k", type=int, default=None, help="yes votes needed under k_of_n")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other cascade option (JSON value), e.g. synonyms_per_drug=1, "
        'budget={"calls_per_pair":4}, templates=direct,clinician, revision_rounds=0',
    )
    parser.add_argument("--seed", type=int, default=0, help="base seed; repeat r uses seed + r")
    parser.add_argument(
        "--repeat", type=int, default=None, metavar="N", help="repeats per sample (1; study 2)"
    )
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="first N samples")
    parser.add_argument("--out", default=None, metavar="DIR", help="default runs/<suite>-<time>")
    parser.add_argument(
        "--baseline", default=None, metavar="FILE", help="summary.json (or run dir) to compare"
    )
    parser.add_argument("--alpha", type=float, default=0.05, help="significance level (0.05)")
    parser.add_argument(
        "--min-effect",
        type=float,
        default=0.02,
        help="smallest recall drop (absolute) that fails the baseline check (0.02)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=4, metavar="N", help="queries in flight (4)"
    )
    parser.add_argument(
        "--prices",
        default=None,
        metavar="FILE",
        help='JSON {"model": {"input": $/1M, "output": $/1M}}',
    )
    parser.add_argument("--cache", default=None, metavar="PATH", help="shared ResponseCache file")
    parser.add_argument("--no-cache", action="store_true", help="no response cache")
    parser.add_argument("--retry-errors", action="store_true", help="redo runs that errored")
    parser.add_argument("--ignore-gate", action="store_true", help="score without evaluator veto")
    parser.add_argument("--data-dir", default=None, metavar="DIR", help="gold data (data/evals)")
    parser.add_argument("--no-report", action="store_true", help="skip report.md/html")
    parser.add_argument("--dry-run", action="store_true", help="show the plan, call no model")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.add_argument("--json", action="store_true", help="print the summary headline as JSON")
    parser.add_argument(
        "--rho",
        default=None,
        metavar="RHO,..",
        help="study: correlations between probes of a pair (default 0,0.25,0.5,0.75,1)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, metavar="N", help="study: processes (2)"
    )
    parser.add_argument("--doc", default=None, metavar="FILE", help="study: also write this plot")


def _usage_error(message: str) -> Exception:

    return UsageError(message)


def parse_models(items: list[str]) -> dict[str, str]:
    models: dict[str, str] = {}
    for item in items:
        head, sep, tail = item.partition("=")
        if sep and head.strip() in ROLES:
            if not tail.strip():
                raise _usage_error(f"--model {item!r}: empty model spec")
            models[head.strip()] = tail.strip()
        elif sep and head.strip().isidentifier() and ":" not in head:
            raise _usage_error(
                f"--model {item!r}: unknown role {head.strip()!r} (roles: {', '.join(ROLES)})"
            )
        else:
            for role in ROLES:
                models[role] = item.strip()
    return models


def parse_sets(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise _usage_error(f"--set {item!r}: expected KEY=VALUE")
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = value
        if key.strip() in ("templates", "sources") and isinstance(parsed, str):
            parsed = tuple(t.strip() for t in parsed.split(",") if t.strip())
        elif isinstance(parsed, list):
            parsed = tuple(parsed)
        out[key.strip()] = parsed
    return out


def build_options(args: argparse.Namespace) -> dict[str, Any]:
    options = parse_sets(args.set)
    for forbidden in ("models", "cache", "seed", "policy", "k"):
        if forbidden in options:
            raise _usage_error(f"--set {forbidden}=...: use --{forbidden.replace('_', '-')}")
    if args.policy:
        options["policy"] = args.policy
    if args.k is not None:
        options["k"] = args.k
    options["seed"] = args.seed
    return options


def _print_summary(outcome, stream=None) -> None:
    stream = stream or sys.stdout  # looked up per call: sys.stdout may be replaced (capture)

    s = outcome.summary
    pm, qm, um = s["pairs"], s["queries"], s["usage"]
    head = f"suite {s['suite']} ({s['samples_n']} samples x {s['repeats']})"
    print(f"{head}, config {s['config_hash']}", file=stream)
    print(f"  pair recall      {fmt_rate_ci(pm['recall'])}", file=stream)
    print(f"  pair specificity {fmt_rate_ci(pm['specificity'])}", file=stream)
    f2 = "n/a" if pm["f2"] is None else f"{pm['f2']:.3f}"
    print(f"  pair precision   {fmt_rate_ci(pm['precision'])}   F2 {f2}", file=stream)
    print(f"  pair abstention  {fmt_rate_ci(pm['abstention'])}", file=stream)
    q_abst = fmt_pct(qm["abstention"]["value"])
    print(f"  query accuracy   {fmt_rate_ci(qm['accuracy'])}, abstention {q_abst}", file=stream)
    cpq = um["calls_per_query"]["mean"]
    cpq_text = "n/a" if cpq is None else f"{cpq:.1f}"
    print(
        f"  calls per query  {cpq_text}; this run: "
        f"{s['run']['new_rows']} new, {s['run']['reused_rows']} reused, "
        f"{s['run']['model_calls_this_run']} model calls",
        file=stream,
    )
    if s.get("errors"):
        print(f"  errors           {s['errors']} failed queries (see report.md)", file=stream)
    damaged = s["run"].get("journal_damaged_lines")
    if damaged:
        print(f"  journal          {damaged} damaged line(s) skipped, runs redone", file=stream)
    cache_error = (s["run"].get("cache") or {}).get("error")
    if cache_error:
        print(f"  cache            not used ({cache_error})", file=stream)
    print(f"  written to       {outcome.out_dir}", file=stream)
    if outcome.report.get("note"):
        print(f"  note: {outcome.report['note']}", file=stream)


def run(args: argparse.Namespace) -> int:

    if args.list:
        for s in SUITES.values():
            print(f"{s.name:10s} {s.dataset:18s} {s.version or '-':8s} {s.description}")
        return EXIT_OK
    args.repeat_given = args.repeat is not None
    if args.repeat is None:
        args.repeat = 1
    if not args.suite and not args.study:
        raise _usage_error("one of --suite NAME, --study cascade or --list is required")
    for name in ("repeat", "concurrency"):
        if getattr(args, name) < 1:
            raise _usage_error(f"--{name} must be >= 1")
    if args.limit is not None and args.limit < 1:
        raise _usage_error("--limit must be >= 1")
    if not 0 < args.alpha < 1:
        raise _usage_error("--alpha must be between 0 and 1")
    if args.study:
        return _run_study(args)

    models = parse_models(args.model)
    options = build_options(args)
    prices = None
    if args.prices:
        try:
            prices = json.loads(Path(args.prices).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise _usage_error(f"--prices {args.prices}: {exc}") from None
    if args.baseline and not Path(args.baseline).exists():
        raise _usage_error(f"--baseline {args.baseline}: no such file")
    cache: Any = True
    if args.no_cache:
        cache = None
    elif args.cache:
        cache = args.cache
    try:
        outcome = run_suite(
            args.suite,
            out=args.out,
            models=models,
            options=options,
            repeat=args.repeat,
            limit=args.limit,
            concurrency=args.concurrency,
            baseline=args.baseline,
            prices=prices,
            data_dir=Path(args.data_dir) if args.data_dir else None,
            dry_run=args.dry_run,
            cache=cache,
            report=not args.no_report,
            progress=not args.quiet,
            retry_errors=args.retry_errors,
            ignore_gate=args.ignore_gate,
            alpha=args.alpha,
            min_effect=args.min_effect,
            log=lambda msg: print(msg, file=sys.stderr),
        )
    except (OptionError, SuiteError, OutDirError, JournalError) as exc:
        raise _usage_error(str(exc).splitlines()[0]) from None
    except ValueError as exc:  # ModelSpecError and friends
        if type(exc).__name__ in {"ModelSpecError"}:
            raise _usage_error(str(exc).splitlines()[0]) from None
        raise
    if outcome.dry_run:
        return EXIT_OK
    if args.json:
        s = outcome.summary
        print(
            json.dumps(
                {
                    "out": str(outcome.out_dir),
                    "config_hash": s["config_hash"],
                    "recall": s["pairs"]["recall"],
                    "specificity": s["pairs"]["specificity"],
                    "abstention": s["pairs"]["abstention"],
                    "query_accuracy": s["queries"]["accuracy"],
                    "calls_per_query": s["usage"]["calls_per_query"]["mean"],
                    "baseline": None
                    if outcome.baseline is None
                    else {k: v for k, v in outcome.baseline.items() if k != "changed"},
                },
                indent=2,
            )
        )
    else:
        _print_summary(outcome)
    if outcome.baseline is not None:
        print(outcome.baseline["headline"], file=sys.stderr)
        print(format_diff(outcome.baseline.get("changed", []), limit=20), file=sys.stderr)
        if outcome.regression:
            return EXIT_FAILED_CHECK
    return EXIT_OK


def _run_study(args: argparse.Namespace) -> int:

    rhos = parse_rhos(args.rho) if args.rho else None
    if args.workers is not None and args.workers < 1:
        raise _usage_error("--workers must be >= 1")
    out = Path(args.out) if args.out else Path("runs") / "study-cascade"
    result = run_study(
        out=out,
        suite=args.suite or "pairs",
        limit=args.limit,
        repeat=args.repeat if args.repeat_given else DEFAULT_REPEAT,
        rhos=rhos,
        workers=args.workers,
        concurrency=args.concurrency,
        data_dir=Path(args.data_dir) if args.data_dir else None,
        progress=not args.quiet,
        doc_plot=Path(args.doc) if args.doc else None,
    )
    print(result["table_md"])
    print(f"written to {out}", file=sys.stderr)
    return EXIT_OK
