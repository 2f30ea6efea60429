"""Acceptance tests of `resolve` / `lookup` on the real committed KB."""

from __future__ import annotations

import pytest

from pipeline.names import FUZZY_CUTOFF, lookup, resolve
from pipeline.names._read import read_query

CASES = [
    # mention, expected key, expected match kind
    ("coumadin", "warfarin", "brand"),
    ("advil", "ibuprofen", "brand"),
    ("motrin", "ibuprofen", "brand"),
    ("tylenol", "acetaminophen", "brand"),
    ("zoloft", "sertraline", "brand"),
    ("lipitor", "atorvastatin", "brand"),
    ("biaxin", "clarithromycin", "brand"),
    ("zocor", "simvastatin", "brand"),
    ("prozac", "fluoxetine", "brand"),
    ("viagra", "sildenafil", "brand"),
    ("warfrin", "warfarin", "fuzzy"),
    ("ibuprofin", "ibuprofen", "fuzzy"),
    ("clarithromicin", "clarithromycin", "fuzzy"),
    ("paracetamol", "acetaminophen", "international"),
    ("salbutamol", "albuterol", "international"),
    ("sertraline hydrochloride", "sertraline", "salt"),
    ("metoprolol tartrate", "metoprolol", "salt"),
    ("  WARFARIN  ", "warfarin", "exact"),
    ("Warfarin.", "warfarin", "exact"),
    ("aspirin", "aspirin", "exact"),
    ("acetylsalicylic acid", "aspirin", "international"),
    ("St. John's Wort", "st john's wort", "exact"),
    ("grapefruit juice", "grapefruit juice", "exact"),
    ("Lipitor 20 mg tablets", "atorvastatin", "brand"),
]


@pytest.mark.parametrize(("mention", "key", "kind"), CASES)
def test_tricky_names(index, mention, key, kind):
    r = resolve(mention, index=index)
    assert r is not None, mention
    assert (r.key, r.match_kind) == (key, kind)
    assert r.mention == mention.strip()
    assert r.drug_id and r.name
    assert (r.score == 100.0) == (kind != "fuzzy")


def test_simvastatine_resolves_to_simvastatin(index):
    # the French INN is in the KB, so it is an exact (international) match, not fuzzy
    r = resolve("simvastatine", index=index)
    assert r.key == "simvastatin" and r.match_kind in ("international", "fuzzy")


def test_aspirin_never_fuzzy(index):
    for m in ("aspirin", "Aspirin", "ASPIRIN!", " aspirin "):
        r = resolve(m, index=index)
        assert (r.key, r.match_kind, r.score) == ("aspirin", "exact", 100.0)


@pytest.mark.parametrize("mention", ["blorptex", "qwerty"])
def test_nonsense_unresolved_but_suggested(index, mention):
    assert resolve(mention, index=index) is None
    res = lookup(mention, index=index)
    assert res.drug is None and not res.resolved
    assert res.suggestions
    scores = [s.score for s in res.suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(s.score < FUZZY_CUTOFF for s in res.suggestions)
    assert len({s.key for s in res.suggestions}) == len(res.suggestions)  # one per drug


@pytest.mark.parametrize(
    ("mention", "key"),
    [("Imtainib", "imatinib"), ("Niaolui", "niaouli"), ("clarithromicin", "clarithromycin")],
)
def test_swapped_or_slipped_letters_still_resolve(index, mention, key):
    assert resolve(mention, index=index).key == key


def test_two_added_letters_are_not_a_misspelling(index):
    # the indel ratio gives "zorvanex" 86 against the brand Zorane (metaxalone): a made-up
    # name must stay unresolved, with the near name only as a suggestion
    assert resolve("Zorvanex", index=index) is None
    read = read_query("Bonsoir, on m'a prescrit du Zorvanex pour mes migraines")
    assert [m.text for m in read.unresolved] == ["Zorvanex"] and not read.resolved


@pytest.mark.parametrize("mention", ["ibu", "asa", "xyz", "wfr", "a", ""])
def test_short_tokens_never_fuzzy(index, mention):
    r = resolve(mention, index=index)
    assert r is None or r.match_kind != "fuzzy"


def test_lookup_resolved_carries_drug(index):
    res = lookup("Coumadin", index=index)
    assert res.resolved and res.drug.key == "warfarin"


def test_resolved_drug_is_frozen(index):
    r = resolve("warfarin", index=index)
    with pytest.raises(Exception):  # noqa: B017 - pydantic ValidationError (frozen instance)
        r.key = "x"


def test_ambiguous_real_name_lists_alternatives(index):
    # find a normalised name shared by two drugs and check the deterministic pick
    amb = next(n for n, lst in index.names.items() if len(lst) > 1 and n.isalpha() and len(n) > 5)
    r = resolve(amb, index=index)
    ranked = index.ranked(amb)
    assert r.key == ranked[0].drug
    assert [s.key for s in r.suggestions] == [n.drug for n in ranked[1:6]]
    assert resolve(amb, index=index) == r  # deterministic


def test_default_index_is_cached():
    from pipeline.names import default_index

    assert default_index() is default_index()


def test_fuzzy_buckets_read_from_the_load_cache_equal_built_ones():
    """The prepared fuzzy buckets kept in the KB's load cache are exactly the ones the
    index builds itself (a stale or different cache would change which names match)."""
    from pipeline.kb import load_kb
    from pipeline.names import NameIndex

    kb = load_kb()
    cached = NameIndex(kb)
    cached._read_buckets()  # from the load cache, or built and stored there
    built = NameIndex(kb)
    built._buckets_read = True  # never look at the cache: build every bucket here
    built.warm()
    assert cached._bucket_letters() == built._bucket_letters()
    assert cached._buckets == built._buckets
    again = NameIndex(kb)
    again._read_buckets()  # now certainly from the cache
    assert again._buckets == built._buckets
    assert again.resolve("warfrin").key == "warfarin"
