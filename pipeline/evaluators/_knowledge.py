"""Independent knowledge the evaluators check a run against (not an evaluator).

Evaluators must not trust what the run recorded about itself: they consult the evidence
sources again (`source_entries`), read the KB name table (`drug_names`), read the user's
question with the dictionary (`question_drugs`), map mechanism texts to pharmacological
concepts (`mechanism_support`) and read the answer text (`lines_naming`). None of this
reads gold labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

from pipeline.evidence import checked_by, default_sources
from pipeline.kb import load_kb
from pipeline.kb._text import normalise
from pipeline.names import extract_drugs, lookup
from pipeline.names._products import ingredients, product_ingredients
from pipeline.schemas import SEVERITY_ORDER, Evidence

__all__ = [
    "GENERIC_CONCEPTS",
    "all_pairs",
    "concepts",
    "drug_names",
    "kb_concepts",
    "lines_naming",
    "mechanism_support",
    "question_drugs",
    "severity_rank",
    "source_covers",
    "source_entries",
    "strong_enough",
]

_RANK = {s: i for i, s in enumerate(SEVERITY_ORDER)}


def severity_rank(severity: str) -> int:
    """0 = contraindicated ... 3 = minor, 4 = unknown."""
    return _RANK.get(severity, _RANK["unknown"])


# ----------------------------------------------------------------------- evidence sources


def source_entries(pair: Sequence[str]) -> list[Evidence]:
    """What the evidence sources list for the pair, looked up again (not the run's copy)."""

    a, b = pair
    out: list[Evidence] = []
    for source in default_sources():
        out.extend(source.lookup(a, b))
    return out


def source_covers(pair: Sequence[str]) -> list[str]:
    """[] when one exhaustive evidence source covers both drugs (its silence then means
    "nothing listed"); otherwise the drugs that some exhaustive source does not cover."""

    sources = default_sources()
    if checked_by(pair, sources):
        return []
    missing: list[str] = []
    for source in sources:
        if source.exhaustive:
            missing += [k for k in pair if not source.covers(k) and k not in missing]
    return missing


def all_pairs(keys: Iterable[str]) -> list[tuple[str, str]]:
    """Every unordered pair of distinct keys, sorted (the pairs a query must answer)."""
    ks = sorted(set(keys))
    return [(a, b) for i, a in enumerate(ks) for b in ks[i + 1 :]]


# ----------------------------------------------------------------------- names


@cache
def _kb_names(key: str) -> frozenset[str]:

    kb = load_kb()
    names = {normalise(key)}
    d = kb.drug(key)
    if d is not None:
        names.add(normalise(d.name))
    names.update(normalise(n.text) for n in kb.names(key))
    names.discard("")
    return frozenset(names)


def drug_names(key: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Normalised names of a drug in the KB name table (plus `extra`, e.g. the mentions)."""
    more = {normalise(x) for x in extra} - {""}
    return _kb_names(key) | more if more else _kb_names(key)


def names_key(text: str) -> set[str]:
    """The drug keys the KB name table (and the product table) gives for a name."""

    norm = normalise(text)
    if not norm:
        return set()
    product = product_ingredients(norm)
    if product:
        return set(product)
    kb = load_kb()
    out: set[str] = set()
    for n in kb.name_index().get(norm, ()):
        out.update(ingredients(kb, n.drug))
    return out


def question_drugs(query: str | Sequence[str], text: str) -> dict[str, str]:
    """The drugs the dictionary reads in the user's question (`query` as given, `text` the
    cleaned text): key -> the words naming it; products are read as their ingredients, a
    list item as one name."""

    kb = load_kb()
    out: dict[str, str] = {}

    def add(words: str, key: str | None) -> None:
        product = product_ingredients(normalise(words))
        keys = product or (ingredients(kb, key) if key else ())
        for k in keys:
            out.setdefault(k, words)

    if not isinstance(query, str):
        for item in (str(x).strip() for x in query):
            if item:
                res = lookup(item)
                add(item, res.drug.key if res.drug else None)
        return out
    for m in extract_drugs(text):
        add(m.text, m.drug.key if m.drug else None)
    return out


# ----------------------------------------------------------------------- answer text


def _pad(text: str) -> str:
    return f" {normalise(text)} "


def _spans(padded: str, names: Iterable[str]) -> list[tuple[int, int]]:
    out = []
    for n in names:
        needle = f" {n} "
        i = padded.find(needle)
        while i >= 0:
            out.append((i + 1, i + 1 + len(n)))
            i = padded.find(needle, i + 1)
    return out


def lines_naming(answer: str, names_a: Iterable[str], names_b: Iterable[str]) -> list[str]:
    """The lines of the answer that name both drugs. Each drug is looked for by the names
    that are not also names of the other (a product's name, "Percocet", names each of its
    parts); when one drug has no name of its own (an INN/USAN duplicate), by all its names,
    at two places of the line that do not overlap."""
    set_a, set_b = {n for n in names_a if n}, {n for n in names_b if n}
    own_a, own_b = set_a - set_b, set_b - set_a
    out = []
    for line in answer.splitlines():
        padded = _pad(line)
        if own_a and own_b:
            if _spans(padded, own_a) and _spans(padded, own_b):
                out.append(line)
            continue
        spans_b = _spans(padded, set_b)
        if any(e1 <= s2 or e2 <= s1 for s1, e1 in _spans(padded, set_a) for s2, e2 in spans_b):
            out.append(line)
    return out


def names_in(answer: str, names: Iterable[str]) -> bool:
    padded = _pad(answer.replace("\n", " "))
    return any(f" {n} " in padded for n in names if n)


#: wording at least as strong as each severity level, for the answer's line about a pair
_STRENGTH = {
    "contraindicated": (
        r"contra.?indicat|do not (?:take|combine|use)|must not|never (?:take|combine)"
    ),
    "major": r"\bmajor\b|\bavoid|serious|severe|dangerous",
    "moderate": r"moderate|monitor|caution|dose|doctor.s or pharmacist.s advice",
    "minor": r"interaction|\brisk|pharmacist|doctor|warn|mention",
}


def strong_enough(line: str, severity: str) -> bool:
    """Whether `line` words the risk at least as strongly as `severity` demands."""
    rank = severity_rank(severity)
    if rank >= severity_rank("unknown"):
        return True
    levels = [s for s in SEVERITY_ORDER[: rank + 1] if s in _STRENGTH]
    pattern = "|".join(_STRENGTH[s] for s in levels)
    return re.search(pattern, line, re.IGNORECASE) is not None


# ----------------------------------------------------------------------- mechanisms

#: English pharmacological concepts of a mechanism text (regex on the lowercased text)
CONCEPT_PATTERNS: dict[str, str] = {
    "bleeding": r"bleed|haemorrh|hemorrh|anticoagul|antiplatelet|platelet|\binr\b|"
    r"vitamin k antagonist|antithrombotic",
    "cardiac_rhythm": r"\bqt\b|torsade|arrhythm|fibrillation|tachycard|bradycard|heart rate|"
    r"automaticity|atrioventricular|conduction disorder|pacemaker",
    "serotonin": r"serotonin|serotonergic|\bmaoi?s?\b|monoamine oxidase",
    "seizures": r"seizure|convuls|epilep",
    "raised_levels": r"(?:increas|rais|elevat|higher|boost)\w*[^.;]{0,60}(?:concentration|"
    r"level|exposure|plasma|serum|\bauc\b|bioavailab)|(?:decreas|reduc|inhibit|impair|"
    r"lower|slow)\w*[^.;]{0,50}(?:metabolism|clearance|elimination|excretion)|\bcyp\s?\d|"
    r"p-?glycoprotein|overdos",
    "lowered_levels": r"(?:decreas|reduc|lower|diminish|fall)\w*[^.;]{0,60}(?:concentration|"
    r"level|exposure|absorption|bioavailab|efficacy)|\binduc(?:er|tion|es|ing)\b|"
    r"loss of (?:efficacy|effect)|less effective|ineffective|treatment failure",
    "sedation": r"sedat|drowsi|somnolen|respiratory depression|cns depress|"
    r"central nervous system depress|alertness",
    "hypotension": r"hypotens|blood pressure|vasodilat|antihypertensive",
    "hypertension": r"hypertensi",
    "potassium": r"hyperkal|hypokal|potassium",
    "sodium": r"hyponatr|sodium",
    "renal": r"renal|kidney|nephro",
    "hepatic": r"hepat|liver|transaminase",
    "myopathy": r"myopath|rhabdomyol|muscle|muscular|creatine kinase",
    "glucose": r"hypoglyc|hyperglyc|blood.?(?:sugar|glucose)|glycaemi|glycemi",
    "haematological": r"haematolog|hematolog|myelotox|neutropen|agranulocyt|pancytopen|"
    r"marrow|leukopen|leucopen",
    "immunosuppression": r"immunosuppress|immunodepress|infection|vaccin",
    "anticholinergic": r"anticholinerg|atropin",
    "absorption": r"absorption|chelat",
    "vasoconstriction": r"ergotism|vasoconstrict",
    "lactic_acidosis": r"lactic acidosis",
    "disulfiram": r"disulfiram|antabuse",
    "ototoxicity": r"ototox|hearing",
    "photosensitivity": r"photosensit",
    "toxicity": r"toxicit|toxic\b|adverse effect|side effect|undesirable effect",
}
_CONCEPTS = {k: re.compile(v) for k, v in CONCEPT_PATTERNS.items()}
#: concepts too broad to confirm or contradict a specific mechanism
GENERIC_CONCEPTS = frozenset({"toxicity"})

#: KB (ANSM) mechanism categories (`pipeline.kb._rules.CATEGORY_PATTERNS`) -> concepts
_KB_CATEGORY = {
    "bleeding_risk": "bleeding",
    "qt_prolongation": "cardiac_rhythm",
    "arrhythmia": "cardiac_rhythm",
    "bradycardia": "cardiac_rhythm",
    "serotonin_syndrome": "serotonin",
    "serotonergic_or_mao": "serotonin",
    "convulsions": "seizures",
    "hyperkalaemia": "potassium",
    "hypokalaemia": "potassium",
    "hyponatraemia": "sodium",
    "raised_levels": "raised_levels",
    "enzyme_inhibition": "raised_levels",
    "reduced_renal_clearance": "raised_levels",
    "transporter_effect": "raised_levels",
    "lowered_levels": "lowered_levels",
    "enzyme_induction": "lowered_levels",
    "reduced_efficacy": "lowered_levels",
    "additive_sedation": "sedation",
    "hypotension": "hypotension",
    "hypertension": "hypertension",
    "hypertensive_crisis": "hypertension",
    "nephrotoxicity": "renal",
    "hepatotoxicity": "hepatic",
    "ototoxicity": "ototoxicity",
    "myopathy_rhabdomyolysis": "myopathy",
    "hypoglycaemia": "glucose",
    "hyperglycaemia": "glucose",
    "immunosuppression": "immunosuppression",
    "haematological_toxicity": "haematological",
    "anticholinergic": "anticholinergic",
    "toxicity_increase": "toxicity",
    "reduced_absorption": "absorption",
    "ergotism": "vasoconstriction",
    "lactic_acidosis": "lactic_acidosis",
    "disulfiram_reaction": "disulfiram",
    "photosensitivity": "photosensitivity",
}


def concepts(text: str) -> set[str]:
    """The pharmacological concepts a mechanism text names."""
    low = " ".join(str(text).casefold().split())
    return {k for k, rx in _CONCEPTS.items() if rx.search(low)}


def kb_concepts(pair: Sequence[str]) -> set[str]:
    """Concepts of the KB's (ANSM) entries for the pair, from their mechanism categories
    (read from the reviewed English texts at build time)."""

    out: set[str] = set()
    for i in load_kb().interactions(*pair):
        out.update(_KB_CATEGORY[c] for c in i.categories if c in _KB_CATEGORY)
        out |= concepts(i.mechanism_en)
    return out


def mechanism_support(claim: str, reference: set[str]) -> bool | None:
    """Whether a claimed mechanism shares a specific concept with the reference concepts:
    True (shares one), False (names specific concepts, none of the reference's), None
    (nothing to compare: the claim or the reference names no specific concept)."""
    specific_claim = concepts(claim) - GENERIC_CONCEPTS
    specific_ref = reference - GENERIC_CONCEPTS
    if not specific_claim or not specific_ref:
        return None
    return bool(specific_claim & specific_ref)
