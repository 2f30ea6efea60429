"""Mechanism rules on hand-made profiles: one test per rule family, and properties that
hold for any profiles (symmetry, monotonicity, every finding cites the facts it used)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.evidence._pharmacology import find_interactions, shared_mechanisms
from pipeline.evidence._profiles import (
    ABSORPTION_TARGETS,
    EFFECTS,
    ENZYMES,
    LABEL_CLASSES,
    Fact,
    Profile,
)

SRC = {"source": "FDA label, test (section 7)", "year": 2020}


def fact(kind, target, strength, **kw):
    return Fact(kind=kind, target=target, strength=strength, **SRC, **kw)


NO_FACTS = {"no_facts_source": "FDA label, test (no interactions listed)", "no_facts_year": 2020}


def profile(drug, *facts):
    return Profile(drug=drug, facts=facts, **({} if facts else NO_FACTS))


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


_CONTRA = LABEL_CLASSES


@st.composite
def facts(draw):
    kind = draw(st.sampled_from(sorted(_KINDS)))
    targets, strengths = _KINDS[kind]
    target, strength = draw(st.sampled_from(targets)), draw(st.sampled_from(strengths))
    if kind != "substrate":
        return fact(kind, target, strength)
    classes = st.lists(st.sampled_from(_CONTRA), unique=True, max_size=2)
    labels = {
        f: tuple(draw(classes)) for f in ("contraindicated_with", "avoid_with", "adjust_with")
    }
    combined: tuple[str, ...] = ()
    if any(labels.values()) and draw(st.booleans()):
        combined = (draw(st.sampled_from([e for e in ENZYMES if e != target])),)
    return fact(kind, target, strength, nti=draw(st.booleans()), combined_with=combined, **labels)


def profiles(name):
    return st.lists(facts(), max_size=8).map(lambda fs: profile(name, *fs))


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
def test_a_fired_rule_always_rests_on_a_shared_mechanism(a, b):
    """The doubt guard (`shared_mechanisms`) is never narrower than the rules: whatever
    fires, the two profiles share a mechanism; and it is symmetric in the pair."""
    shared = shared_mechanisms(a, b)
    assert shared == shared_mechanisms(b, a)
    if find_interactions(a, b):
        assert shared


def test_a_shared_effect_below_the_threshold_is_a_shared_mechanism_not_a_finding():
    a = profile("drug a", fact("effect", "hypotension", "moderate"))
    b = profile("drug b", fact("effect", "hypotension", "moderate"))
    assert not find_interactions(a, b)
    assert shared_mechanisms(a, b) == [
        "both lower blood pressure (drug a moderate, drug b moderate)"
    ]
    weak = profile("drug c", fact("inhibitor", "CYP3A", "weak"))
    minor = profile("drug d", fact("substrate", "CYP3A", "minor"))
    assert not find_interactions(weak, minor)
    assert shared_mechanisms(weak, minor) == [
        "drug c is a weak CYP3A inhibitor and drug d a minor CYP3A substrate"
    ]
    assert shared_mechanisms(a, minor) == []


@settings(max_examples=200, deadline=None)
@given(profiles("drug a"), profiles("drug b"))
def test_every_finding_cites_facts_of_the_two_profiles(a, b):
    own = {"drug a": set(a.facts), "drug b": set(b.facts)}
    for finding in find_interactions(a, b):
        # two facts, or three when a label statement needs one drug on two pathways
        assert len(finding.facts) in (2, 3)
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


# --- label actions on substrate facts -------------------------------------------------


def test_a_label_dose_adjustment_or_avoidance_sets_a_floor():
    # cilostazol: minor CYP2C19 substrate whose label halves the dose with CYP2C19 inhibitors
    cilostazol = profile(
        "cilostazol", fact("substrate", "CYP2C19", "minor", adjust_with=("moderate inhibitor",))
    )
    omeprazole = profile("omeprazole", fact("inhibitor", "CYP2C19", "moderate"))
    weak = profile("weak", fact("inhibitor", "CYP2C19", "weak"))
    (finding,) = find_interactions(omeprazole, cilostazol)
    assert finding.severity == "moderate" and "label" in finding.management
    assert find_interactions(weak, cilostazol) == []  # a weak inhibitor is not in that class
    # tizanidine: the label avoids any CYP1A2 inhibitor, even a weak one
    tizanidine = profile(
        "tizanidine",
        fact("substrate", "CYP1A2", "sensitive", nti=True, avoid_with=("weak inhibitor",)),
    )
    amiodarone = profile("amiodarone", fact("inhibitor", "CYP1A2", "weak"))
    (finding,) = find_interactions(amiodarone, tizanidine)
    assert finding.severity == "major" and "even weak" in finding.management


def test_a_label_action_never_lowers_the_graded_severity():
    sub = profile(
        "victim", fact("substrate", "CYP3A", "sensitive", adjust_with=("strong inhibitor",))
    )
    strong = profile("strong", fact("inhibitor", "CYP3A", "strong"))
    assert severities(strong, sub) == {("enzyme_inhibition", "major")}


def test_a_label_action_on_inducers():
    canagliflozin = profile(
        "canagliflozin", fact("substrate", "UGT1A9", "moderate", adjust_with=("weak inducer",))
    )
    rifampin = profile("rifampin", fact("inducer", "UGT1A9", "moderate"))
    (finding,) = find_interactions(rifampin, canagliflozin)
    assert finding.severity == "moderate" and "higher canagliflozin dose" in finding.management


def test_a_combined_pathway_statement_needs_one_drug_on_both_pathways():
    siponimod = profile(
        "siponimod",
        fact("substrate", "CYP2C9", "moderate", adjust_with=("moderate inhibitor",)),
        fact(
            "substrate",
            "CYP2C9",
            "moderate",
            avoid_with=("moderate inhibitor",),
            combined_with=("CYP3A",),
        ),
    )
    fluconazole = profile(
        "fluconazole",
        fact("inhibitor", "CYP2C9", "moderate"),
        fact("inhibitor", "CYP3A", "moderate"),
    )
    only_2c9 = profile("only 2c9", fact("inhibitor", "CYP2C9", "moderate"))
    weak_3a = profile(
        "weak 3a", fact("inhibitor", "CYP2C9", "moderate"), fact("inhibitor", "CYP3A", "weak")
    )
    found = find_interactions(fluconazole, siponimod)
    assert [f.severity for f in found] == ["major", "moderate"]
    assert len(found[0].facts) == 3 and "CYP3A" in found[0].mechanism
    assert severities(only_2c9, siponimod) == {("enzyme_inhibition", "moderate")}
    assert severities(weak_3a, siponimod) == {("enzyme_inhibition", "moderate")}


def test_a_combined_fact_needs_a_label_action():
    import pytest

    with pytest.raises(ValueError):
        fact("substrate", "CYP2C9", "moderate", combined_with=("CYP3A",))
    with pytest.raises(ValueError):
        fact("inhibitor", "CYP2C9", "moderate", adjust_with=("moderate inhibitor",))


def test_carbapenems_lower_valproate():
    meropenem = profile("meropenem", fact("inhibitor", "acylpeptide hydrolase", "strong"))
    valproate = profile(
        "valproic acid", fact("substrate", "acylpeptide hydrolase", "sensitive", nti=True)
    )
    (finding,) = find_interactions(meropenem, valproate)
    assert finding.severity == "major"
    assert "fall" in finding.mechanism and "rises" not in finding.mechanism
    assert "carbapenem" in finding.management


# --- new absorption targets -----------------------------------------------------------


def test_fruit_juice_blocks_intestinal_uptake():
    juice = Profile(
        drug="grapefruit juice",
        kind="interactant",
        facts=(fact("absorption_perpetrator", "OATP1A2", "high"),),
    )
    fexofenadine = profile("fexofenadine", fact("absorption", "OATP1A2", "moderate"))
    (finding,) = find_interactions(juice, fexofenadine)
    assert (finding.rule, finding.severity) == ("reduced_absorption", "moderate")
    assert "water" in finding.management


def test_delayed_gastric_emptying_is_graded_by_both_sides():
    semaglutide = profile(
        "semaglutide", fact("absorption_perpetrator", "gastric_emptying", "moderate")
    )
    tirzepatide = profile("tirzepatide", fact("absorption_perpetrator", "gastric_emptying", "high"))
    levothyroxine = profile("levothyroxine", fact("absorption", "gastric_emptying", "moderate"))
    pill = profile("ethinyl estradiol", fact("absorption", "gastric_emptying", "low"))
    assert severities(semaglutide, levothyroxine) == {("altered_absorption", "moderate")}
    assert severities(tirzepatide, pill) == {("altered_absorption", "moderate")}
    assert severities(semaglutide, pill) == set()  # the oral-semaglutide study found none


# --- new effect families --------------------------------------------------------------


def effect(drug, target, strength):
    return profile(drug, fact("effect", target, strength))


def test_thyroid_hormone_raises_the_effect_of_vitamin_k_antagonists():
    (finding,) = find_interactions(
        effect("levothyroxine", "thyroid_hormone", "high"),
        effect("warfarin", "vitamin_k_antagonism", "high"),
    )
    assert finding.severity == "moderate" and "INR" in finding.management
    assert "clotting factors" in finding.mechanism


def test_carbonic_anhydrase_inhibitor_raises_metformin_lactic_acidosis_risk():
    topiramate = effect("topiramate", "metabolic_acidosis", "moderate")
    zonisamide = effect("zonisamide", "metabolic_acidosis", "moderate")
    metformin = effect("metformin", "lactic_acidosis", "high")
    assert severities(topiramate, metformin) == {("metabolic_acidosis+lactic_acidosis", "moderate")}
    assert severities(topiramate, zonisamide) == {("additive_metabolic_acidosis", "moderate")}
    weak = effect("zonisamide", "metabolic_acidosis", "low")
    assert severities(weak, metformin) == set()


def test_ace_inhibitor_with_neprilysin_inhibitor_is_contraindicated():
    sacubitril = effect("sacubitril", "neprilysin_inhibition", "high")
    lisinopril = effect("lisinopril", "angioedema", "high")
    everolimus = effect("everolimus", "angioedema", "moderate")
    assert severities(sacubitril, lisinopril) == {
        ("neprilysin_inhibition+angioedema", "contraindicated")
    }
    assert severities(sacubitril, everolimus) == set()  # only the ACE inhibitor's angioedema


def test_sgc_stimulators_together_and_with_pde5_inhibitors():
    riociguat = effect("riociguat", "sgc_stimulation", "high")
    vericiguat = effect("vericiguat", "sgc_stimulation", "high")
    sildenafil = effect("sildenafil", "pde5_inhibition", "high")
    assert severities(riociguat, vericiguat) == {("additive_sgc_stimulation", "contraindicated")}
    assert severities(vericiguat, sildenafil) == {("sgc_stimulation+pde5_inhibition", "major")}


def test_opioid_antagonists():
    naltrexone = effect("naltrexone", "opioid_antagonism", "high")
    naloxegol = effect("naloxegol", "opioid_antagonism", "moderate")
    oxycodone = effect("oxycodone", "opioid_agonism", "high")
    assert severities(naltrexone, oxycodone) == {
        ("opioid_antagonism+opioid_agonism", "contraindicated")
    }
    assert severities(naloxegol, oxycodone) == set()  # a peripheral antagonist, given with opioids
    assert severities(naloxegol, naltrexone) == {("additive_opioid_antagonism", "major")}


def test_methylxanthines_block_adenosine_stress_agents():
    (finding,) = find_interactions(
        effect("caffeine", "adenosine_antagonism", "high"),
        effect("regadenoson", "adenosine_agonism", "high"),
    )
    assert finding.severity == "moderate" and "12 hours" in finding.management


def test_volume_depletion_raas_and_nsaids():
    sglt2 = effect("empagliflozin", "volume_depletion", "moderate")
    loop = effect("furosemide", "volume_depletion", "high")
    assert severities(sglt2, loop) == {("additive_volume_depletion", "moderate")}
    ace = effect("lisinopril", "raas_blockade", "high")
    arb = effect("losartan", "raas_blockade", "high")
    nsaid = effect("ibuprofen", "renal_prostaglandin_inhibition", "high")
    assert severities(ace, arb) == {("additive_raas_blockade", "major")}
    assert severities(nsaid, ace) == {("renal_prostaglandin_inhibition+raas_blockade", "moderate")}


def test_pde5_inhibitor_with_alpha_blocker_and_triptans_with_ergots():
    assert severities(
        effect("tadalafil", "pde5_inhibition", "high"),
        effect("doxazosin", "alpha1_blockade", "high"),
    ) == {("pde5_inhibition+alpha1_blockade", "moderate")}
    assert severities(
        effect("sumatriptan", "vasospasm", "high"), effect("dihydroergotamine", "vasospasm", "high")
    ) == {("additive_vasospasm", "contraindicated")}


def test_fluid_retention_and_photosensitivity_are_graded_conservatively():
    pioglitazone = effect("pioglitazone", "fluid_retention", "high")
    insulin = effect("insulin", "fluid_retention", "moderate")
    amlodipine = effect("amlodipine", "fluid_retention", "low")
    assert severities(pioglitazone, insulin) == {("additive_fluid_retention", "moderate")}
    assert severities(pioglitazone, amlodipine) == set()
    high = [effect(d, "photosensitivity", "high") for d in ("doxycycline", "voriconazole")]
    moderate = effect("hydrochlorothiazide", "photosensitivity", "moderate")
    assert severities(*high) == {("additive_photosensitivity", "minor")}
    assert severities(high[0], moderate) == set()


def test_weight_gain_alone_is_not_an_interaction():
    a, b = effect("olanzapine", "weight_gain", "high"), effect("clozapine", "weight_gain", "high")
    assert find_interactions(a, b) == []
