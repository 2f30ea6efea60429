"""`synonyms` ranking and the `resolve_command` CLI helper, on the real KB."""

from __future__ import annotations

import io
import json

import pytest

from pipeline.names import resolve, synonyms
from pipeline.names._cli import resolve_command


@pytest.mark.parametrize(
    ("key", "expected_in_top"),
    [
        ("warfarin", ["Warfarin", "Coumadin"]),
        ("acetaminophen", ["Acetaminophen", "paracetamol", "Tylenol"]),
        ("ibuprofen", ["Ibuprofen", "Advil", "Motrin"]),
        ("sertraline", ["Sertraline", "Zoloft"]),
        ("albuterol", ["Albuterol", "salbutamol", "Ventolin"]),
    ],
)
def test_synonyms_rank_generic_international_brands(index, key, expected_in_top):
    syn = synonyms(key, index=index)
    texts = [s.text for s in syn]
    assert syn[0].kind == "generic" and syn[0].rank == 0
    for t in expected_in_top:
        assert t in texts[:5], (t, texts)
    kinds = [s.kind for s in syn]
    assert kinds.index("brand") < kinds.index("salt") if "salt" in kinds else True


def test_synonyms_are_clean_deduped_capped_and_resolve_back(index):
    for key in ("warfarin", "aspirin", "clarithromycin", "atorvastatin", "st john's wort"):
        syn = synonyms(key, limit=6, index=index)
        assert 1 <= len(syn) <= 6
        norms = [index.normalise(s.text) for s in syn]
        assert len(set(norms)) == len(norms)
        for s in syn:
            assert not any(c.isdigit() for c in s.text) and len(s.text) <= 30
            assert resolve(s.text, index=index).key == key
        assert [s.rank for s in syn] == list(range(len(syn)))


def test_synonyms_unknown_key_or_zero_limit(index):
    assert synonyms("no such drug", index=index) == []
    assert synonyms("warfarin", limit=0, index=index) == []


def test_cli_table():
    buf = io.StringIO()
    code = resolve_command("Can I take Coumadin with Advil?", as_json=False, limit=4, out=buf)
    out = buf.getvalue()
    assert code == 0
    assert "Coumadin" in out and "warfarin" in out and "DB00682" in out and "brand" in out
    assert out.splitlines()[0].split()[:3] == ["mention", "canonical", "id"]


def test_cli_json_with_unresolved():
    buf = io.StringIO()
    code = resolve_command("warfrin, blorptex 5 mg", as_json=True, limit=3, out=buf)
    data = json.loads(buf.getvalue())
    assert code == 1
    assert data["drugs"][0]["canonical"] == "warfarin"
    assert data["drugs"][0]["match_kind"] == "fuzzy"
    assert len(data["drugs"][0]["synonyms"]) <= 3
    assert data["unresolved"][0]["mention"] == "blorptex"
    assert data["unresolved"][0]["suggestions"]


def test_cli_single_nonsense_mention_gets_suggestions():
    buf = io.StringIO()
    assert resolve_command("qwerty", as_json=False, limit=3, out=buf) == 3  # no drug found
    assert "did you mean" in buf.getvalue()


def test_french_spellings_come_after_brands_and_accents_are_folded(index):
    warfarin = [s.text for s in synonyms("warfarin", limit=12, index=index)]
    assert warfarin.index("Coumadin") < warfarin.index("warfarine")
    epinephrine = [s.text for s in synonyms("epinephrine", limit=5, index=index)]
    assert "adrenaline" in epinephrine and "adrénaline" not in epinephrine
    lidocaine = [s.text for s in synonyms("lidocaine", limit=3, index=index)]
    assert lidocaine[:2] == ["Lidocaine", "lignocaine"]
