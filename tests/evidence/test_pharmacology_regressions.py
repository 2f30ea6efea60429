"""Pairs the thesaurus does not list, answered by the pharmacology source alone (the
thesaurus and the curated list left out): interaction, severity at least the floor
that labelling supports, and a mechanism naming the pathway."""

from __future__ import annotations

import pytest

from pipeline import ask
from pipeline.evidence._rules_source import PharmacologyRules
from pipeline.names import resolve
from pipeline.schemas import SEVERITY_ORDER

ONLY_MECHANISMS = ("pharm", "onc")

CASES = [
    # (drug, drug, severity floor, words the mechanism must contain)
    ("tizanidine", "fluvoxamine", "major", ("CYP1A2",)),
    ("trazodone", "linezolid", "major", ("serotonin",)),
    ("ketorolac", "ibuprofen", "moderate", ("bleeding",)),
    ("doxycycline", "calcium carbonate", "moderate", ("cations",)),
    ("ramelteon", "fluvoxamine", "major", ("CYP1A2",)),
    ("simvastatin", "clarithromycin", "major", ("CYP3A",)),
    ("clopidogrel", "omeprazole", "moderate", ("CYP2C19",)),
    ("sildenafil", "isosorbide mononitrate", "contraindicated", ("cGMP",)),
    ("lithium", "hydrochlorothiazide", "major", ("lithium",)),
    ("metronidazole", "alcohol", "major", ("disulfiram",)),
    ("oxycodone", "alprazolam", "major", ("breathing",)),
    ("atazanavir", "omeprazole", "major", ("gastric",)),
    ("phenelzine", "pseudoephedrine", "major", ("sympathomimetic",)),
    ("spironolactone", "potassium chloride", "major", ("potassium",)),
    # thyroid hormone, gastric emptying, fruit juice (OATP1A2), MAO-A
    ("levothyroxine", "warfarin", "moderate", ("clotting factors",)),
    ("levothyroxine", "semaglutide", "moderate", ("gastric emptying",)),
    ("fexofenadine", "grapefruit juice", "moderate", ("OATP1A2",)),
    ("rizatriptan", "propranolol", "moderate", ("MAO-A",)),
    # label actions on a pathway (dose change, avoid, dual-pathway statements)
    ("amiodarone", "grapefruit juice", "moderate", ("CYP3A",)),
    ("siponimod", "fluconazole", "major", ("CYP2C9", "CYP3A")),
    ("theophylline", "zileuton", "moderate", ("CYP1A2",)),
    ("ramelteon", "fluconazole", "moderate", ("CYP2C9",)),
    ("cilostazol", "omeprazole", "moderate", ("CYP2C19",)),
    ("canagliflozin", "rifampin", "moderate", ("UGT1A9",)),
    ("canagliflozin", "digoxin", "moderate", ("P-gp",)),
    ("tizanidine", "amiodarone", "major", ("CYP1A2",)),
    ("valproic acid", "meropenem", "major", ("valproate",)),
    # pharmacodynamic families
    ("alcohol", "duloxetine", "moderate", ("liver",)),
    ("empagliflozin", "furosemide", "moderate", ("volume depletion",)),
    ("cabotegravir", "magnesium hydroxide", "moderate", ("cations",)),
    ("riociguat", "vericiguat", "contraindicated", ("guanylate cyclase",)),
    ("vericiguat", "sildenafil", "major", ("PDE5",)),
    ("caffeine", "regadenoson", "moderate", ("adenosine",)),
    ("warfarin", "phytomenadione", "moderate", ("vitamin K",)),
    ("lisinopril", "sacubitril", "contraindicated", ("neprilysin",)),
    ("enalapril", "sacubitril", "contraindicated", ("neprilysin",)),
    ("naltrexone", "oxycodone", "contraindicated", ("opioid",)),
    ("naloxegol", "naltrexone", "major", ("opioid",)),
    ("ibuprofen", "lisinopril", "moderate", ("renal",)),
    ("tadalafil", "doxazosin", "moderate", ("alpha-1",)),
    ("sumatriptan", "dihydroergotamine", "contraindicated", ("vasospasm",)),
    # supplements (NIH NCCIH fact sheets; monacolin K is lovastatin)
    ("red yeast rice", "clarithromycin", "contraindicated", ("CYP3A",)),
    ("red yeast rice", "atorvastatin", "major", ("muscle",)),
    ("kava", "alprazolam", "moderate", ("central nervous system",)),
    ("kratom", "oxycodone", "moderate", ("central nervous system",)),
    ("cranberry", "warfarin", "moderate", ("bleeding",)),
    ("garlic", "apixaban", "moderate", ("bleeding",)),
]

#: pairs that labelling reports as not interacting (or with nothing shared): the mechanism
#: source must stay silent on them
SILENT = [
    ("cetirizine", "azithromycin"),
    ("cetirizine", "erythromycin"),
    ("cetirizine", "ketoconazole"),
    ("montelukast", "digoxin"),
    ("apixaban", "famotidine"),
    ("oseltamivir", "cimetidine"),
    ("letrozole", "cimetidine"),
    ("anastrozole", "cimetidine"),
    ("loratadine", "omeprazole"),
    ("levetiracetam", "digoxin"),
    ("memantine", "donepezil"),
    ("varenicline", "metformin"),
    ("empagliflozin", "simvastatin"),
    ("dapagliflozin", "simvastatin"),
    ("fexofenadine", "omeprazole"),
    ("levothyroxine", "lisinopril"),
    ("levothyroxine", "atorvastatin"),
    ("sumatriptan", "propranolol"),
    ("naloxegol", "oxycodone"),
    ("ethinylestradiol", "semaglutide"),
]


@pytest.mark.parametrize(("a", "b", "floor", "words"), CASES)
def test_mechanism_source_finds_the_interaction(a, b, floor, words):
    report = ask([a, b], sources=ONLY_MECHANISMS)
    (pair,) = report.pairs
    assert pair.verdict == "interacts", report.answer
    assert SEVERITY_ORDER.index(pair.severity) <= SEVERITY_ORDER.index(floor), pair.severity
    text = " ".join(e.mechanism for e in pair.evidence if e.inferred or e.source.startswith("onc"))
    for word in words:
        assert word.lower() in text.lower(), text
    assert any(e.inferred for e in pair.evidence) or "high-priority" in pair.source_level


def test_inferred_interactions_say_so():
    report = ask(["tizanidine", "fluvoxamine"], sources=("pharm",))
    (pair,) = report.pairs
    assert "mechanism-based (inferred)" in pair.source_level
    assert "inferred" in report.answer


def test_unrelated_drugs_have_no_mechanism_finding():
    report = ask(["amoxicillin", "acetaminophen"], sources=ONLY_MECHANISMS)
    (pair,) = report.pairs
    assert pair.verdict == "no_evidence"
    assert report.verdict == "no_known_interaction"


@pytest.mark.parametrize(("a", "b"), SILENT)
def test_pairs_without_an_interaction_stay_silent(a, b):
    ka, kb = resolve(a), resolve(b)
    assert ka is not None and kb is not None
    rules = PharmacologyRules()
    assert rules.covers(ka.key) and rules.covers(kb.key)
    assert rules.findings(ka.key, kb.key) == [], (a, b)


@pytest.mark.parametrize(("a", "b"), [("ashwagandha", "levothyroxine"), ("kava", "levothyroxine")])
def test_a_supplement_profile_does_not_clear_a_pair(a, b):
    """Supplement profiles are not exhaustive (products vary; NCCIH lists interactions the
    rules cannot express): a pair on which no rule fires stays in review."""
    ka = resolve(a)
    assert ka is not None and not PharmacologyRules().covers(ka.key)
    assert ask([a, b]).verdict == "needs_review"
