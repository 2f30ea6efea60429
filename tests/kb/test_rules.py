"""Mapping rules on real examples (pure functions: no data files needed)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.kb import normalise
from pipeline.kb._rules import (
    categorise,
    fold_salt,
    french_candidates,
    map_french,
    map_severity,
    severity_range,
)


@pytest.mark.parametrize(
    ("name", "parent"),
    [
        ("SERTRALINE HYDROCHLORIDE", "sertraline"),
        ("LEVOTHYROXINE SODIUM", "levothyroxine"),
        ("AMLODIPINE BESYLATE", "amlodipine"),
        ("METOPROLOL TARTRATE", "metoprolol"),
        ("DOXAZOSIN MESYLATE", "doxazosin"),
        ("ROSUVASTATIN CALCIUM", "rosuvastatin"),
        ("PAROXETINE HYDROCHLORIDE HEMIHYDRATE", "paroxetine"),
        ("QUETIAPINE FUMARATE", "quetiapine"),
        ("potassium chloride", "potassium chloride"),  # inorganic: kept whole
        ("sodium bicarbonate", "sodium bicarbonate"),
        ("warfarin", "warfarin"),
    ],
)
def test_fold_salt(name, parent):
    assert fold_salt(name) == parent


@pytest.mark.parametrize(
    ("level", "severity"),
    [
        ("CONTRE-INDICATION", "contraindicated"),
        ("Association DECONSEILLEE", "major"),
        ("Précaution d'emploi", "moderate"),
        ("A prendre en compte", "moderate"),
        ("Il convient de prendre en compte", "moderate"),
    ],
)
def test_map_severity(level, severity):
    assert map_severity(level) == severity


def test_severity_range_conditional():
    levels = ["CONTRE-INDICATION", "Association DECONSEILLEE", "A prendre en compte"]
    assert severity_range(levels) == ("contraindicated", "moderate")
    assert severity_range(["Précaution d'emploi"]) == ("moderate", "moderate")


def test_unknown_severity_raises():
    with pytest.raises(KeyError):
        map_severity("peut-être")


@pytest.mark.parametrize(
    ("fr", "candidate"),
    [
        ("amoxicilline", "amoxicillin"),
        ("warfarine", "warfarin"),
        ("ibuprofène", "ibuprofen"),
        ("acide valproïque", "valproic acid"),
        ("acide alendronique", "alendronate"),
        ("trihexyphenidyle", "trihexyphenidyl"),
        ("clarithromycine", "clarithromycin"),
        ("héparine sodique", "heparin"),
    ],
)
def test_french_candidates(fr, candidate):
    assert candidate in french_candidates(fr)


def _lookup(table):
    return lambda norm: table.get(norm)


def test_map_french_methods():
    table = {
        "warfarin": "warfarin",
        "acetaminophen": "acetaminophen",
        "insulin": "insulin",
        "silicon": "silicon",
        "valproic acid": "valproic acid",
    }
    lk = _lookup(table)
    assert map_french("warfarine", lk) == ("warfarin", "rule")
    assert map_french("paracetamol", lk) == ("acetaminophen", "lexicon")
    assert map_french("acide valproique", lk) == ("valproic acid", "rule")
    assert map_french("insuline glargine", lk) == ("insulin", "pattern")
    # traps: never map silicone -> silicon, clays stay unmapped
    assert map_french("silicone", lk) == (None, "lexicon-excluded")
    assert map_french("kaolin lourd", lk)[0] is None
    assert map_french("zzzz", lk) == (None, "unmapped")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Increased bleeding risk of the oral anticoagulant.", "bleeding_risk"),
        (
            "Increased risk of ventricular arrhythmias, notably torsades de pointes.",
            "qt_prolongation",
        ),
        ("Risk of serotonin syndrome.", "serotonin_syndrome"),
        ("Risk of potentially lethal hyperkalaemia.", "hyperkalaemia"),
        (
            "Increased risk of adverse effects such as rhabdomyolysis, through decreased "
            "metabolism of simvastatin.",
            "myopathy_rhabdomyolysis",
        ),
        (
            "Increased risk of adverse effects such as rhabdomyolysis, through decreased "
            "metabolism of simvastatin.",
            "enzyme_inhibition",
        ),
        (
            "Decreased plasma concentrations and efficacy of the oestroprogestogen, through "
            "increased hepatic metabolism by the inducer.",
            "enzyme_induction",
        ),
        (
            "Increased lithium levels, possibly to toxic values (decreased renal excretion of "
            "lithium).",
            "reduced_renal_clearance",
        ),
        ("Decreased digestive absorption of the fluoroquinolone.", "reduced_absorption"),
        ("Increased central depression.", "additive_sedation"),
        ("Risk of increased hypoglycaemic effect.", "hypoglycaemia"),
        ("Increased immunosuppression.", "immunosuppression"),
        ("Risk of decreased analgesic effect.", "reduced_efficacy"),
    ],
)
def test_categorise(text, category):
    assert category in categorise(text)


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        # an absorption interaction is not enzyme induction
        ("Decreased digestive absorption of the fluoroquinolone.", "enzyme_induction"),
        # a renal-clearance interaction is not enzyme inhibition
        (
            "Increased lithium levels, possibly to toxic values (decreased renal excretion of "
            "lithium).",
            "enzyme_inhibition",
        ),
        ("Increased risk of ventricular arrhythmias, notably torsades de pointes.", "other"),
    ],
)
def test_categories_come_from_the_text(text, wrong):
    assert wrong not in categorise(text)


@given(st.text(max_size=40))
def test_normalise_idempotent(text):
    n = normalise(text)
    assert normalise(n) == n
    assert n == n.strip() and "  " not in n


def test_normalise_examples():
    assert normalise("  St. John's   Wort ") == "st johns wort"
    assert normalise("Lévothyrox") == "levothyrox"
    assert normalise("ZOLOFT") == "zoloft"


def test_take_into_account_naming_a_severe_outcome_is_major():
    from pipeline.kb._rules import display_severity

    assert display_severity("take_into_account", "Risk of serotonin syndrome.") == "major"
    assert display_severity("take_into_account", "Added hypotensive effect.") == "moderate"
    assert display_severity("precaution", "", "Risque hémorragique.") == "major"
    assert display_severity("precaution", "Reduced absorption of the quinolone.") == "moderate"


def test_class_key_joins_hyphenation_splits():
    from pipeline.kb._rules import class_key

    assert class_key("bêta- bloquants (sauf esmolol)") == class_key("bêta-bloquants (sauf esmolol)")
    assert class_key("gastro- intestinaux") == class_key("gastro-intestinaux")
