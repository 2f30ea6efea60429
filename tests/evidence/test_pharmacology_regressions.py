"""Pairs the thesaurus does not list, answered by the pharmacology source alone (the
thesaurus and the curated list left out): interaction, severity at least the floor
that labelling supports, and a mechanism naming the pathway."""

from __future__ import annotations

import pytest

from pipeline import ask
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
