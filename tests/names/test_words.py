"""The common-word lists (`pipeline.names._words`) and the readings they make possible:
ordinary English, French and Spanish words are never drugs nor reported unresolved, while
drug names, misspellings and made-up names are still read or reported."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.names._read import read_query
from pipeline.names._resolver import default_index
from pipeline.names._words import common_words, drug_word

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _keys(query) -> set[str]:
    return {k for m in read_query(query).resolved for k in (m.ingredients or (m.drug.key,))}


def _unresolved(query) -> list[str]:
    return [m.text for m in read_query(query).unresolved]


@pytest.fixture(scope="module")
def cw():
    return common_words(default_index())


# ------------------------------------------------------------------ the lists
def test_lists_hold_everyday_words_of_three_languages_and_no_made_up_names(cw):
    words = ("clinician query amber molly pourquoi bonjour peligroso tension presion azucar "
             "ejercicio medecin grandpa cardiac")  # fmt: skip
    for w in words.split():
        assert cw.is_common(w), w
    for w in ("flurbizzle", "zorblaxin", "zanax", "metforman", "gabapenten", "lisinipril"):
        assert not cw.is_frequent(w), w


def test_drug_names_that_are_frequent_words_are_drug_words_not_common(cw):
    for w in ("aspirin", "iron", "alcohol", "xanax", "ibuprofen", "melatonin", "paracetamol",
              "ibuprofeno", "aspirina", "coffee", "doliprane"):  # fmt: skip
        assert not cw.is_common(w), w
        assert w in cw.drug_words, w


def test_kb_names_that_are_ordinary_words_are_common(cw):
    # UNII brands and synonyms that are words ("justice" is a spinosad brand, "reconcile"
    # a fluoxetine one), and substances nobody means as a medicine
    idx = default_index()
    for w in ("justice", "sector", "reconcile", "nostril", "depot", "rayos", "amber", "yeast",
              "rice", "serotonin"):  # fmt: skip
        assert w in idx.names, w
        assert cw.is_common(w) and not drug_word(idx, w), w


SAMPLE = sorted(common_words(default_index()).common)


@SETTINGS
@given(st.lists(st.sampled_from(SAMPLE), min_size=1, max_size=4))
def test_no_word_in_the_common_word_list_resolves_or_is_reported(words):
    text = f"I have {' '.join(words)} and take warfarin"
    reading = read_query(text)
    assert {m.drug.key for m in reading.resolved} == {"warfarin"}, text
    assert not reading.unresolved, text


@SETTINGS
@given(st.sampled_from(SAMPLE))
def test_a_common_word_alone_in_a_list_is_not_a_drug(word):
    assert not read_query(["warfarin", word]).resolved[1:], word


# ------------------------------------------------------------------ still read / reported
@pytest.mark.parametrize(
    ("text", "key"),
    [("zanax", "alprazolam"), ("metforman", "metformin"), ("gabapenten", "gabapentin"),
     ("Kcentra", "factor ix complex (human)"), ("clavulanate", "clavulanic acid"),
     ("Duonebs", "albuterol"), ("folate 1 mg", "folic acid")],
)  # fmt: skip
def test_misspelt_and_rare_names_still_resolve(text, key):
    assert key in _keys(f"pt on {text} and warfarin")


@pytest.mark.parametrize(
    "word", ["flurbizzle", "zorblaxin", "gribbenol", "tralvecin", "dulometrine"]
)
def test_made_up_names_are_still_reported(word):
    assert word in _unresolved(f"I was given {word} for my back, and I take warfarin")


def test_the_clinician_query_reads_two_drugs_and_nothing_else():
    reading = read_query("Clinician query: co-prescribing cholecalciferol and lisinopril?")
    assert [m.text for m in reading.mentions] == ["cholecalciferol", "lisinopril"]


@pytest.mark.parametrize(
    "text",
    ["Got my calcium score back (it's 0!), do i still need my aspirin?",
     "my potassium was 3.1 on my labs, I take furosemide",
     "my iron levels came back low but I already take omeprazole",
     "my sodium was 129 and I take sertraline",
     "serotonin syndrome counseling done for tramadol",
     "I iron clothes for a living and take amlodipine",
     "Pt on levothyroxine for thyroid",
     "Amber from work takes Ambien",
     "Fluconazole for yeast",
     "Reconcile w/ PCP: on metformin",
     "Cardiac rehab referral; on lisinopril",
     "Is it ok to take a Sinemet right after a protein shake?",
     "El potasio me salió en 3,1 y tomo furosemida",
     "potassium came back at 5.6 on lisinopril",
     "Labs at d/c: potassium 3.9, creatinine 1.1; on furosemide",
     "Potasio 6,1 y tomo espironolactona",
     "I take my thyroid pill (levothyroxine) first thing",
     "my friend said ashwagandha can mess with thyroid"],
)  # fmt: skip
def test_ordinary_senses_of_drug_words_are_not_drugs(text):
    for m in read_query(text).resolved:
        word = m.text.casefold()
        assert word not in {"calcium", "potassium", "iron", "sodium", "serotonin", "thyroid",
                            "amber", "yeast", "reconcile", "cardiac", "protein"}, text  # fmt: skip


def test_the_same_words_taken_as_medicines_still_resolve():
    assert _keys("I take iron 65 mg and potassium with warfarin") >= {"iron", "potassium"}
    assert "potassium" in _keys("potassium 20 mEq daily with lisinopril")
    assert "calcium" in _keys("calcium and levothyroxine")


def test_conditions_and_note_abbreviations_are_not_reported():
    text = ("Bradycardia, cellulitis, hematuria. AFib w/ RVR, eGFR 38, QTc 478, on CPAP. "
            "DDI flagged. Meds: metoprolol")  # fmt: skip
    assert _unresolved(text) == []
    assert _keys(text) == {"metoprolol"}
    french = "Kaliémie à 5,8, lombalgie, colique néphrétique. Sous Aldactone"
    assert _unresolved(french) == []


# ------------------------------------------------------------------ French and Spanish
@pytest.mark.parametrize(
    ("text", "keys"),
    [("Doliprane", {"acetaminophen"}), ("Kardégic", {"aspirin"}),
     ("Levothyrox", {"levothyroxine"}), ("Inexium", {"esomeprazole"}),
     ("Spasfon", {"phloroglucinol"}), ("Smecta", {"bentonite"}), ("Efferalgan", {"acetaminophen"}),
     ("Dafalgan", {"acetaminophen"}), ("Tahor", {"atorvastatin"}), ("Lasilix", {"furosemide"}),
     ("Nolotil", {"dipyrone"}), ("Sintrom", {"acenocoumarol"}), ("Adiro", {"aspirin"}),
     ("Orfidal", {"lorazepam"}), ("Omeprazol", {"omeprazole"}), ("Ibuprofeno", {"ibuprofen"}),
     ("Paracetamol", {"acetaminophen"}), ("té verde", {"green tea leaf"}),
     ("hierba de San Juan", {"st john's wort"}), ("bicarbonato", {"sodium bicarbonate"})],
)  # fmt: skip
def test_french_and_spanish_names(text, keys):
    assert _keys(f"{text} et warfarine") == keys | {"warfarin"}
    assert _keys(f"tomo {text} y warfarina") == keys | {"warfarin"}


def test_french_elision_reads_the_word_after_the_article():
    text = "je suis sous Xarelto, est ce que l'ibuprofène est dangereux ? et de l'aspirine ?"
    reading = read_query(text)
    assert [m.text for m in reading.mentions] == ["Xarelto", "ibuprofène", "aspirine"]
    assert all(reading.text[m.start : m.end] == m.text for m in reading.mentions)
    assert _keys(text) == {"rivaroxaban", "ibuprofen", "aspirin"}


@pytest.mark.parametrize(
    "text",
    ["Ma mère prend du Previscan pour sa tension, c'est risqué ? Bonjour, pourquoi ?",
     "hola, mi mamá toma losartán para la presión, ¿me sube el azúcar? ¿es peligroso?",
     "Mon médecin m'a prescrit du Tahor, c'est vrai ?"],
)  # fmt: skip
def test_french_and_spanish_ordinary_words_are_neither_drugs_nor_reported(text):
    reading = read_query(text)
    assert reading.unresolved == []
    assert len(reading.resolved) == 1


def test_smoking_in_french_and_spanish():
    assert _keys("Je fume un paquet par jour et je prends Deroxat") == {
        "tobacco leaf", "nicotine", "paroxetine"}  # fmt: skip
    assert _keys("Est-ce que je peux fumer un joint avec mon Deroxat ?") == {
        "dronabinol", "cannabidiol", "paroxetine"}  # fmt: skip
    assert _keys("¿Es malo fumar mota si tomo sertralina?") == {
        "dronabinol", "cannabidiol", "sertraline"}  # fmt: skip
    assert _keys("my joint pain is bad, I take naproxen") == {"naproxen"}


# ------------------------------------------------------------------ notes and products
@pytest.mark.parametrize(
    ("text", "keys"),
    [("atorva 80", {"atorvastatin"}), ("max simva 20 mg", {"simvastatin"}),
     ("azithro 500 IV", {"azithromycin"}), ("Vanc 1.25 g IV", {"vancomycin"}),
     ("Start dilt gtt", {"diltiazem"}), ("Allergic to PCN", {"penicillin g"}),
     ("insulin/D50", {"insulin", "glucose"}), ("Counseled re DXM", {"dextromethorphan"}),
     ("Mag started", {"magnesium sulfate"}), ("Took a Z-pack", {"azithromycin"}),
     ("Mucinex D", {"guaifenesin", "pseudoephedrine"}), ("Sudafed PE", {"phenylephrine"}),
     ("Senokot-S 2 tabs", {"senna", "docusate"}), ("Colace 100mg", {"docusate"}),
     ("Trelegy", {"fluticasone", "umeclidinium", "vilanterol"}), ("Mounjaro", {"tirzepatide"}),
     ("Nexplanon", {"etonogestrel"}), ("OTC iron supplement", {"iron"}),
     ("flu shot", {"influenza vaccines"}), ("Caltrate 600+D", {"calcium carbonate",
                                                              "cholecalciferol"}),
     ("ritonavir-boosted regimen", {"ritonavir"}), ("Lotensin HCT 20/25", {"benazepril",
                                                                          "hydrochlorothiazide"}),
     ("I'm on Mirena", {"levonorgestrel"}), ("Novolog 70/30", {"insulin aspart"})],
)  # fmt: skip
def test_note_shorthand_and_products(text, keys):
    assert _keys(f"{text}; also warfarin") == keys | {"warfarin"}


def test_units_and_hematocrit_are_not_drugs():
    assert _keys("Advair 250/50 1 inh BID") == {"fluticasone", "salmeterol"}
    assert "isoniazid" in _keys("INH 300 mg daily")
    assert _keys("Hct 32, Hgb 10; on warfarin") == {"warfarin"}
    assert _keys("aprepitant 80mg (days 2-3)") == {"aprepitant"}


def test_alcohol_free_and_non_alcoholic_drinks_are_not_alcohol():
    assert _keys("I use alcohol-free mouthwash on disulfiram") == {"disulfiram"}
    assert _keys("does drinking energy drinks interfere with my propranolol") == {
        "caffeine", "propranolol"}  # fmt: skip
    assert "alcohol" not in _keys("Pt drinks 4-5 coffees/day, on Eliquis")
    assert "alcohol" not in _keys("Meds: Ambien 10. Beers criteria review.")


def test_a_named_soft_drink_after_quantity_words_is_not_alcohol():
    assert _keys("he's been drinking a lot of green tea, on warfarin") == {"green tea leaf",
                                                                           "warfarin"}  # fmt: skip
    assert _keys("Pt drinks espresso w/ pills; levothyroxine") == {"caffeine", "levothyroxine"}
    assert "alcohol" in _keys("can I drink on Xanax?")
    assert "alcohol" in _keys("I had a drink last night, I'm on metronidazole")
    assert "alcohol" not in _keys("take it with a drink of water; amoxicillin")


def test_smoking_after_cannabis_is_not_read_as_tobacco():
    keys = _keys("Is it safe to smoke weed on sertraline? I only smoke on weekends")
    assert keys == {"dronabinol", "cannabidiol", "sertraline"}
    assert _keys("je fume de la beuh, et je vapote un peu") == {"dronabinol", "cannabidiol",
                                                               "nicotine"}  # fmt: skip
    assert {"tobacco leaf", "nicotine"} <= _keys("I smoke and take clozapine")


def test_medicines_that_are_frequent_words_are_read():
    # "adenosine" is a frequent English word and no source marks it clinical
    assert _keys("SVT, reverted with adenosine 6 mg IV") == {"adenosine"}
    assert "opium" in _keys("teinture d'opium et lopéramide")


def test_a_dose_after_an_abbreviation_is_not_a_code_name():
    # "NS 2" is also a research code (reproxalap): with a unit after it, it is a volume
    assert _keys("NS 2 L bolus, lorazepam 1 mg IV") == {"sodium chloride", "lorazepam"}
    assert _keys("lidocaine 2% w/ epi 1:100k") == {"lidocaine", "epinephrine"}


def test_context_rules_stay_inside_their_part_of_the_text():
    keys = _keys("Social hx: EtOH 3-4 drinks/day, 1 ppd tobacco x20y, marijuana occasionally.")
    assert {"alcohol", "nicotine", "tobacco leaf", "dronabinol"} <= keys


def test_chewed_tobacco_is_nicotine_without_smoke():
    assert _keys("I chew tobacco and take Chantix") == {"nicotine", "varenicline"}
    assert _keys("chewing tobacco and theophylline") == {"nicotine", "theophylline"}
