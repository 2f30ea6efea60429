"""Generate the gold evaluation sets in data/evals/ from the committed KB (fixed seed).

    python -m tools.kb.gold [--out data/evals] [--seed 20200101]

Schema: data/evals/SCHEMA.md. Deterministic for a given KB version and seed.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from pipeline.kb import SEVERITIES, KnowledgeBase, load_kb, normalise

GOLD_VERSION = "gold-v1"
SEED = 20200101
PERTURBATIONS = ("brand", "misspelling", "salt", "case_spacing", "reversed", "international")

PAIR_TEMPLATES = (
    "Can I take {a} with {b}?",
    "Is it safe to combine {a} and {b}?",
    "Any interaction between {a} and {b}?",
    "I'm on {a}. Can I also take {b}?",
    "{a} + {b}: is there a drug interaction?",
    "My doctor prescribed {b}, but I already take {a}. Is that OK?",
)
LIST_TEMPLATES = (
    "I take {items}. Do any of these interact?",
    "Check interactions for: {items}",
    None,  # the query is the list itself
)


def _common_drugs(kb: KnowledgeBase) -> list[str]:
    """Covered drugs that look like everyday medicines: MedlinePlus id and a brand name."""
    out = []
    for key, d in kb.drugs.items():
        if not d.covered:
            continue
        if d.kind != "drug":
            out.append(key)  # grapefruit, alcohol, St John's wort: realistic too
            continue
        if "medlineplus" in d.ids and any(n.kind == "brand" for n in kb.names(key)):
            out.append(key)
    return sorted(out)


def _pair_severity(kb: KnowledgeBase, a: str, b: str) -> str | None:
    inter = kb.interactions(a, b)
    if not inter:
        return None
    return min((i.severity for i in inter), key=SEVERITIES.index)


def _display(kb: KnowledgeBase, key: str) -> str:
    d = kb.drug(key)
    name = d.name if d else key
    return name if name.lower() != name else name.capitalize()


def _unique_name(kb: KnowledgeBase, key: str, kind: str, rng: random.Random) -> str | None:
    """A name of the given kind that resolves to this drug only."""
    index = kb.name_index()
    cands = []
    for n in kb.names(key):
        if n.kind != kind:
            continue
        bucket = index.get(normalise(n.text), [])
        norm = normalise(n.text)
        if len(norm) < 3 or any(ch.isdigit() for ch in norm) or len(norm.split()) > 3:
            continue
        if [x.drug for x in bucket] == [key]:
            cands.append(n.text)
    if not cands:
        return None
    cands.sort(key=lambda t: (len(t), t))
    return rng.choice(cands[:5])


def _misspell(word: str, rng: random.Random, index: dict) -> str | None:
    """One deterministic edit (delete, swap, substitute, insert) on names of >= 6 letters."""
    letters = [c for c in word if c.isalpha()]
    if len(letters) < 6:
        return None
    for _ in range(10):
        i = rng.randrange(1, len(word) - 1)
        op = rng.choice(("delete", "swap", "substitute", "insert"))
        if op == "delete":
            out = word[:i] + word[i + 1 :]
        elif op == "swap":
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif op == "substitute":
            out = word[:i] + rng.choice("aeioulnrst") + word[i + 1 :]
        else:
            out = word[:i] + rng.choice("aeioulnrst") + word[i:]
        if out != word and normalise(out) not in index:
            return out
    return None


def _case_spacing(text: str, rng: random.Random) -> str:
    style = rng.choice(("upper", "spaces", "title", "mixed"))
    if style == "upper":
        return text.upper()
    if style == "spaces":
        return f"  {text.lower()}  "
    if style == "title":
        return text.title()
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(text))


def _pair_record(kb, rid, suite, a, b, name_a, name_b, rng, perturbation=None, tags=()):
    sev = _pair_severity(kb, a, b)
    x, y = sorted((a, b))
    template = rng.choice(PAIR_TEMPLATES)
    return {
        "id": rid,
        "version": GOLD_VERSION,
        "suite": suite,
        "query": template.format(a=name_a, b=name_b),
        "drugs": [a, b],
        "expected_pairs": [
            {"drug_a": x, "drug_b": y, "interacts": sev is not None, "severity": sev}
        ],
        "expected_verdict": "interaction" if sev else "no_known_interaction",
        "tags": sorted({*tags, sev or "none"}),
        "perturbation": perturbation,
    }


def _list_record(kb, rid, suite, keys, rng):
    pairs = []
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            sev = _pair_severity(kb, a, b)
            if sev:
                x, y = sorted((a, b))
                pairs.append({"drug_a": x, "drug_b": y, "interacts": True, "severity": sev})
    pairs.sort(key=lambda p: (p["drug_a"], p["drug_b"]))
    names = [_display(kb, k) for k in keys]
    template = rng.choice(LIST_TEMPLATES)
    query = names if template is None else template.format(items=", ".join(names))
    return {
        "id": rid,
        "version": GOLD_VERSION,
        "suite": suite,
        "query": query,
        "drugs": list(keys),
        "expected_pairs": pairs,
        "expected_verdict": "interaction" if pairs else "no_known_interaction",
        "tags": [f"n={len(keys)}"] + sorted({p["severity"] for p in pairs}),
        "perturbation": None,
    }


def generate(kb: KnowledgeBase, seed: int = SEED) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    common = _common_drugs(kb)
    common_set = set(common)
    by_sev: dict[str, list[tuple[str, str]]] = {s: [] for s in SEVERITIES}
    for a, b in kb.pairs():
        sev = _pair_severity(kb, a, b) if a in common_set and b in common_set else None
        if sev is not None:  # None: every level of the entry is restricted to other drugs
            by_sev[sev].append((a, b))

    def sample_pairs(n_per_sev: int, n_none: int, used: set) -> list[tuple[str, str]]:
        out = []
        for sev in SEVERITIES:
            pool = [p for p in by_sev[sev] if p not in used]
            picked = rng.sample(pool, min(n_per_sev, len(pool)))
            out += picked
        tries = 0
        none = []
        while len(none) < n_none and tries < 100000:
            tries += 1
            a, b = sorted(rng.sample(common, 2))
            if (a, b) in used or (a, b) in none:
                continue
            if kb.drug(a).kind != "drug" or kb.drug(b).kind != "drug":
                continue
            if not kb.interactions(a, b):
                none.append((a, b))
        used.update(out, none)
        return out + none

    def pair_records(pairs, prefix, suite, start=0):
        recs = []
        for i, (a, b) in enumerate(pairs, start):
            if rng.random() < 0.5:
                a, b = b, a
            recs.append(
                _pair_record(
                    kb, f"{prefix}-{i:04d}", suite, a, b, _display(kb, a), _display(kb, b), rng
                )
            )
        return recs

    used: set = set()
    pairs = pair_records(sample_pairs(30, 80, used), "pair", "pairs")

    def perturb(base: list[dict], prefix: str, suite: str, n: int) -> list[dict]:
        index = kb.name_index()
        out = []
        k = 0
        for rec in base:
            if len(out) >= n:
                break
            a, b = rec["drugs"]
            for _ in range(len(PERTURBATIONS)):
                kind = PERTURBATIONS[k % len(PERTURBATIONS)]
                k += 1
                na, nb = _display(kb, a), _display(kb, b)
                ra, rb = a, b
                if kind == "reversed":
                    ra, rb, na, nb = b, a, nb, na
                elif kind == "case_spacing":
                    na, nb = _case_spacing(na, rng), _case_spacing(nb, rng)
                elif kind == "misspelling":
                    target = rng.choice((0, 1))
                    word = (na, nb)[target]
                    m = _misspell(word, rng, index)
                    if m is None:
                        other = (na, nb)[1 - target]
                        m = _misspell(other, rng, index)
                        target = 1 - target
                    if m is None:
                        continue
                    na, nb = (m, nb) if target == 0 else (na, m)
                else:
                    kind_name = {"brand": "brand", "salt": "salt", "international": "international"}
                    xa = _unique_name(kb, a, kind_name[kind], rng)
                    xb = _unique_name(kb, b, kind_name[kind], rng)
                    if xa is None and xb is None:
                        continue
                    na, nb = xa or na, xb or nb
                rid = f"{prefix}-{len(out):04d}"
                r = _pair_record(kb, rid, suite, ra, rb, na, nb, rng, kind, (f"from:{rec['id']}",))
                out.append(r)
                break
        return out

    perturbed = perturb(pairs, "pert", "perturbed", 200)

    def list_records(n: int, prefix: str, suite: str) -> list[dict]:
        inter = [p for s in SEVERITIES for p in by_sev[s]]
        out = []
        for i in range(n):
            size = rng.randint(3, 10)
            keys = list(rng.choice(inter))
            while len(keys) < size:
                c = rng.choice(common)
                if c not in keys:
                    keys.append(c)
            rng.shuffle(keys)
            out.append(_list_record(kb, f"{prefix}-{i:04d}", suite, keys, rng))
        return out

    lists = list_records(50, "list", "lists")

    # smoke: well-known pairs + a few of each set
    famous = [
        ("warfarin", "ibuprofen"),
        ("simvastatin", "clarithromycin"),
        ("sertraline", "tramadol"),
        ("warfarin", "aspirin"),
        ("sildenafil", "nitroglycerin"),
        ("methotrexate", "trimethoprim"),
        ("simvastatin", "grapefruit juice"),
        ("lithium", "ibuprofen"),
    ]
    smoke = []
    for a, b in famous:
        if kb.drug(a) and kb.drug(b):
            smoke.append(
                _pair_record(
                    kb,
                    f"smoke-{len(smoke):04d}",
                    "smoke",
                    a,
                    b,
                    _display(kb, a),
                    _display(kb, b),
                    rng,
                    tags=("famous",),
                )
            )
    smoke += [r for r in pairs if r["expected_verdict"] == "no_known_interaction"][:4]
    smoke += [r for r in pairs if r["expected_verdict"] == "interaction"][:2]
    seen_kinds = set()
    for r in perturbed:
        if r["perturbation"] not in seen_kinds:
            seen_kinds.add(r["perturbation"])
            smoke.append(r)
    smoke += lists[:2]
    smoke = smoke[:22]

    extra_pairs = pair_records(sample_pairs(250, 350, used), "extra", "full")
    extra_pert = perturb(extra_pairs, "xpert", "full", 400)
    extra_lists = list_records(150, "xlist", "full")
    full = smoke[: len(famous)] + pairs + perturbed + lists + extra_pairs + extra_pert + extra_lists
    return {
        "smoke": smoke,
        "pairs": pairs,
        "perturbed": perturbed,
        "lists": lists,
        "full": full,
    }


def write(sets: dict[str, list[dict]], out: Path, kb_version: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, recs in sets.items():
        with open(out / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for r in recs:
                fh.write(json.dumps({**r, "kb_version": kb_version}, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "data/evals")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    kb = load_kb()
    sets = generate(kb, args.seed)
    write(sets, args.out, kb.version)
    for name, recs in sets.items():
        n_int = sum(r["expected_verdict"] == "interaction" for r in recs)
        print(f"{name}: {len(recs)} records ({n_int} interaction)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
