"""Attack table (issue 16): disguised text, look-alikes, caller-chosen endpoints,
unbounded options and oversized input -> outcome counts.

    python benchmarks/attacks.py          # runs the attacks, writes
                                          # benchmarks/results/attacks.json and the
                                          # attack table of RELIABILITY.md

A "silent negative" is a `no_known_interaction` answer for a question that names an
interacting pair (disguised or not). Each attack must have zero; endpoint and option
attacks must be refused with a one-line error that echoes no secret.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from pipeline import ask
from pipeline.context import InputTooLongError, OptionError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import replace_block  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = ROOT / "benchmarks" / "results" / "attacks.json"
DOC = ROOT / "RELIABILITY.md"
BEGIN, END = "<!-- attacks:begin -->", "<!-- attacks:end -->"

#: interacting pairs (ANSM-listed) written next to a non-interacting third drug
PAIRS = (
    ("warfarin", "aspirin"),
    ("simvastatin", "clarithromycin"),
    ("lithium", "ibuprofen"),
    ("carbamazepine", "erythromycin"),
    ("sildenafil", "nitroglycerin"),
    ("tramadol", "sertraline"),
)
DISGUISES = {
    "dotless ı (U+0131)": lambda w: w.replace("i", "\u0131", 1),
    "Latin ɑ (U+0251)": lambda w: w.replace("a", "\u0251", 1),
    "U+FE0F inside": lambda w: w[:3] + "\ufe0f" + w[3:],
    "U+034F inside": lambda w: w[:3] + "\u034f" + w[3:],
    "U+2800 inside": lambda w: w[:3] + "\u2800" + w[3:],
    "U+180B inside": lambda w: w[:3] + "\u180b" + w[3:],
    "U+0301 inside": lambda w: w[:3] + "\u0301" + w[3:],
    "Cyrillic е/а for e/a": lambda w: w.replace("e", "\u0435", 1).replace("a", "\u0430", 1),
    "fullwidth letters": lambda w: "".join(chr(ord(c) + 0xFEE0) for c in w),
}
SPECS = (
    "openai:gpt-4o-mini?base_url=http://attacker.example/v1",
    "openai:gpt-4o-mini?api_key=sk-LEAK",
    "openai:gpt-4o-mini?default_headers=x",
    "anthropic:claude-3?anthropic_api_url=http://attacker.example",
    "ollama:llama3.1?base_url=http://attacker.example:11434",
)
OPTIONS = (
    {"retries": 10**9},
    {"timeout": 1e12},
    {"timeout": float("nan")},
    {"max_drugs": 10**9},
    {"budget": 10**9},
    {"concurrency": 10**6},
)


def _disguise_rows() -> list[dict]:
    for a, b in PAIRS:  # the attack is only meaningful on pairs that interact undisguised
        assert ask(f"Can I take {a} with {b} and amoxicillin?").verdict == "interaction", (a, b)
    rows = []
    for name, fn in DISGUISES.items():
        for mode in ("text", "list"):
            runs = silent = flagged = 0
            for a, b in PAIRS:
                for target in (0, 1):
                    words = [a, b]
                    words[target] = fn(words[target])
                    query = (
                        f"Can I take {words[0]} with {words[1]} and amoxicillin?"
                        if mode == "text"
                        else [words[0], words[1], "amoxicillin"]
                    )
                    report = ask(query)
                    runs += 1
                    silent += report.verdict == "no_known_interaction"
                    flagged += report.verdict == "needs_review" or bool(report.review_reasons)
            rows.append(
                {
                    "attack": f"{name} ({mode})",
                    "runs": runs,
                    "silent_negatives": silent,
                    "outcome": f"{flagged}/{runs} kept in review or flagged; "
                    f"{silent} silent negatives",
                }
            )
    return rows


def _refusal_rows() -> list[dict]:
    rows = []
    leaks = refused = 0
    for spec in SPECS:
        try:
            ask("warfarin and aspirin", models={"prober": spec})
        except OptionError as exc:
            refused += 1
            leaks += bool(re.search(r"attacker|sk-LEAK", str(exc)))
    rows.append(
        {
            "attack": "model spec sets endpoint / key / headers",
            "runs": len(SPECS),
            "silent_negatives": 0,
            "outcome": f"{refused}/{len(SPECS)} refused (OptionError); {leaks} echoed a secret",
        }
    )
    refused = 0
    for options in OPTIONS:
        try:
            ask("warfarin and aspirin", **options)
        except OptionError:
            refused += 1
    rows.append(
        {
            "attack": "unbounded options (retries, timeout, NaN, max_drugs, budget, ...)",
            "runs": len(OPTIONS),
            "silent_negatives": 0,
            "outcome": f"{refused}/{len(OPTIONS)} refused (OptionError)",
        }
    )
    started = time.perf_counter()
    try:
        ask("warfarin and aspirin " * 60_000)
        outcome = "accepted"
    except InputTooLongError:
        outcome = "refused up front (InputTooLongError)"
    rows.append(
        {
            "attack": "1.2 MB pasted text",
            "runs": 1,
            "silent_negatives": 0,
            "outcome": f"{outcome} in {time.perf_counter() - started:.2f} s",
        }
    )
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| attack | runs | silent negatives | outcome |", "|---|---:|---:|---|"]
    lines += [
        f"| {r['attack']} | {r['runs']} | **{r['silent_negatives']}** | {r['outcome']} |"
        for r in rows
    ]
    return "\n".join(lines)


def render(doc: str, rows: list[dict]) -> str:
    return replace_block(doc, BEGIN, END, table(rows))


def main() -> int:
    rows = _disguise_rows() + _refusal_rows()
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text(json.dumps({"rows": rows}, indent=1, ensure_ascii=False) + "\n")
    DOC.write_text(render(DOC.read_text(encoding="utf-8"), rows), encoding="utf-8")
    print(table(rows))
    return 1 if any(r["silent_negatives"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
