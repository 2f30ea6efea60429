"""Find KB keys that are probably the same active substance as another key but lack its
interaction knowledge ("uncovered twins").

    python -m tools.kb.twins [--new] [--json] [--class-like]

A user's name can resolve to a twin that carries none (or only part) of the knowledge its
sibling carries, so well-known interactions are never checked. This script only *lists*
candidates; it merges nothing. Every candidate is reviewed by hand: true same-substance
names go to ``data/kb/same_substance.jsonl`` (applied by ``tools.kb.build`` as merge rule 3),
the others to `REVIEWED` below with the reason (``different`` substance, or ``kept`` apart on
purpose), so ``--new`` shows only what nobody has looked at.

Knowledge of a key = the evidence sources that know it: ``ansm`` (the KB's ``covered``
flag: the ANSM thesaurus, directly, via a class or a knowledge link), ``pharm`` (a
pharmacology profile names it, ``data/kb/pharm-*.jsonl``), ``us-hp`` (the curated list
names it), ``onc`` (the ONC list names it). A candidate is a pair (twin, sibling) linked by
one of the rules below where the sibling has a source the twin lacks; ``uncovered`` = the
twin has no source at all, ``partial`` = it has some.

Rules (each on normalised keys and the names of the twin):
  spelling      INN / USAN / BAN spelling pairs: -ic acid <-> -ate, ph/f, th/t, ae/e, oe/e,
                cef/ceph, colecal/cholecal, sulph/sulf, aluminium/aluminum, y/i, -e/""
  salt          salt, ester and hydrate words stripped (`rules.fold_salt` and `ESTER_WORDS`:
                mofetil, medoxomil, ...) from either key
  formulation   dosage-form words stripped (spray, patch, ER, XL, tablets, inhaler, ...)
  vitamin       vitamin names (K1 = phytonadione = phylloquinone, D3 = cholecalciferol, ...)
  qualifier     a parenthesised qualifier dropped ("doxepin (insomnia)", "(medical use)")
  name          a name of the twin is (or folds to) the sibling's key, or the reverse
Class-like keys ("contraceptives, oral") are listed apart: they name a class, not a
substance, and are never merged.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from pipeline.kb import KnowledgeBase, default_data_dir, load_kb, normalise
from pipeline.kb._rules import INORGANIC_REMAINDERS, fold_salt

__all__ = [
    "REVIEWED",
    "SAME_SUBSTANCE_FILE",
    "Candidate",
    "candidates",
    "class_like_keys",
    "knowledge",
    "evidence_keys",
    "load_same_substance",
    "review",
]

SAME_SUBSTANCE_FILE = Path(__file__).resolve().parents[2] / "data" / "kb" / "same_substance.jsonl"

#: (a, b) spelling pairs, tried both ways on every occurrence (one rule at a time, then two)
SPELLING_PAIRS: tuple[tuple[str, str], ...] = (
    ("ph", "f"),
    ("th", "t"),
    ("ae", "e"),
    ("oe", "e"),
    ("cef", "ceph"),
    ("colecal", "cholecal"),
    ("sulph", "sulf"),
    ("aluminium", "aluminum"),
    ("y", "i"),
    ("amfet", "amphet"),
    ("ciclo", "cyclo"),
)
#: word-end rewrites, both ways: risedronic acid <-> risedronate, aciclovir <-> acyclovir
END_PAIRS: tuple[tuple[str, str], ...] = (
    ("ic acid", "ate"),
    ("ine", "in"),
    ("e", ""),
)
#: ester / prodrug / counter-ion words that `rules.fold_salt` keeps but that do not change
#: the active moiety for interaction purposes (reviewed one by one before any merge)
ESTER_WORDS = frozenset(
    """
    mofetil medoxomil axetil pivoxil proxetil cilexetil etexilate marboxil
    sodium potassium hydrochloride hcl bromide mesylate
    """.split()
)
#: hydrate words alone ("ferrous sulfate anhydrous" -> "ferrous sulfate")
HYDRATE_WORDS = frozenset(
    """
    anhydrous hydrate monohydrate dihydrate trihydrate tetrahydrate pentahydrate hexahydrate
    heptahydrate hemihydrate sesquihydrate
    """.split()
)
#: dosage-form and release words: a key made of an ingredient and these is a formulation
FORMULATION_WORDS = frozenset(
    """
    spray sprays patch patches tablet tablets tab tabs capsule capsules cap caps inhaler
    inhalation injection injectable infusion cream ointment gel jelly lotion solution
    suspension syrup elixir drops drop powder granules lozenge lozenges gum film films
    implant foam shampoo enema suppository suppositories pessary wash liquid emulsion
    er xl xr sr cr la dr ir cd odt extended delayed immediate controlled sustained release
    modified prolonged chewable dispersible effervescent enteric coated orally
    disintegrating oral topical transdermal sublingual buccal nasal ophthalmic otic vaginal
    rectal intravenous iv im subcutaneous intramuscular intranasal inhaled pump metered
    dose spray-dried
    """.split()
)
#: a parenthesised qualifier: "doxepin (insomnia)", "magnesium sulfate (medical use)"
QUALIFIER_RX = re.compile(r"\s*\([^)]*\)")
#: vitamin names: every name of a group is the same substance (the review decides whether a
#: generic family name such as "vitamin k" is merged)
VITAMINS: tuple[frozenset[str], ...] = tuple(
    frozenset(normalise(x) for x in group)
    for group in (
        (
            "vitamin k",
            "vitamin k1",
            "vitamin k 1",
            "phytonadione",
            "phytomenadione",
            "phylloquinone",
        ),
        ("vitamin d3", "vitamin d 3", "cholecalciferol", "colecalciferol"),
        ("vitamin d2", "vitamin d 2", "ergocalciferol"),
        ("vitamin b12", "vitamin b 12", "cyanocobalamin", "cobalamin"),
        ("vitamin b1", "vitamin b 1", "thiamine", "thiamin"),
        ("vitamin b2", "vitamin b 2", "riboflavin"),
        ("vitamin b3", "vitamin b 3", "niacin", "nicotinic acid"),
        ("vitamin b6", "vitamin b 6", "pyridoxine"),
        ("vitamin b9", "vitamin b 9", "folic acid", "folate"),
        ("vitamin c", "ascorbic acid"),
        ("vitamin e", "tocopherol", "alpha tocopherol", "alpha-tocopherol"),
        ("vitamin a", "retinol"),
    )
)
#: "contraceptives, oral", "analgesics, opioid": a class named by an inverted plural noun
CLASS_LIKE_RX = re.compile(r"^[a-z][a-z-]+s, [a-z]")

#: verdicts of the hand review for candidates that are not merged
DIFFERENT = "different"  # not the same active substance: never merge
KEPT = "kept"  # the same substance, kept as its own key on purpose
TABLE = "table"  # in same_substance.jsonl (after a build: a deferred merge, named twin)


def _review(verdict: str, why: str, *pairs: tuple[str, str]) -> dict:
    return {pair: (verdict, why) for pair in pairs}


_NOISE = "a different substance (a stray drug-ner / UNII name links them)"
_SALT_LINKED = (
    "same active moiety, already sharing the ANSM knowledge (build salt-fold link); only a "
    "pharmacology profile or curated-list entry is missing (their owners' files)"
)
#: (twin, sibling) -> (verdict, reason): every candidate the review did not merge
#: (sibling "*": the twin is its own substance, whatever key it is paired with)
REVIEWED: dict[tuple[str, str], tuple[str, str]] = {
    **_review(
        DIFFERENT,
        "tritium-labelled research tracer, not a medicine",
        ("(1,2,6,7-3h)testosterone", "testosterone"),
    ),
    **_review(DIFFERENT, "radiolabelled tracer", ("ferric (59fe) citrate", "ferric citrate")),
    **_review(
        DIFFERENT,
        "a different radiopharmaceutical salt",
        ("gallium chloride ga-67", "gallium citrate ga-67"),
    ),
    **_review(
        DIFFERENT,
        "the caproate ester acts itself (no prodrug of 17-OHP)",
        ("17 alpha-hydroxyprogesterone caproate", "hydroxyprogesterone"),
    ),
    **_review(DIFFERENT, "an anion, not the potassium salt", ("acetate", "potassium acetate")),
    **_review(
        DIFFERENT,
        "a chemical derivative (impurity), not a form of simvastatin",
        ("acetyl simvastatin", "simvastatin"),
    ),
    **_review(
        DIFFERENT,
        "the aluminium salt also releases aluminium (chelation): identity matters",
        ("aluminium nicotinate", "niacin"),
    ),
    **_review(
        DIFFERENT,
        "benzyl alcohol (preservative, pediculicide) is not ethanol",
        ("benzyl alcohol", "alcohol"),
    ),
    **_review(DIFFERENT, "a provitamin, not retinol", ("beta carotene", "vitamin a")),
    **_review(
        DIFFERENT,
        "a different bismuth compound (no salicylate)",
        ("bismuth oxide", "bismuth subsalicylate"),
    ),
    **_review(
        DIFFERENT,
        "elcatonin (eel) is another peptide than salmon calcitonin",
        ("calcitonin eel", "calcitonin"),
    ),
    **_review(
        DIFFERENT,
        "a combination (calcium + vitamin D3)",
        ("calcium/cholecalciferol", "cholecalciferol"),
    ),
    **_review(
        DIFFERENT, "a different compound (bromide sedative)", ("camphor monobromide", "camphor")
    ),
    **_review(
        DIFFERENT,
        "a metabolite conjugate, not a form people take",
        ("curcumin sulfate", "curcumin"),
    ),
    **_review(
        DIFFERENT,
        "'estrogen' is a family (estradiol, conjugated estrogens, ...)",
        ("estrogen vaginal", "estrogen"),
        ("estrogen", "estradiol"),
    ),
    **_review(
        DIFFERENT,
        "the gum (kino), not the essential oil ANSM lists",
        ("eucalyptus gum", "eucalyptus"),
    ),
    **_review(
        DIFFERENT,
        "another iron salt: salts are not merged (iron content and form differ); iron salts "
        "share ANSM's 'fer' through rules.KNOWLEDGE_LINKS, which lists the common ones",
        # "*": against any sibling (the best-known iron salt a twin is paired with changes
        # when a profile is added)
        *(
            (salt, "*")
            for salt in (
                "ferric ammonium citrate",
                "ferric chloride",
                "ferric sodium citrate",
                "ferric sulfate",
                "sodium ferric gluconate",
                "ferrous ascorbate",
                "ferrous aspartate",
                "ferrous carbonate",
                "ferrous chloride",
                "ferrous succinate",
                "ferrous tartrate",
            )
        ),
        ("ferrous sulfate anhydrous", "ferrous fumarate"),
    ),
    **_review(
        DIFFERENT,
        "different salts (both keys are merged into their own salt)",
        ("magnesium sulfate (medical use)", "potassium chloride (medical use)"),
        ("zinc sulfate (medical use)", "potassium chloride (medical use)"),
    ),
    **_review(
        DIFFERENT,
        "alpha-2 covers alfa-2a and alfa-2b: not one substance",
        ("interferon alpha-2", "interferon alfa-2b"),
    ),
    **_review(
        DIFFERENT, "another macrolide INN (diacetyl derivative)", ("miocamycin", "midecamycin")
    ),
    **_review(
        DIFFERENT,
        _NOISE,
        ("oxalic acid", "iron"),
        ("ricin", "castor oil"),
        ("salicylic acid", "aspirin"),
        ("sodium glycerophosphate", "glycerol"),
        ("sucrose", "sucralfate"),
    ),
    **_review(
        DIFFERENT,
        "stereoisomers that are different drugs",
        ("ephedrine", "pseudoephedrine"),
        ("quinine", "quinidine"),
    ),
    **_review(
        KEPT,
        "otic drops: negligible systemic exposure, so the oral drug's interactions "
        "(tizanidine contraindication, QT) would be false alarms",
        ("ciprofloxacin otic", "ciprofloxacin"),
        ("ofloxacin otic", "ofloxacin"),
    ),
    **_review(
        KEPT,
        _SALT_LINKED,
        ("clorazepate dipotassium", "clorazepate"),
        ("dexamethasone acetate", "dexamethasone"),
        ("dexamethasone palmitate", "dexamethasone"),
        ("dexchlorpheniramine maleate", "dexchlorpheniramine"),
        ("hydrocortisone butyrate", "hydrocortisone"),
        ("hydrocortisone cypionate", "hydrocortisone"),
        ("hydrocortisone phosphate", "hydrocortisone"),
        ("hydrocortisone succinate", "hydrocortisone"),
        ("hydrocortisone valerate", "hydrocortisone"),
        ("metronidazole benzoate", "metronidazole"),
        ("norethindrone enanthate", "norethindrone"),
        ("oxazepam acetate", "oxazepam"),
        ("prednisolone caproate", "prednisolone"),
        ("prednisolone phosphate", "prednisolone"),
        ("prednisone acetate", "prednisone"),
        ("testosterone decanoate", "testosterone"),
        ("testosterone propionate", "testosterone"),
        ("testosterone succinate", "testosterone"),
    ),
}


class Candidate(dict):
    """One finding: twin (lacks knowledge), sibling (has it), rule, detail, sources."""


def load_same_substance(path: Path = SAME_SUBSTANCE_FILE) -> list[dict]:
    """The reviewed merge table (one JSON object per line: from, into, why, source)."""
    if not path.is_file():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("//"):
            rec = json.loads(line)
            rec["line"] = n
            out.append(rec)
    return out


def _profile_keys(data_dir: Path) -> set[str]:
    keys: set[str] = set()
    for path in sorted(data_dir.glob("pharm-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                keys.add(rec["drug"])
                keys.update(rec.get("also") or ())
    return keys


def _list_keys(path: Path, sides: Iterable[str], nested: bool) -> set[str]:
    keys: set[str] = set()
    if not path.is_file():
        return keys
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        for side in sides:
            val = rec.get(side) or ()
            keys.update((val.get("drugs") or ()) if nested else val)
    return keys


def evidence_keys(data_dir: Path | None = None) -> dict[str, set[str]]:
    """Keys named by the evidence files that name drugs by KB key (not ANSM: the build maps
    ANSM itself): ``pharm`` profiles (drug and also), the ``us-hp`` and ``onc`` lists."""
    d = data_dir or default_data_dir()
    return {
        "pharm": _profile_keys(d),
        "us-hp": _list_keys(d / "us_high_priority.jsonl", ("a", "b"), nested=False),
        "onc": _list_keys(d / "onc_high_priority.jsonl", ("a", "b"), nested=True),
    }


def knowledge(kb: KnowledgeBase, named: dict[str, set[str]] | None = None) -> dict[str, set]:
    """key -> the evidence sources that know it."""
    named = named if named is not None else evidence_keys(kb.data_dir)
    out: dict[str, set[str]] = defaultdict(set)
    for key, row in kb.drugs.rows.items():
        if row[5]:
            out[key].add("ansm")
    for source, keys in named.items():
        for key in keys:
            if key in kb.drugs:
                out[key].add(source)
    return out


def _spellings(norm: str) -> set[str]:
    out: set[str] = set()
    first: set[str] = set()
    for a, b in SPELLING_PAIRS:
        for x, y in ((a, b), (b, a)):
            if x in norm:
                first.add(norm.replace(x, y))
    words = norm.split()
    text = " ".join(words)
    for a, b in END_PAIRS:
        for x, y in ((a, b), (b, a)):
            if not text.endswith(x):
                continue
            stem = text[: len(text) - len(x)] if x else text
            if len(stem.split()[-1] if stem.split() else "") >= 5:  # real INN stems only
                first.add(stem + y)
    out |= first
    for v in first:  # two rules at once: "cefalexine" -> "cephalexin"
        for a, b in SPELLING_PAIRS:
            for x, y in ((a, b), (b, a)):
                if x in v:
                    out.add(v.replace(x, y))
    out.discard(norm)
    return {" ".join(v.split()) for v in out if v.strip()}


def _strip(norm: str, words: frozenset[str], keep_ions: bool = False) -> str:
    """The name without `words`; unchanged when nothing remains, or (`keep_ions`) only an
    inorganic ion ("sodium chloride" stays whole, as in `rules.fold_salt`)."""
    kept = [w for w in norm.split() if w not in words]
    if not kept or (keep_ions and len(kept) == 1 and kept[0] in INORGANIC_REMAINDERS):
        return norm
    return " ".join(kept)


def class_like_keys(kb: KnowledgeBase) -> list[str]:
    return sorted(k for k in kb.drugs if CLASS_LIKE_RX.match(k))


def candidates(kb: KnowledgeBase, named: dict[str, set[str]] | None = None) -> list[Candidate]:
    """Every (twin, sibling) pair linked by a rule where the sibling has a source the twin
    lacks, sorted (uncovered first, then by twin)."""
    know = knowledge(kb, named)
    by_norm: dict[str, str] = {normalise(k): k for k in kb.drugs}
    class_like = set(class_like_keys(kb))
    stripped: dict[str, dict[str, set[str]]] = {
        "salt": defaultdict(set),
        "formulation": defaultdict(set),
    }
    for k in kb.drugs:
        n = normalise(k)
        for f in {
            fold_salt(k),
            _strip(fold_salt(k), ESTER_WORDS, keep_ions=True),
            _strip(n, ESTER_WORDS, keep_ions=True),
            _strip(n, HYDRATE_WORDS),
        }:
            if f != n:
                stripped["salt"][f].add(k)
        f = _strip(n, FORMULATION_WORDS)
        if f != n:
            stripped["formulation"][f].add(k)
    vitamin_of: dict[str, int] = {}
    for i, group in enumerate(VITAMINS):
        for name in group:
            vitamin_of[name] = i

    found: dict[tuple[str, str], Candidate] = {}

    def add(twin: str, sibling: str, rule: str, detail: str) -> None:
        if twin == sibling or twin in class_like or sibling in class_like:
            return
        if not (know.get(sibling, set()) - know.get(twin, set())):
            return  # the sibling knows nothing the twin does not
        key = (twin, sibling)
        if key in found:
            if rule not in found[key]["rules"]:
                found[key]["rules"].append(rule)
                found[key]["details"].append(detail)
            return
        found[key] = Candidate(
            twin=twin,
            sibling=sibling,
            rules=[rule],
            details=[detail],
            twin_sources=sorted(know.get(twin, ())),
            sibling_sources=sorted(know.get(sibling, ())),
            status="uncovered" if not know.get(twin) else "partial",
        )

    def both(a: str, b: str, rule: str, detail: str) -> None:
        add(a, b, rule, detail)
        add(b, a, rule, detail)

    for k in kb.drugs:
        n = normalise(k)
        # spelling: a rewrite of the key is another key
        for v in _spellings(n):
            other = by_norm.get(v)
            if other:
                both(k, other, "spelling", f"{n} ~ {v}")
        # salt / ester / formulation: the key with those words stripped is another key
        bases = {
            ("salt", fold_salt(k)),
            ("salt", _strip(fold_salt(k), ESTER_WORDS)),
            ("salt", _strip(n, ESTER_WORDS)),
            ("salt", _strip(n, HYDRATE_WORDS)),
            ("formulation", _strip(n, FORMULATION_WORDS)),
            ("qualifier", " ".join(QUALIFIER_RX.sub(" ", k).split())),
        }
        for rule, base in sorted(bases):
            other = by_norm.get(base)
            if other and other != k:
                both(k, other, rule, f"{n} -> {base}")
        # vitamins
        i = vitamin_of.get(n)
        if i is not None:
            for name in VITAMINS[i]:
                other = by_norm.get(name)
                if other and other != k:
                    add(k, other, "vitamin", f"{n} = {name}")
        # name: one of the twin's names is (or folds to) another key
        for dn in kb.names(k):
            t = normalise(dn.text)
            for v in {t, fold_salt(dn.text), _strip(fold_salt(dn.text), ESTER_WORDS)}:
                other = by_norm.get(v)
                if other and other != k and dn.kind != "generic":
                    both(k, other, "name", f"{k!r} has the name {dn.text!r}")
    # keys that strip to the same base, which is not a key itself ("ferrous succinate",
    # "ferrous sulfate" -> "ferrous"): each twin against its best-known sibling only
    for rule, table in stripped.items():
        for base, keys in table.items():
            if base in by_norm or len(keys) < 2 or len(base) < 5 or "(" in base:
                continue
            best = max(sorted(keys), key=lambda k: len(know.get(k, ())))
            for k in sorted(keys):
                add(k, best, rule, f"both -> {base}")
    return sorted(
        found.values(), key=lambda c: (c["status"] != "uncovered", c["twin"], c["sibling"])
    )


def review(cand: Candidate, table: list[dict]) -> tuple[str, str] | None:
    """The hand review's verdict on a candidate: (verdict, reason), or None when new.

    A pair in one same-substance group of the table is ``table``; on a built KB that is a
    deferred merge (the build keeps both keys while an evidence file names the twin; see
    `tools.kb.build.Builder.merge_same_substance`).
    """
    group: dict[str, int] = {}
    for i, r in enumerate(table):
        g = group.get(r["into"], group.get(r["from"], i))
        group[r["from"]] = group[r["into"]] = g
    t, s = cand["twin"], cand["sibling"]
    if t in group and group.get(s) == group[t]:
        return TABLE, "same substance (same_substance.jsonl); two keys while a file names both"
    return REVIEWED.get((t, s)) or REVIEWED.get((t, "*"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="one JSON object per candidate")
    ap.add_argument("--new", action="store_true", help="only candidates not yet reviewed")
    ap.add_argument("--class-like", action="store_true", help="also list class-like keys")
    args = ap.parse_args(argv)
    kb = load_kb()
    table = load_same_substance()
    cands = candidates(kb)
    for c in cands:
        verdict = review(c, table)
        c["review"], c["reason"] = verdict or ("new", "")
    shown = [c for c in cands if not args.new or c["review"] == "new"]
    if args.json:
        for c in shown:
            print(json.dumps(c, ensure_ascii=False, sort_keys=True))
    else:
        print(f"{'status':9}  {'review':9}  {'twin (lacks knowledge)':38}  {'sibling':30}  rules")
        for c in shown:
            print(
                f"{c['status']:9}  {c['review']:9}  {c['twin'][:38]:38}  {c['sibling'][:30]:30}"
                f"  {','.join(c['rules'])}  {'+'.join(c['twin_sources']) or '-'} / "
                f"{'+'.join(c['sibling_sources'])}"
            )
        cl = class_like_keys(kb)
        if args.class_like:
            know = knowledge(kb)
            for k in cl:
                print(f"class-like  {k}  {'+'.join(sorted(know.get(k, ()))) or 'no source'}")
        print(f"class-like keys (never merged; --class-like lists them): {len(cl)}")
    n_unc = sum(c["status"] == "uncovered" for c in cands)
    verdicts = Counter(c["review"] for c in cands)
    print(
        f"{len(cands)} candidates ({n_unc} uncovered, {len(cands) - n_unc} partial); review: "
        + ", ".join(f"{v} {n}" for v, n in sorted(verdicts.items()))
        + f"; {len(table)} records in {SAME_SUBSTANCE_FILE.name}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
