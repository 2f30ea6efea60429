"""Combination products, formulations and everyday names reach their ingredients."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import ask
from pipeline.context import MAX_QUERY_CHARS, InputTooLongError
from pipeline.kb import load_kb
from pipeline.names._products import PRODUCTS, ingredients


def test_every_product_ingredient_is_a_kb_drug():
    kb = load_kb()
    assert all(k in kb.drugs for keys in PRODUCTS.values() for k in keys)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Can I take Percocet with a glass of wine?", {"oxycodone", "acetaminophen", "alcohol"}),
        ("Tums and ciprofloxacin", {"calcium carbonate", "ciprofloxacin"}),
        ("Maalox with doxycycline", {"aluminum hydroxide", "magnesium hydroxide", "doxycycline"}),
        ("Tylenol PM and a few beers", {"acetaminophen", "diphenhydramine", "alcohol"}),
        ("amoxicillin and Yaz", {"amoxicillin", "drospirenone", "ethinylestradiol"}),
        ("KCl 20 mEq and lisinopril", {"potassium chloride", "lisinopril"}),
        ("I smoke cigarettes and take clozapine", {"tobacco leaf", "nicotine", "clozapine"}),
        ("on tizanidine, he drinks most evenings", {"tizanidine", "alcohol"}),
        ("he drinks kava tea and takes Xanax", {"kava", "alprazolam"}),
        ("- Probiotic daily\n- CoQ10 100 mg\n- Biotin 5000 mcg",
         {"probiotics", "ubidecarenone", "biotin"}),
        ("red yeast rice and cranberry juice", {"red yeast rice", "cranberry"}),
        ("tonic water with my amiodarone", {"quinine", "amiodarone"}),
        ("mag oxide 400 and levothyroxine", {"magnesium oxide", "levothyroxine"}),
        ("Subutex et Lexomil", {"buprenorphine", "bromazepam"}),
        ("neta la mota y el clonazepam", {"dronabinol", "cannabidiol", "clonazepam"}),
        ("Zantac 360 and Tums", {"famotidine", "calcium carbonate"}),
        ("neosporin on the cut, on warfarin",
         {"bacitracin", "neomycin", "polymyxin b", "warfarin"}),
        ("Co-codamol 30/500 and sertraline", {"codeine", "acetaminophen", "sertraline"}),
        ("Rimadyl for the dog and my ibuprofen", {"carprofen", "ibuprofen"}),
        ("Centrum daily, MVI, and levothyroxine", {"multivitamin", "levothyroxine"}),
        ("un Sertal y un Almax", {"propinox", "almagate"}),
        ("calcium + D, vit b12 1000, D3 and warfarin",
         {"calcium", "ergocalciferol", "cyanocobalamin", "cholecalciferol", "warfarin"}),
        ("uses salt substitute, on spironolactone", {"potassium chloride", "spironolactone"}),
        ("Halls cough drops and elderberry syrup", {"menthol", "elderberry"}),
        ("Lemsip and Solpadeine Max", {"acetaminophen", "phenylephrine", "codeine"}),
        ("taking pan d, then Pan 40 and Dolo 650", {"pantoprazole", "domperidone",
                                                   "acetaminophen"}),
        ("a few pints and a couple of G&Ts on naproxen", {"alcohol", "naproxen"}),
        ("Daflon et Biprofénid", {"diosmin", "hesperidin", "ketoprofen"}),
        ("PEG 3350 and Senokot", {"macrogol", "senna"}),
    ],
)  # fmt: skip
def test_products_and_everyday_names_in_free_text(query, expected):
    report = ask(query)
    assert {d.canonical for d in report.drugs} == expected
    assert not report.unresolved


def test_product_is_shown_with_its_ingredients():
    report = ask("Percocet and Xanax")
    assert "Read 'Percocet' as Oxycodone + Acetaminophen." in report.answer


def test_combination_and_formulation_keys_fold_to_ingredients():
    kb = load_kb()
    assert ingredients(kb, "trimethoprim/sulfamethoxazole") == ("trimethoprim", "sulfamethoxazole")
    assert ingredients(kb, "nitroglycerin sublingual") == ("nitroglycerin",)
    assert ingredients(kb, "warfarin") == ("warfarin",)
    # an indication qualifier goes when the rest folds to a covered drug (Subutex's entry)
    key = "buprenorphine sublingual and buccal (opioid dependence)"
    assert ingredients(kb, key) == ("buprenorphine",)
    # a biologic's FDA suffix goes: Skyrizi's key is risankizumab
    assert ingredients(kb, "risankizumab-rzaa") == ("risankizumab",)
    assert ingredients(kb, "estrogen and progestin (hormone replacement therapy)") == (
        "estrogen and progestin (hormone replacement therapy)",
    )


def test_stent_is_not_a_drug():
    report = ask("I have a stent and take clopidogrel and aspirin")
    assert {d.canonical for d in report.drugs} == {"clopidogrel", "aspirin"}


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["Bactrim", "Percocet", "Excedrin", "Augmentin"]), st.permutations([0, 1]))
def test_a_combination_always_yields_all_its_ingredients(product, order):
    items = [product, "warfarin"]
    report = ask([items[i] for i in order])
    got = {d.canonical for d in report.drugs}
    assert set(PRODUCTS[product.lower()]) <= got


def test_oversized_question_is_refused_up_front():
    with pytest.raises(InputTooLongError):
        ask("warfarin " * (MAX_QUERY_CHARS // 5))
