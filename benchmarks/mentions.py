"""Mention-level quality of the name reading on the hand-written texts of
``data/evals/mentions.jsonl`` (written without reading the code or the names table).

    python benchmarks/mentions.py            # score every text, write
                                             # benchmarks/results/mentions.json and the
                                             # table in EVALS.md
    python benchmarks/mentions.py --render   # only rewrite the table from the summary

    python benchmarks/mentions.py --sweep    # also score other common-word thresholds
                                             # (`pipeline.names._words.COMMON_ZIPF`)

Per text, `read_query` gives the mentions. A gold ingredient is found when one of the KB
keys its own name reads as (`read_query(name)`) is among the keys read from the text; a key
read from the text is a false mention when it belongs to no gold ingredient. Same-substance
conventions (documented in `data/evals/mentions.README.md`, "Scoring conventions"):

* keys that share a pharmacology profile (one active moiety under two KB keys) count as one,
  and so do keys made of the same words ("human insulin" / "insulin human");
* a KB key also stands for a gold name that is one of its own KB names, or that name
  followed by a grade number ("clavulanate" is a KB name of clavulanic acid;
  "polyethylene glycol 3350" and "vitamin D3" are grades of the gold's polyethylene
  glycol and vitamin D);
* tobacco: the reader adds the KB's 'tobacco leaf' interactant (smoke induces CYP1A2)
  where the gold, by its own convention, writes nicotine; it is not a false mention
  there;
* a drug class named with no drug (a reviewed `class` entry: "birth control") adds no
  ingredient in the gold, so it is neither found nor a false mention.

A made-up name must come back unresolved; a listed ordinary word must not become a drug,
nor be reported unresolved; a word is "silently dropped" when it is a made-up name that is
neither resolved nor reported. "Other unresolved" counts the words reported unresolved that
are not listed made-up names (noise; it includes real names the KB lacks).
`tests/evals/test_published_tables.py` checks that the table and the summary agree.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from functools import cache
from pathlib import Path

from pipeline import ask
from pipeline.evidence._rules_source import PharmacologyRules
from pipeline.kb import load_kb
from pipeline.kb._text import normalise
from pipeline.names import _words as words
from pipeline.names._products import ENTRIES
from pipeline.names._read import read_query

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import replace_block  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "evals" / "mentions.jsonl"
#: held out: written without reading the code, the names table or DATA's texts; never tuned on
HOLDOUT = ROOT / "data" / "evals" / "mentions_holdout.jsonl"
RESULT = ROOT / "benchmarks" / "results" / "mentions.json"
DOC = ROOT / "EVALS.md"
BEGIN, END = "<!-- mentions:begin -->", "<!-- mentions:end -->"


def _words(key: str) -> str:
    """A key with its words in order: "human insulin" and "insulin human" are one name."""
    return " ".join(sorted(key.split()))


def _same_moiety() -> dict[str, str]:
    """KB key -> its pharmacology profile's main key: keys that share a profile (salts, INN
    and spelling variants the KB keeps apart, e.g. ethinylestradiol / ethinyl estradiol)
    are one ingredient for scoring; so are keys of the same words in another order."""
    out = {_words(key): _words(p.drug) for key, p in PharmacologyRules().profiles.items()}
    return _Canon(out)


class _Canon(dict):
    def get(self, key, default=None):  # type: ignore[override]
        w = _words(key)
        return super().get(w, w)


_MOIETY = _same_moiety()
#: KB keys of the reviewed drug-class entries ("birth control" -> contraceptives, oral)
_CLASS_KEYS = frozenset(k for e in ENTRIES.values() if e.kind == "class" for k in e.ingredients)
#: gold name -> KB keys that also stand for it (see the module doc)
_ALSO = {"nicotine": {"tobacco leaf"}}


_GRADE = re.compile(r" ?\d+$")


@cache
def _aliases() -> dict[str, set[str]]:
    """Normalised KB name, and the name without a trailing grade number -> its keys."""
    out: dict[str, set[str]] = {}
    for n, entries in load_kb().name_index().items():
        keys = {e.drug for e in entries if e.kind != "brand"}
        if not keys:
            continue
        out.setdefault(n, set()).update(keys)
        base = _GRADE.sub("", n)
        if base != n and base and not base[-1].isdigit():
            out.setdefault(base, set()).update(keys)
    return out


def _alias_keys(name: str) -> set[str]:
    """KB keys one of whose own names is the gold name, or it and a grade number."""
    return {_MOIETY.get(k, k) for k in _aliases().get(normalise(name), ())}


def _keys(reading) -> set[str]:
    keys = {k for m in reading.mentions if m.resolved for k in (m.ingredients or (m.drug.key,))}
    return {_MOIETY.get(k, k) for k in keys} - _CLASS_KEYS


def _unresolved(reading) -> set[str]:
    return {normalise(m.text) for m in reading.mentions if not m.resolved}


def score_text(rec: dict, gold_keys: dict[str, set[str]], answers: bool = True) -> dict:
    """One text's scores; with `answers`, a text with a word left unresolved is also asked
    through the cascade (`pipeline.ask`, reference model), whose answer must then never be
    ``no_known_interaction``."""
    reading = read_query(rec["text"])
    found = _keys(reading)
    unresolved = _unresolved(reading)
    wanted = {name: gold_keys[name] for name in rec["ingredients"]}
    hit = [name for name, keys in wanted.items() if keys & found]
    allowed = set().union(*wanted.values()) if wanted else set()
    allowed |= {_MOIETY.get(k, k) for name in wanted for k in _ALSO.get(name, ())}
    extra = sorted(found - allowed)
    made_up = [w for w in rec["unresolvable"]]
    reported = [w for w in made_up if normalise(w) in unresolved]
    ordinary_as_drug = [
        w
        for w in rec["not_drugs"]
        if any(normalise(w) == normalise(m.text) for m in reading.mentions if m.resolved)
    ]
    ordinary_unresolved = [w for w in rec["not_drugs"] if normalise(w) in unresolved]
    listed = {normalise(w) for w in made_up}
    other_unresolved = sorted(
        {m.text for m in reading.mentions if not m.resolved and normalise(m.text) not in listed}
    )
    unsure = any(not m.resolved for m in reading.mentions)
    return {
        "id": rec["id"],
        "register": rec["register"],
        "verdict_with_unresolved": ask(rec["text"]).verdict if answers and unsure else None,
        "gold": len(wanted),
        "found": len(hit),
        "missed": sorted(set(wanted) - set(hit)),
        "extra": extra,
        "made_up": len(made_up),
        "made_up_reported": len(reported),
        "ordinary_as_drug": ordinary_as_drug,
        "ordinary_unresolved": ordinary_unresolved,
        "other_unresolved": other_unresolved,
    }


def run(data: Path = DATA, answers: bool = True) -> dict:
    records = [
        json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    names = sorted({n for r in records for n in r["ingredients"]})
    gold_keys = {}
    for name in names:
        keys = _keys(read_query(name)) | _alias_keys(name)
        gold_keys[name] = keys or {"<unread:" + name + ">"}
    rows = [score_text(r, gold_keys, answers) for r in records]
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
            "ordinary_words_unresolved": sum(len(r["ordinary_unresolved"]) for r in sel),
            "other_unresolved": sum(len(r["other_unresolved"]) for r in sel),
            "texts_with_unresolved": sum(r["verdict_with_unresolved"] is not None for r in sel),
            "unresolved_answered_no_known": sum(
                r["verdict_with_unresolved"] == "no_known_interaction" for r in sel
            ),
        }
    unread = sorted(n for n, k in gold_keys.items() if any(x.startswith("<unread:") for x in k))
    return {
        "dataset": data.name,
        "by_register": by_register,
        "gold_names_not_read": unread,
        "rows": rows,
    }


def sweep(thresholds=(2.0, 2.5, 3.0, 3.5, 4.0)) -> list[dict]:
    """The overall scores at other common-word thresholds (`words.COMMON_ZIPF`)."""
    saved = words.COMMON_ZIPF
    out = []
    try:
        for t in thresholds:
            words.COMMON_ZIPF = t
            s = run(answers=False)["by_register"]["all"]
            out.append({"common_zipf": t, **{k: s[k] for k in _SWEPT}})
    finally:
        words.COMMON_ZIPF = saved
    return out


_SWEPT = (
    "recall",
    "precision",
    "made_up_dropped",
    "ordinary_words_as_drugs",
    "ordinary_words_unresolved",
    "other_unresolved",
)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def _register_table(by_register: dict) -> list[str]:
    lines = [
        "| register | texts | gold mentions | mention recall | mention precision "
        "| made-up names silently dropped | ordinary words read as drugs "
        "| ordinary words reported unresolved | other words reported unresolved "
        "| texts with a word unresolved answered `no_known_interaction` |",
        "|---|---:|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for reg, s in by_register.items():
        lines.append(
            f"| {reg} | {s['texts']} | {s['gold_mentions']} | {_pct(s['recall'])} | "
            f"{_pct(s['precision'])} | {s['made_up_dropped']} of {s['made_up']} | "
            f"{s['ordinary_words_as_drugs']} | {s.get('ordinary_words_unresolved', '—')} | "
            f"{s.get('other_unresolved', '—')} | "
            f"{s.get('unresolved_answered_no_known', '—')} of "
            f"{s.get('texts_with_unresolved', '—')} |"
        )
    return lines


def table(summary: dict) -> str:
    lines = [f"Development set (`{summary['dataset']}`, tuned on):", ""]
    lines += _register_table(summary["by_register"])
    if summary.get("holdout"):
        held = summary["holdout"]
        lines += [
            "",
            f"Held-out set (`{held['dataset']}`, written without reading the code, the "
            "names table or the development texts; never tuned on):",
            "",
            *_register_table(held["by_register"]),
        ]
    if summary.get("sweep"):
        lines += [
            "",
            f"Common-word threshold (Zipf; in use: {summary.get('common_zipf')}), all texts:",
            "",
            "| Zipf | recall | precision | made-up dropped | ordinary as drugs "
            "| ordinary unresolved | other unresolved |",
            "|---:|---|---|---:|---:|---:|---:|",
        ]
        for r in summary["sweep"]:
            lines.append(
                f"| {r['common_zipf']} | {_pct(r['recall'])} | {_pct(r['precision'])} | "
                f"{r['made_up_dropped']} | {r['ordinary_words_as_drugs']} | "
                f"{r['ordinary_words_unresolved']} | {r['other_unresolved']} |"
            )
    return "\n".join(lines)


def render(doc: str, summary: dict) -> str:
    return replace_block(doc, BEGIN, END, table(summary))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", action="store_true", help="only rewrite the table")
    parser.add_argument(
        "--sweep", action="store_true", help="also score other common-word thresholds"
    )
    args = parser.parse_args(argv)
    if args.render:
        summary = json.loads(RESULT.read_text(encoding="utf-8"))
    else:
        summary = run()
        summary["common_zipf"] = words.COMMON_ZIPF
        summary["holdout"] = run(HOLDOUT)
        if args.sweep:
            summary["sweep"] = sweep()
        RESULT.write_text(
            json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    DOC.write_text(render(DOC.read_text(encoding="utf-8"), summary), encoding="utf-8")
    print(table(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
