"""Hypothesis properties of the name layer, on the real KB."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pipeline.names import FUZZY_CUTOFF, extract_drugs, resolve, synonyms

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
MENTIONS = [
    "warfarin", "Coumadin", "advil", "paracetamol", "sertraline hydrochloride", "warfrin",
    "ibuprofin", "clarithromicin", "st john's wort", "grapefruit juice", "Lipitor",
]  # fmt: skip


def _sample_drug_keys(index, n=40, seed=7):
    keys = sorted(k for k in index.kb.drugs if index.is_clinical(k))
    return random.Random(seed).sample(keys, n)


@SETTINGS
@given(
    mention=st.sampled_from(MENTIONS),
    case=st.sampled_from(["lower", "upper", "title", "same"]),
    left=st.text(" \t\n", max_size=3),
    right=st.text(" \t\n.,;:!?", max_size=3),
)
def test_resolution_invariant_to_case_whitespace_punctuation(index, mention, case, left, right):
    base = resolve(mention, index=index)
    varied = {"lower": str.lower, "upper": str.upper, "title": str.title, "same": str}[case](
        mention
    )
    r = resolve(left + varied + right, index=index)
    assert base is not None and r is not None
    assert (r.key, r.match_kind) == (base.key, base.match_kind)


def test_every_synonym_resolves_back_to_its_drug(index):
    for key in _sample_drug_keys(index):
        for s in synonyms(key, index=index):
            r = resolve(s.text, index=index)
            assert r is not None and r.key == key, (key, s)


@SETTINGS
@given(
    parts=st.lists(
        st.one_of(
            st.sampled_from(MENTIONS),
            st.sampled_from(["and", "with", "take", "500 mg", "bid", "?", ",", "\n", "pain"]),
            st.text("abcdefghijklmnopqrstuvwxyz '-", min_size=1, max_size=12),
        ),
        max_size=25,
    ),
    seps=st.sampled_from([" ", ", ", "\n", " and "]),
)
def test_extract_offsets_slice_back(index, parts, seps):
    text = seps.join(parts)
    last = 0
    for m in extract_drugs(text, index=index):
        assert text[m.start : m.end] == m.text
        assert m.start >= last and m.end > m.start
        last = m.end
        assert m.drug is not None or m.suggestions or m.text


@SETTINGS
@given(st.text("abcdefghijklmnopqrstuvwxyz", min_size=12, max_size=24))
def test_random_letter_strings_only_fuzzy_above_cutoff(index, s):
    assume(s not in index.names)  # hypothesis does find real names ("levothyroxin")
    r = resolve(s, index=index)
    if r is not None:
        assert r.match_kind == "fuzzy"
        assert FUZZY_CUTOFF <= r.score < 100
