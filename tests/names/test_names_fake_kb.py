"""Unit tests of resolution rules on a tiny fake KB (no data files needed)."""

from __future__ import annotations

from pipeline.names import extract_drugs, lookup, resolve, synonyms


def test_exact_brand_international_salt(fake_index):
    assert resolve("warfarin", index=fake_index).match_kind == "exact"
    r = resolve("COUMADIN", index=fake_index)
    assert (r.key, r.match_kind, r.matched_name, r.score) == ("warfarin", "brand", "Coumadin", 100)
    assert resolve("warfarine", index=fake_index).match_kind == "international"
    assert resolve("Sertraline Hydrochloride", index=fake_index).match_kind == "salt"


def test_ambiguous_name_prefers_covered_then_alphabetical_and_lists_others(fake_index):
    r = resolve("duo", index=fake_index)
    assert r.key == "alphazine"  # both brands; alphazine is covered, betazine is not
    assert [s.key for s in r.suggestions] == ["betazine"]


def test_ambiguous_name_prefers_generic_over_brand(fake_index):
    r = resolve("zeta", index=fake_index)
    assert (r.key, r.match_kind) == ("zeta", "exact")
    assert [s.key for s in r.suggestions] == ["alphazine"]


def test_fuzzy_and_short_tokens(fake_index):
    r = resolve("warfrin", index=fake_index)
    assert (r.key, r.match_kind) == ("warfarin", "fuzzy") and 85 <= r.score < 100
    assert resolve("adv", index=fake_index) is None  # < 4 chars never fuzzy
    assert resolve("xyzzyplugh", index=fake_index) is None


def test_lookup_gives_suggestions_when_unresolved(fake_index):
    res = lookup("warfxxrn", index=fake_index)
    assert res.drug is None
    assert res.suggestions and res.suggestions[0].key == "warfarin"


def test_extract_on_fake_kb(fake_index):
    text = "Can I take Coumadin with advil?"
    found = extract_drugs(text, index=fake_index)
    assert [(m.text, m.drug.key) for m in found] == [
        ("Coumadin", "warfarin"),
        ("advil", "ibuprofen"),
    ]


def test_synonyms_on_fake_kb(fake_index):
    syn = synonyms("warfarin", index=fake_index)
    assert [s.text for s in syn] == ["Warfarin", "warfarine", "Coumadin"]
    assert [s.rank for s in syn] == [0, 1, 2]
    assert synonyms("nope", index=fake_index) == []
