"""Mention-level quality of the name reading on the hand-written texts of
``data/evals/mentions.jsonl`` (written without reading the code or the names table).

    python benchmarks/mentions.py            # score every text, write
                                             # benchmarks/results/mentions.json and the
                                             # table in EVALS.md
    python benchmarks/mentions.py --render   # only rewrite the table from the summary

Per text, `read_query` gives the mentions. A gold ingredient is found when one of the KB
keys its own name reads as (`read_query(name)`) is among the keys read from the text; a key
read from the text is a false mention when it belongs to no gold ingredient. Keys that
share a pharmacology profile (one active moiety under two KB keys) count as one. A made-up
name must come back unresolved; a listed ordinary word must not become a drug; a word is
"silently dropped" when it is a made-up name that is neither resolved nor reported.
`tests/evals/test_published_tables.py` checks that the table and the summary agree.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.evidence._rules_source import PharmacologyRules
from pipeline.kb.text import normalise
from pipeline.names.read import read_query

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import replace_block  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "evals" / "mentions.jsonl"
RESULT = ROOT / "benchmarks" / "results" / "mentions.json"
DOC = ROOT / "EVALS.md"
BEGIN, END = "<!-- mentions:begin -->", "<!-- mentions:end -->"


def _same_moiety() -> dict[str, str]:
    """KB key -> its pharmacology profile's main key: keys that share a profile (salts, INN
    and spelling variants the KB keeps apart, e.g. ethinylestradiol / ethinyl estradiol)
    are one ingredient for scoring."""
    return {key: p.drug for key, p in PharmacologyRules().profiles.items()}


_MOIETY = _same_moiety()


def _keys(reading) -> set[str]:
    keys = {k for m in reading.mentions if m.resolved for k in (m.ingredients or (m.drug.key,))}
    return {_MOIETY.get(k, k) for k in keys}


def _unresolved(reading) -> set[str]:
    return {normalise(m.text) for m in reading.mentions if not m.resolved}


def score_text(rec: dict, gold_keys: dict[str, set[str]]) -> dict:
    reading = read_query(rec["text"])
    found = _keys(reading)
    unresolved = _unresolved(reading)
    wanted = {name: gold_keys[name] for name in rec["ingredients"]}
    hit = [name for name, keys in wanted.items() if keys & found]
    allowed = set().union(*wanted.values()) if wanted else set()
    extra = sorted(found - allowed)
    made_up = [w for w in rec["unresolvable"]]
    reported = [w for w in made_up if normalise(w) in unresolved]
    ordinary_as_drug = [
        w
        for w in rec["not_drugs"]
        if any(normalise(w) == normalise(m.text) for m in reading.mentions if m.resolved)
    ]
    return {
        "id": rec["id"],
        "register": rec["register"],
        "gold": len(wanted),
        "found": len(hit),
        "missed": sorted(set(wanted) - set(hit)),
        "extra": extra,
        "made_up": len(made_up),
        "made_up_reported": len(reported),
        "ordinary_as_drug": ordinary_as_drug,
    }


def run() -> dict:
    records = [
        json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    names = sorted({n for r in records for n in r["ingredients"]})
    gold_keys = {}
    for name in names:
        keys = _keys(read_query(name))
        gold_keys[name] = keys or {"<unread:" + name + ">"}
    rows = [score_text(r, gold_keys) for r in records]
    by_register: dict[str, dict] = {}
    for reg in sorted({r["register"] for r in rows}) + ["all"]:
        sel = [r for r in rows if reg in ("all", r["register"])]
        gold = sum(r["gold"] for r in sel)
        found = sum(r["found"] for r in sel)
        extra = sum(len(r["extra"]) for r in sel)
        made_up = sum(r["made_up"] for r in sel)
        reported = sum(r["made_up_reported"] for r in sel)
        by_register[reg] = {
            "texts": len(sel),
            "gold_mentions": gold,
            "recall": found / gold if gold else None,
            "precision": found / (found + extra) if found + extra else None,
            "made_up": made_up,
            "made_up_dropped": made_up - reported,
            "ordinary_words_as_drugs": sum(len(r["ordinary_as_drug"]) for r in sel),
        }
    unread = sorted(n for n, k in gold_keys.items() if any(x.startswith("<unread:") for x in k))
    return {
        "dataset": DATA.name,
        "by_register": by_register,
        "gold_names_not_read": unread,
        "rows": rows,
    }


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def table(summary: dict) -> str:
    lines = [
        "| register | texts | gold mentions | mention recall | mention precision "
        "| made-up names silently dropped | ordinary words read as drugs |",
        "|---|---:|---:|---|---|---:|---:|",
    ]
    for reg, s in summary["by_register"].items():
        lines.append(
            f"| {reg} | {s['texts']} | {s['gold_mentions']} | {_pct(s['recall'])} | "
            f"{_pct(s['precision'])} | {s['made_up_dropped']} of {s['made_up']} | "
            f"{s['ordinary_words_as_drugs']} |"
        )
    return "\n".join(lines)


def render(doc: str, summary: dict) -> str:
    return replace_block(doc, BEGIN, END, table(summary))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", action="store_true", help="only rewrite the table")
    args = parser.parse_args(argv)
    if args.render:
        summary = json.loads(RESULT.read_text(encoding="utf-8"))
    else:
        summary = run()
        RESULT.write_text(
            json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    DOC.write_text(render(DOC.read_text(encoding="utf-8"), summary), encoding="utf-8")
    print(table(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
