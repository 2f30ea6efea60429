"""The one reading (`pipeline.names._read`): nothing dropped, nothing invented, and the same
answer from every entry point."""

from __future__ import annotations

import io
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import ask
from pipeline.api import plan_probes
from pipeline.kb import load_kb
from pipeline.names._cli import resolve_command
from pipeline.names._lexicon import BLOCK_EXACT
from pipeline.names._products import ENTRIES, PRODUCTS
from pipeline.names._read import read_query

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _keys(query) -> set[str]:
    return {k for m in read_query(query).resolved for k in (m.ingredients or (m.drug.key,))}


def _unresolved(query) -> list[str]:
    return [m.text for m in read_query(query).unresolved]


# ------------------------------------------------------------------ nothing dropped
@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("amoxicillin, acetaminophen and Yazzo", "Yazzo"),
        ("I took flurbizzle yesterday for my back pain, then warfarin", "flurbizzle"),
        ("warfarin, zorblaxin", "zorblaxin"),
        ("I'm on Qorvix 10 mg and aspirin", "Qorvix"),
        ("pt on QZV and warfarin", "QZV"),
        ("started blorpazole last week, also on warfarin", "blorpazole"),
        ("got a new rx called praxolunide for my stomach, ok with zoloft?", "praxolunide"),
        ("on a supplement 'mivoraxin' bought online", "mivoraxin"),
        # no drug resolves, but a capitalised unknown word is a name someone gave
        ("Is Strepsils safe for me?", "Strepsils"),
        # French and Spanish determiners before a product name
        ("je prends du Euphytose depuis un mois", "Euphytose"),
        ("mon Actifed et mon Doliprane", "Actifed"),
        ("mi Dolalgial y la warfarina", "Dolalgial"),
        # a decimal dose after the name ("0.5" normalises to "0 5")
        ("Pt presents Rx for lumacetrine 0.5 mg TID.", "lumacetrine"),
    ],
)
def test_unknown_drug_like_words_are_reported(query, word):
    assert word in _unresolved(query)


def test_unresolved_mention_keeps_the_answer_in_review():
    report = ask("amoxicillin, acetaminophen and Yazzo")
    assert [u.mention for u in report.unresolved] == ["Yazzo"]
    assert report.verdict != "no_known_interaction"


def test_ddi_resolve_exits_1_on_an_unresolved_mention():
    buf = io.StringIO()
    assert resolve_command("warfarin, zorblaxin", as_json=True, limit=0, out=buf) == 1
    data = json.loads(buf.getvalue())
    assert [d["canonical"] for d in data["drugs"]] == ["warfarin"]
    assert [u["mention"] for u in data["unresolved"]] == ["zorblaxin"]


# ------------------------------------------------------------------ everyday interactants
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("wine, beer, beers, vodka, whisky and liquor with warfarin", {"alcohol", "warfarin"}),
        ("a glass of wine and a few beers with metronidazole", {"alcohol", "metronidazole"}),
        ("Tums and Rolaids with ciprofloxacin",
         {"calcium carbonate", "magnesium hydroxide", "ciprofloxacin"}),
        ("Maalox or Mylanta with doxycycline",
         {"aluminum hydroxide", "magnesium hydroxide", "doxycycline"}),
        ("grapefruit and simvastatin", {"grapefruit juice", "simvastatin"}),
        ("coffee, espresso and an energy drink with clozapine", {"caffeine", "clozapine"}),
        ("I vape and take varenicline", {"nicotine", "varenicline"}),
        ("tobacco and theophylline", {"tobacco leaf", "nicotine", "theophylline"}),
        ("I smoke weed and take warfarin", {"dronabinol", "cannabidiol", "warfarin"}),
        ("smoking pot with clobazam", {"dronabinol", "cannabidiol", "clobazam"}),
        ("St. John's wort and sertraline", {"st john's wort", "sertraline"}),
        ("St Johns wort and sertraline", {"st john's wort", "sertraline"}),
        # French and Spanish: common words, so only the reviewed table reads them
        ("je bois de l'alcool avec mon Doliprane", {"alcohol", "acetaminophen"}),
        ("deux bières et du Xanax", {"alcohol", "alprazolam"}),
        ("tomo cervezas y sidra con metronidazol", {"alcohol", "metronidazole"}),
        ("je prends du Rennie et du Lévothyrox",
         {"calcium carbonate", "magnesium carbonate", "levothyroxine"}),
        ("regaliz y digoxina", {"licorice", "digoxin"}),
        ("safe to drink monster energy drinks on adderall?",
         {"caffeine", "amphetamine", "dextroamphetamine"}),
        ("how long after my last perc can i take tylenol", {"oxycodone", "acetaminophen"}),
    ],
)  # fmt: skip
def test_everyday_interactants(query, expected):
    assert _keys(query) == expected


def test_maalox_is_never_loperamide():
    assert "loperamide" not in _keys("Maalox and warfarin")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("I'm drinking lots of water with lithium", {"lithium"}),
        ("we made a pot of tea, and I take warfarin", {"warfarin"}),
        ("my mom takes warfarin", {"warfarin"}),
        ("weed killer in the garden, and I take warfarin", {"warfarin"}),
        ("is the rash from the pill or the sunscreen? I take warfarin", {"warfarin"}),
        ("I'm on the pill and just started rifampin", {"contraceptives, oral", "rifampin"}),
        ("je prends la pilule et du millepertuis", {"contraceptives, oral", "st john's wort"}),
    ],
)
def test_context_keeps_ordinary_uses_out(query, expected):
    assert _keys(query) == expected


# ------------------------------------------------------------------ abbreviations, products
@pytest.mark.parametrize(
    ("abbr", "expected"),
    [
        ("HCTZ", {"hydrochlorothiazide"}), ("ASA", {"aspirin"}), ("APAP", {"acetaminophen"}),
        ("MTX", {"methotrexate"}), ("NTG", {"nitroglycerin"}),
        ("SMX-TMP", {"sulfamethoxazole", "trimethoprim"}),
        ("TMP-SMX", {"sulfamethoxazole", "trimethoprim"}),
        ("KCl 20 mEq", {"potassium chloride"}), ("MOM", {"magnesium hydroxide"}),
    ],
)  # fmt: skip
def test_abbreviations(abbr, expected):
    assert _keys(f"{abbr} and warfarin") == expected | {"warfarin"}


@pytest.mark.parametrize(
    "product",
    ["Percocet", "Norco", "Vicodin", "Bactrim", "Augmentin", "Paxlovid", "Kaletra", "Cafergot",
     "Yaz", "Symbicort", "Tylenol PM", "Excedrin", "Advair", "Zestoretic", "Hyzaar", "Janumet",
     "Entresto", "Sinemet", "Alka-Seltzer"],
)  # fmt: skip
def test_combination_products_yield_all_ingredients(product):
    expected = set(PRODUCTS[" ".join(product.lower().replace("-", " ").split())])
    assert len(expected) >= 2
    assert _keys(f"{product} and warfarin") == expected | {"warfarin"}


@pytest.mark.parametrize(
    ("text", "key"),
    [("Nitrostat", "nitroglycerin"), ("nitroglycerin spray", "nitroglycerin"),
     ("nitro patch", "nitroglycerin"), ("Emsam", "selegiline"), ("metoprolol ER", "metoprolol"),
     ("Lantus pen", "insulin glargine")],
)  # fmt: skip
def test_formulations_fold_to_the_ingredient_and_keep_the_words(text, key):
    reading = read_query(f"{text} and warfarin")
    first = reading.resolved[0]
    assert first.ingredients == (key,)
    assert text.startswith(first.text)  # the user's words, at most without "ER"


def test_every_reviewed_entry_has_a_source_and_a_reason():
    kb = load_kb()
    for name, e in ENTRIES.items():
        assert e.source and e.reason, name
        assert e.ingredients and all(k in kb.drugs for k in e.ingredients), name


# ------------------------------------------------------------------ one path
def test_commas_plus_and_doses_read_the_same_everywhere():
    text = "linezolid plus sertraline, tizanidine with ciprofloxacin"
    expected = {"linezolid", "sertraline", "tizanidine", "ciprofloxacin"}
    assert _keys(text) == expected
    assert _keys([p.strip() for p in text.split(",")]) == expected  # list mode
    assert set(plan_probes(text)["drugs"]) == expected


def test_dose_and_frequency_text_is_never_a_drug_name():
    for query in ("metoprolol 25mg BID and warfarin", ["metoprolol 25mg BID", "warfarin"]):
        reading = read_query(query)
        assert [m.text for m in reading.mentions] == ["metoprolol", "warfarin"]


# ------------------------------------------------------------------ properties
DRUGS = ["warfarin", "Coumadin", "sertraline", "Percocet", "Bactrim", "KCl", "clarithromycin"]
FILLER = ["", ",", ";", " 25 mg", " 500mg BID", " daily", " prn", " (as needed)", " po"]


@SETTINGS
@given(
    drug=st.sampled_from(DRUGS),
    before=st.sampled_from(["", "I take ", "pt on ", "also ", "- ", "and "]),
    after=st.sampled_from(FILLER),
)
def test_punctuation_doses_and_filler_never_lose_a_drug(drug, before, after):
    base = _keys(drug)
    assert base
    assert base <= _keys(f"{before}{drug}{after} and aspirin")


@SETTINGS
@given(st.permutations(["warfarin", "Percocet", "Tums", "a glass of wine", "HCTZ", "Yaz"]))
def test_shuffling_a_list_never_changes_its_ingredients(items):
    assert _keys(list(items)) == _keys(["warfarin", "Percocet", "Tums", "a glass of wine",
                                        "HCTZ", "Yaz"])  # fmt: skip
    assert _keys(", ".join(items)) == _keys(list(items))


COMBOS = sorted(k for k, v in PRODUCTS.items() if len(v) >= 2 and not ENTRIES[k].requires_near)


@SETTINGS
@given(st.sampled_from(COMBOS), st.sampled_from(["{} and warfarin", "warfarin, {}", "{}"]))
def test_a_listed_combination_always_yields_all_its_ingredients(name, template):
    assert set(PRODUCTS[name]) <= _keys(template.format(name))


COMMON = sorted(w for w in BLOCK_EXACT if w.isalpha() and len(w) >= 3 and w not in PRODUCTS)


@SETTINGS
@given(st.lists(st.sampled_from(COMMON), min_size=1, max_size=6), st.sampled_from(["I", "my"]))
def test_no_common_word_ever_resolves_to_a_drug(words, lead):
    text = f"{lead} {' '.join(words)} with warfarin"
    assert _keys(text) == {"warfarin"}


def test_common_words_alone_never_resolve():
    rnd = random.Random(13)
    for w in rnd.sample(COMMON, 200):
        assert not read_query(f"I have {w} and take warfarin").resolved[:-1], w


# ------------------------------------------------------------------ French and Spanish brands
@pytest.mark.parametrize(
    ("query", "keys"),
    [
        (
            "Je prends du Lamaline et du Kenzen, est-ce compatible avec le Previscan ?",
            {"acetaminophen", "opium", "caffeine", "candesartan", "fluindione"},
        ),
        (
            "Mon médecin m'a prescrit du Cotareg et du Magné B6, je prends aussi du Téralithe",
            {"valsartan", "hydrochlorothiazide", "magnesium", "pyridoxine", "lithium"},
        ),
        (
            "Tomo Seguril y Dianben, ¿puedo tomar Zaldiar para el dolor?",
            {"furosemide", "metformin", "tramadol", "acetaminophen"},
        ),
        (
            "Mi madre toma Septrin y Fortasec, y también Tempra cuando tiene fiebre",
            {"trimethoprim", "sulfamethoxazole", "loperamide", "acetaminophen"},
        ),
    ],
)
def test_french_and_spanish_brands_read_their_ingredients(query, keys):
    assert _keys(query) == keys
    assert _unresolved(query) == []


# ------------------------------------------------------------------ misspellings
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("took 2 xanex and a glass of wine", {"alprazolam", "alcohol"}),  # a vowel slip
        ("my klonopen with ambian", {"clonazepam", "zolpidem"}),
        ("my son takes adderal XR 20mg", {"amphetamine", "dextroamphetamine"}),  # reviewed
        ("Percocett and warfarin", {"oxycodone", "acetaminophen", "warfarin"}),
    ],
)
def test_misspelt_brands_read_their_ingredients(query, expected):
    assert _keys(query) == expected
    assert _unresolved(query) == []


def test_a_misspelt_product_is_shown_as_a_fuzzy_match():
    (m,) = read_query("adderal XR 20 mg").resolved
    assert m.drug.match_kind == "fuzzy" and m.drug.matched_name == "adderall"
    assert m.reason.startswith("a misspelling of adderall")


# ------------------------------------------------------------------ hyphenated combinations
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("• losartan-hydrochlorothiazide — Tablet, 50-12.5 mg, by mouth, once daily",
         {"losartan", "hydrochlorothiazide"}),
        ("Amlodipine-benazepril 10-20 mg cap daily", {"amlodipine", "benazepril"}),
        ("metformin-sitagliptin 1000/50 BID", {"metformin", "sitagliptin"}),
        ("sugar-free diet, anti-inflammatory, follow-up x-ray and warfarin", {"warfarin"}),
        ("Allergies: PCN (rash), sulfa (hives)", {"penicillin g", "sulfamethoxazole"}),
    ],
)  # fmt: skip
def test_hyphenated_combinations_are_read_part_by_part(query, expected):
    # these were silently dropped: the whole word is no name, and it is not letters only
    assert _keys(query) == expected


def test_an_unknown_part_of_a_hyphenated_combination_is_reported():
    assert _unresolved("warfarin-zorblax 5 mg") == ["zorblax"]
