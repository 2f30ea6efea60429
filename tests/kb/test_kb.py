"""KB tests on the committed data files (data/kb/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.kb import SEVERITIES, KBDataMissingError, KnowledgeBase, load_kb, normalise

EVALS = Path(__file__).resolve().parents[2] / "data" / "evals"


def resolve(kb, text):
    names = kb.name_index().get(normalise(text), [])
    return names[0].drug if names else None


def test_warfarin_ibuprofen_bleeding(kb):
    inter = kb.interactions("warfarin", "ibuprofen")
    assert inter
    assert any("bleeding_risk" in i.categories for i in inter)
    assert inter == kb.interactions("ibuprofen", "warfarin")
    assert all(i.drug_a == "ibuprofen" and i.drug_b == "warfarin" for i in inter)


def test_simvastatin_clarithromycin_contraindicated(kb):
    inter = kb.interactions("simvastatin", "clarithromycin")
    assert inter[0].severity == "contraindicated"
    assert "myopathy_rhabdomyolysis" in inter[0].categories
    assert inter[0].source.startswith("ANSM")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Coumadin", "warfarin"),
        ("advil", "ibuprofen"),
        ("ZOLOFT", "sertraline"),
        ("sertraline hydrochloride", "sertraline"),
        ("paracetamol", "acetaminophen"),
        ("acetaminophen", "acetaminophen"),
        ("thyroxine", "levothyroxine"),
        ("salbutamol", "albuterol"),
        ("St John's wort", "st john's wort"),
        ("grapefruit", "grapefruit juice"),
        ("ethanol", "alcohol"),
        ("Biaxin", "clarithromycin"),
    ],
)
def test_names_resolve(kb, text, key):
    assert resolve(kb, text) == key


def test_names_order_generic_first(kb):
    names = kb.names("warfarin")
    assert names[0].kind == "generic" and names[0].text == "warfarin"
    order = ["generic", "international", "brand", "salt", "synonym"]
    ranks = [order.index(n.kind) for n in names]
    assert ranks == sorted(ranks)


def test_non_drug_entities(kb):
    assert kb.drug("grapefruit juice").kind == "food"
    assert kb.drug("st john's wort").kind == "herbal"
    assert kb.is_covered("alcohol")
    assert kb.interactions("simvastatin", "grapefruit juice")


def test_classes(kb):
    assert "anticoagulants oraux" in kb.classes_of("warfarin")
    assert "warfarin" in kb.class_members("anticoagulants oraux")
    assert kb.class_members("no such class") == frozenset()
    assert not kb.is_covered("no such drug")
    assert kb.drug("no such drug") is None
    assert kb.interactions("warfarin", "no such drug") == []


def test_drug_ids(kb):
    d = kb.drug("warfarin")
    assert d.drug_id == "DB00682" and d.ids["drugbank"] == "DB00682"
    assert d.covered and d.kind == "drug"


def test_version_stable(kb):
    assert kb.version == KnowledgeBase(kb.data_dir).version
    assert len(kb.version) == 16


def test_missing_dir_error(tmp_path):
    with pytest.raises(KBDataMissingError, match=str(tmp_path)):
        load_kb(tmp_path)


def test_pairs_consistent(kb):
    pairs = list(kb.pairs())
    assert len(pairs) > 20000
    assert all(a < b for a, b in pairs)
    partners = kb.interacting_partners("warfarin")
    assert "ibuprofen" in partners


_PAIRS: list = []
_KEYS: list = []


def _pairs():
    if not _PAIRS:
        _PAIRS.extend(load_kb().pairs())
    return _PAIRS


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=10**9))
def test_interactions_symmetric_and_known(kb, i):
    pairs = _pairs()
    a, b = pairs[i % len(pairs)]
    assert a in kb.drugs and b in kb.drugs
    ab, ba = kb.interactions(a, b), kb.interactions(b, a)
    assert ab and ab == ba
    for x in ab:
        assert x.severity in SEVERITIES and x.severity_least in SEVERITIES
        assert SEVERITIES.index(x.severity) <= SEVERITIES.index(x.severity_least)
        assert x.categories
    assert b in kb.interacting_partners(a) and a in kb.interacting_partners(b)
    assert kb.is_covered(a) and kb.is_covered(b)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=10**9))
def test_name_index_points_to_drugs(kb, i):
    index = kb.name_index()
    if not _KEYS:
        _KEYS.extend(sorted(index))
    keys = _KEYS
    norm = keys[i % len(keys)]
    assert norm == normalise(norm)
    for n in index[norm]:
        assert n.drug in kb.drugs
        assert normalise(n.text) == norm


def test_every_name_points_to_existing_drug(kb):
    for norm, names in kb.name_index().items():
        for n in names:
            assert n.drug in kb.drugs, (norm, n)


@pytest.mark.parametrize("suite", ["smoke", "pairs", "perturbed", "lists"])
def test_gold_sets_match_kb(kb, suite):
    path = EVALS / f"{suite}.jsonl"
    recs = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert recs and len({r["id"] for r in recs}) == len(recs)
    for r in recs:
        assert r["version"] == "gold-v1"
        for k in r["drugs"]:
            assert k in kb.drugs
        for p in r["expected_pairs"]:
            inter = kb.interactions(p["drug_a"], p["drug_b"])
            assert bool(inter) == p["interacts"]
            if inter:
                assert p["severity"] == min((i.severity for i in inter), key=SEVERITIES.index)
        verdict = (
            "interaction"
            if any(p["interacts"] for p in r["expected_pairs"])
            else ("no_known_interaction")
        )
        assert r["expected_verdict"] == verdict


def test_multi_word_edges_match_the_name_index(kb):
    """The edge words kept in the load cache are those of the names themselves."""
    multi = [n for n in kb.name_index() if " " in n]
    first, last = kb.multi_word_edges()
    assert first == {n.split(" ")[0] for n in multi}
    assert last == {n.split(" ")[-1] for n in multi}
    assert "st" in first or "saint" in first  # "st john's wort" and the like exist
