"""`ddi ask`: answer an interaction question through the cascade.

    ddi ask "Can I take Coumadin with Advil?"
    ddi ask --list "warfarin, ibuprofen" --json
    ddi ask "warfarin and aspirin" --model prober=sim:noisy --policy k_of_n --k 2

Exit codes: 0 answered (any verdict), 2 bad option, 3 no drugs found / empty question.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from pipeline.cli import EXIT_BAD_INPUT, EXIT_OK, UsageError

REFERENCE_LABEL = "reference-kb (deterministic reference model, not an LLM)"
_LIST_SPLIT = re.compile(r"\s*(?:[,;\n]|\s\+\s|\band\b|\bwith\b|&)\s*", re.IGNORECASE)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query",
        nargs="+",
        help='a question ("Can I take Coumadin with Advil?") or a list ("warfarin, ibuprofen")',
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="treat the input as a list of drug names (comma separated, or several arguments)",
    )
    parser.add_argument("--json", action="store_true", help="print the Report as JSON")
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="ROLE=SPEC",
        help="model for a role (extractor, prober, evaluator), e.g. prober=sim:noisy or "
        "evaluator=openai:gpt-4o-mini; default: the reference model",
    )
    parser.add_argument("--policy", choices=("recall", "majority", "k_of_n"), default="recall")
    parser.add_argument("--k", type=int, default=2, help="yes votes needed with k_of_n (2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=16, help="model calls in flight (16)")
    parser.add_argument(
        "--budget", type=int, default=None, metavar="N", help="probe budget per query (600)"
    )
    parser.add_argument("--trace", action="store_true", help="show every probe")
    parser.add_argument(
        "--probe-listed",
        action="store_true",
        help="also probe pairs an evidence source lists (to compare models)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show the planned probe count; call no model"
    )


def looks_like_list(text: str) -> bool:
    """A comma/semicolon separated list of short names (no question)."""
    if "?" in text or not re.search(r"[,;\n]", text):
        return False
    parts = [p for p in _LIST_SPLIT.split(text) if p.strip()]
    return len(parts) >= 2 and all(1 <= len(p.split()) <= 4 for p in parts)


def split_list(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        out.extend(p.strip() for p in _LIST_SPLIT.split(item) if p.strip())
    return out


def _parse_models(specs: list[str]) -> dict[str, str]:
    models: dict[str, str] = {}
    for spec in specs:
        role, sep, value = spec.partition("=")
        role, value = role.strip(), value.strip()
        if not sep or not role or not value:
            raise UsageError(f"--model expects ROLE=SPEC, got {spec!r}")
        if role not in ("extractor", "prober", "evaluator"):
            raise UsageError(f"--model: unknown role {role!r} (extractor, prober, evaluator)")
        models[role] = value
    return models


def build_options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {
        "models": _parse_models(args.model),
        "policy": args.policy,
        "k": args.k,
        "seed": args.seed,
        "concurrency": args.concurrency,
        "trace": bool(args.trace),
        "probe_listed": bool(args.probe_listed),
    }
    if args.budget is not None:
        options["budget"] = {"calls_per_query": args.budget}
    return options


def query_from_args(args: argparse.Namespace) -> str | list[str]:
    if args.list:
        return split_list(args.query)
    text = " ".join(args.query).strip()
    if looks_like_list(text):
        return split_list([text])
    return text


def _model_label(name: str) -> str:
    return REFERENCE_LABEL if name == "reference-kb" else name


def render_table(report) -> str:
    from pipeline._answer import did_you_mean

    lines: list[str] = []
    q = report.query if isinstance(report.query, str) else ", ".join(report.query)
    lines.append(f"Query:   {q}")
    lines.append(f"Verdict: {report.verdict.upper().replace('_', ' ')}")
    lines.append("")
    if report.drugs:
        lines.append("Drugs")
        lines.append(f"  {'mention':<22} {'canonical':<22} {'match':<14} {'score':>5}  probed as")
        for d in report.drugs:
            mention = " / ".join(d.mentions) if d.mentions else d.mention
            lines.append(
                f"  {mention[:22]:<22} {d.canonical[:22]:<22} {d.match_kind:<14} "
                f"{d.score:>5.0f}  {', '.join(d.synonyms_used[:5])}"
            )
    if report.unresolved:
        lines.append("Unresolved names")
        for u in report.unresolved:
            lines.append(f"  {u.mention}: {u.reason}{did_you_mean(u.suggestions)}")
    if report.pairs:
        lines.append("")
        lines.append("Pairs")
        lines.append(
            f"  {'pair':<36} {'verdict':<12} {'severity':<16} {'votes y/n/?':<12} confidence"
        )
        for p in report.pairs:
            v = p.votes
            pair = f"{p.drug_a} + {p.drug_b}"
            lines.append(
                f"  {pair[:36]:<36} {p.verdict:<12} {p.severity:<16} "
                f"{f'{v.yes}/{v.no}/{v.unknown}':<12} {p.confidence:.2f}"
            )
    lines.append("")
    passed = sum(e.passed for e in report.evaluations)
    lines.append(f"Evaluators: {passed}/{len(report.evaluations)} signed off")
    for e in report.evaluations:
        mark = "ok  " if e.passed else "FAIL"
        lines.append(f"  {mark} {e.name:<26} {e.reason[:90]}")
    if report.review_reasons:
        lines.append("")
        lines.append("Review reasons")
        for r in report.review_reasons:
            lines.append(f"  - {r}")
    lines.append("")
    lines.append("Answer")
    for line in report.answer.splitlines():
        lines.append(f"  {line}")
    lines.append("")
    lines.append("Models")
    for role, name in report.models.items():
        lines.append(f"  {role:<10} {_model_label(name)}")
    usage = ", ".join(
        f"{role} {u.calls} calls ({u.failed_calls} failed)"
        for role, u in report.usage.by_role.items()
    )
    lines.append(f"Usage: {usage or 'no model calls'}; policy {report.policy}, seed {report.seed}")
    if report.trace:
        lines.append("")
        lines.append("Trace")
        for t in report.trace:
            answer = t.verdict.interacts if t.verdict is not None else f"error: {t.error}"
            lines.append(
                f"  r{t.round} {t.template:<9} {t.name_a} + {t.name_b} -> {answer} "
                f"[{t.model} {t.prompt_hash}]"
            )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from pipeline._answer import did_you_mean
    from pipeline.context import OptionError

    query = query_from_args(args)
    if (isinstance(query, str) and not query.strip()) or (isinstance(query, list) and not query):
        print("ddi ask: the question is empty", file=sys.stderr)
        return EXIT_BAD_INPUT
    from pipeline.context import InputTooLongError, check_query_size

    try:
        check_query_size(query)
    except InputTooLongError as exc:
        print(f"ddi ask: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    options = build_options(args)
    try:
        if args.dry_run:
            from pipeline.api import plan_probes

            plan = plan_probes(query, **options)
        else:
            from pipeline.api import ask

            report = ask(query, **options)
    except OptionError as exc:
        raise UsageError(str(exc)) from None

    if args.dry_run:
        if args.json:
            import json

            print(json.dumps(plan, indent=2, ensure_ascii=False))
        else:
            print(f"drugs: {', '.join(plan['drugs']) or 'none'}")
            if plan["unresolved"]:
                print(f"unresolved: {', '.join(plan['unresolved'])}")
            print(
                f"pairs: {plan['pairs']} ({plan['pairs_listed']} decided by evidence, not probed)"
            )
            print(
                f"planned probes: {plan['planned_probes']} at most "
                f"(first wave {plan['first_wave']}; budget {plan['budget']})"
            )
        return EXIT_BAD_INPUT if not plan["drugs"] else EXIT_OK

    if args.json:
        print(report.model_dump_json(indent=2))
    elif report.drugs:
        print(render_table(report))
    if not report.drugs:
        if not args.json:
            print("No drugs found in the question.")
            for u in report.unresolved:
                print(f"  not recognised: {u.mention}{did_you_mean(u.suggestions)}")
        print("ddi ask: no drugs found in the question", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK
