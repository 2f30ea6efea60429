"""Mechanism rules on hand-made profiles: one test per rule family, and properties that
hold for any profiles (symmetry, monotonicity, every finding cites the facts it used)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.evidence._pharmacology import find_interactions
from pipeline.evidence._profiles import ABSORPTION_TARGETS, EFFECTS, ENZYMES, Fact, Profile

SRC = {"source": "FDA label, test (section 7)", "year": 2020}


def fact(kind, target, strength, **kw):
    return Fact(kind=kind, target=target, strength=strength, **SRC, **kw)


def profile(drug, *facts):
    return Profile(drug=drug, facts=facts)


def severities(a, b):
    return {(f.rule, f.severity) for f in find_interactions(a, b)}


def test_strong_inhibitor_of_a_sensitive_substrate_is_major_and_names_both():
    fluvoxamine = profile("fluvoxamine", fact("inhibitor", "CYP1A2", "strong"))
    tizanidine = profile("tizanidine", fact("substrate", "CYP1A2", "sensitive", nti=True))
    (finding,) = find_interactions(fluvoxamine, tizanidine)
    assert (finding.rule, finding.severity) == ("enzyme_inhibition", "major")
    assert "fluvoxamine" in finding.mechanism and "tizanidine" in finding.mechanism
    assert "CYP1A2" in finding.mechanism and "rises" in finding.mechanism


def test_inhibition_is_graded_by_both_strengths():
    sub = profile("victim", fact("substrate", "CYP3A", "moderate"))
    strong = profile("strong", fact("inhibitor", "CYP3A", "strong"))
    moderate = profile("mod", fact("inhibitor", "CYP3A", "moderate"))
    weak = profile("weak", fact("inhibitor", "CYP3A", "weak"))
    assert severities(strong, sub) == {("enzyme_inhibition", "moderate")}
    assert severities(moderate, sub) == {("enzyme_inhibition", "minor")}
    assert severities(weak, sub) == set()  # weak x moderate: too small to flag
    nti = profile("victim", fact("substrate", "CYP3A", "moderate", nti=True))
    assert severities(strong, nti) == {("enzyme_inhibition", "major")}
    assert severities(moderate, nti) == {("enzyme_inhibition", "moderate")}


def test_inhibitor_of_another_pathway_does_nothing():
    a = profile("drug a", fact("inhibitor", "CYP2D6", "strong"))
    b = profile("drug b", fact("substrate", "CYP3A", "sensitive"))
    assert find_interactions(a, b) == []


def test_strong_inducer_lowers_a_sensitive_substrate():
    rifampin = profile("rifampin", fact("inducer", "CYP3A", "strong"))
    midazolam = profile("midazolam", fact("substrate", "CYP3A", "sensitive"))
    (finding,) = find_interactions(rifampin, midazolam)
    assert (finding.rule, finding.severity) == ("enzyme_induction", "major")
    assert "falls" in finding.mechanism and "stopped" in finding.management


def test_prodrug_activation_inhibited_means_loss_of_effect():
    omeprazole = profile("omeprazole", fact("inhibitor", "CYP2C19", "moderate"))
    clopidogrel = profile("clopidogrel", fact("prodrug", "CYP2C19", "major"))
    (finding,) = find_interactions(omeprazole, clopidogrel)
    assert (finding.rule, finding.severity) == ("prodrug_inhibition", "moderate")
    assert "prodrug" in finding.mechanism and "fail" in finding.mechanism


def test_two_known_risk_qt_drugs_rank_above_two_possible():
    known = [profile(f"k{i}", fact("effect", "qt_prolongation", "high")) for i in (1, 2)]
    possible = [profile(f"p{i}", fact("effect", "qt_prolongation", "moderate")) for i in (1, 2)]
    assert severities(*known) == {("additive_qt_prolongation", "major")}
    assert severities(*possible) == {("additive_qt_prolongation", "minor")}


def test_an_effect_in_only_one_drug_adds_nothing():
    a = profile("drug a", fact("effect", "bleeding", "high"))
    b = profile("drug b", fact("effect", "qt_prolongation", "high"))
    assert find_interactions(a, b) == []


def test_nitrate_with_pde5_inhibitor_is_contraindicated():
    a = profile("sildenafil", fact("effect", "cgmp_vasodilation", "high"))
    b = profile("nitroglycerin", fact("effect", "cgmp_vasodilation", "high"))
    assert severities(a, b) == {("additive_cgmp_vasodilation", "contraindicated")}


def test_mao_inhibitor_with_serotonergic_drug():
    maoi = profile("phenelzine", fact("effect", "mao_inhibition", "high"))
    ssri = profile("sertraline", fact("effect", "serotonergic", "high"))
    linezolid = profile("linezolid", fact("effect", "mao_inhibition", "moderate"))
    assert severities(maoi, ssri) == {("mao_inhibition+serotonergic", "contraindicated")}
    assert severities(linezolid, ssri) == {("mao_inhibition+serotonergic", "major")}


def test_alcohol_with_a_disulfiram_like_drug():
    alcohol = Profile(
        drug="alcohol", kind="interactant", facts=(fact("effect", "ethanol", "high"),)
    )
    metronidazole = profile("metronidazole", fact("effect", "aldh_inhibition", "moderate"))
    (finding,) = find_interactions(alcohol, metronidazole)
    assert finding.severity == "major" and "disulfiram" in finding.mechanism


def test_chelation_and_gastric_ph():
    calcium = profile(
        "calcium carbonate", fact("absorption_perpetrator", "polyvalent_cations", "high")
    )
    cipro = profile("ciprofloxacin", fact("absorption", "polyvalent_cations", "high"))
    (finding,) = find_interactions(calcium, cipro)
    assert (finding.rule, finding.severity) == ("reduced_absorption", "moderate")
    assert "2 hours" in finding.management
    ppi = profile("omeprazole", fact("absorption_perpetrator", "gastric_acid", "high"))
    atazanavir = profile("atazanavir", fact("absorption", "gastric_acid", "high"))
    assert severities(ppi, atazanavir) == {("reduced_absorption", "major")}
    antacid = profile("antacid", fact("absorption_perpetrator", "gastric_acid", "low"))
    low = profile("lowdrug", fact("absorption", "gastric_acid", "low"))
    assert severities(antacid, low) == set()


def test_lithium_clearance():
    thiazide = profile(
        "hydrochlorothiazide", fact("inhibitor", "renal lithium clearance", "moderate")
    )
    lithium = profile(
        "lithium", fact("substrate", "renal lithium clearance", "sensitive", nti=True)
    )
    (finding,) = find_interactions(thiazide, lithium)
    assert finding.severity == "major" and "renal clearance of lithium" in finding.mechanism


def test_a_profile_never_interacts_with_itself():
    p = profile(
        "drug x", fact("inhibitor", "CYP3A", "strong"), fact("substrate", "CYP3A", "sensitive")
    )
    assert find_interactions(p, p) == []


# --- properties ------------------------------------------------------------------------

_KINDS = {
    "substrate": (ENZYMES, ("sensitive", "moderate", "minor")),
    "prodrug": (ENZYMES, ("major", "minor")),
    "inhibitor": (ENZYMES, ("strong", "moderate", "weak")),
    "inducer": (ENZYMES, ("strong", "moderate", "weak")),
    "effect": (EFFECTS, ("high", "moderate", "low")),
    "absorption": (ABSORPTION_TARGETS, ("high", "moderate", "low")),
    "absorption_perpetrator": (ABSORPTION_TARGETS, ("high", "moderate", "low")),
}


_CONTRA = ("strong inhibitor", "moderate inhibitor", "strong inducer", "moderate inducer")


@st.composite
def facts(draw):
    kind = draw(st.sampled_from(sorted(_KINDS)))
    targets, strengths = _KINDS[kind]
    substrate = kind == "substrate"
    nti = draw(st.booleans()) if substrate else False
    contra = draw(st.lists(st.sampled_from(_CONTRA), unique=True, max_size=2)) if substrate else []
    target, strength = draw(st.sampled_from(targets)), draw(st.sampled_from(strengths))
    return fact(kind, target, strength, nti=nti, contraindicated_with=tuple(contra))


def profiles(name):
    return st.lists(facts(), max_size=8).map(lambda fs: Profile(drug=name, facts=tuple(fs)))


def _keyed(findings):
    return sorted((f.rule, f.severity, f.mechanism) for f in findings)


@settings(max_examples=200, deadline=None)
@given(profiles("drug a"), profiles("drug b"))
def test_rules_are_symmetric_in_the_pair(a, b):
    assert _keyed(find_interactions(a, b)) == _keyed(find_interactions(b, a))


@settings(max_examples=200, deadline=None)
@given(profiles("drug a"), profiles("drug b"), facts())
def test_adding_a_fact_never_removes_an_interaction(a, b, extra):
    before = _keyed(find_interactions(a, b))
    after = _keyed(find_interactions(a.model_copy(update={"facts": (*a.facts, extra)}), b))
    assert set(map(tuple, before)) <= set(map(tuple, after))


@settings(max_examples=200, deadline=None)
@given(profiles("drug a"), profiles("drug b"))
def test_every_finding_cites_facts_of_the_two_profiles(a, b):
    own = {"drug a": set(a.facts), "drug b": set(b.facts)}
    for finding in find_interactions(a, b):
        assert len(finding.facts) == 2
        assert {drug for drug, _ in finding.facts} == {"drug a", "drug b"}
        for drug, f in finding.facts:
            assert f in own[drug]
        assert finding.citation and finding.management


def test_a_label_contraindication_on_the_substrate_sets_the_severity():
    simvastatin = profile(
        "simvastatin",
        fact("substrate", "CYP3A", "sensitive", contraindicated_with=("strong inhibitor",)),
    )
    strong = profile("itraconazole", fact("inhibitor", "CYP3A", "strong"))
    moderate = profile("diltiazem", fact("inhibitor", "CYP3A", "moderate"))
    (finding,) = find_interactions(strong, simvastatin)
    assert finding.severity == "contraindicated" and "contraindicates" in finding.management
    assert severities(moderate, simvastatin) == {("enzyme_inhibition", "moderate")}
    paxlovid = profile(
        "nirmatrelvir",
        fact("substrate", "CYP3A", "sensitive", contraindicated_with=("strong inducer",)),
    )
    rifampin = profile("rifampin", fact("inducer", "CYP3A", "strong"))
    assert severities(rifampin, paxlovid) == {("enzyme_induction", "contraindicated")}
