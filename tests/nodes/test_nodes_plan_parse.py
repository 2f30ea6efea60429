"""Planning order and budget, chunking, name variants and the parse/resolve merge."""

from __future__ import annotations

import asyncio

from langgraph.runtime import Runtime

from pipeline.context import Budget, Context
from pipeline.graph import get_planner
from pipeline.nodes._common import split_chunks
from pipeline.nodes._expand import name_variants
from pipeline.nodes._parse import resolve
from pipeline.nodes._plan import candidate_probes, plan_wave
from pipeline.state import DrugEntry, MentionRecord, NameVariant


def v(*names: str) -> list[NameVariant]:
    return [
        NameVariant(text=n, kind="canonical" if i == 0 else "brand") for i, n in enumerate(names)
    ]


def test_candidates_most_informative_first_and_distinct():
    probes = candidate_probes(
        ("a", "b"), v("A", "A1", "A2"), v("B", "B1"), ["direct", "clinician", "risks", "fewshot"]
    )
    first = probes[0]
    assert (first.name_a, first.name_b, first.template, first.order) == ("A", "B", "direct", "ab")
    # the first four probes cover both names of each drug and both orders, rotating templates
    head = probes[:4]
    assert {p.name_a for p in head} == {"A", "A1"} and {p.name_b for p in head} == {"B", "B1"}
    assert {p.order for p in head} == {"ab", "ba"}
    assert len({p.template for p in head}) == 4
    keys = {(p.template, p.data["drug_a"], p.data["drug_b"]) for p in probes}
    assert len(keys) == len(probes) == 3 * 2 * 4 * 2


def test_candidates_exclude_already_asked():
    asked = {("direct", "a", "b")}
    probes = candidate_probes(("a", "b"), v("A"), v("B"), ["direct"], exclude=asked)
    assert [(p.data["drug_a"], p.data["drug_b"]) for p in probes] == [("B", "A")]


def _planned_state(drugs: list[str], ctx: Context) -> dict:
    return asyncio.run(get_planner().ainvoke({"query": drugs}, context=ctx))


def test_plan_caps_per_pair_and_first_wave():
    ctx = Context(budget=Budget(calls_per_pair=5), wave_size=3, probe_listed=True)
    state = _planned_state(["warfarin", "ibuprofen", "aspirin"], ctx)
    assert len(state["pairs"]) == 3
    assert all(len(s) == 5 for s in state["schedule"].values())
    wave = plan_wave(state, ctx)
    # recall: the first wave asks two probes per pair (see plan.first_wave_size)
    assert len(wave) == 6
    assert [p.index for p in wave] == list(range(6))
    assert all(p.key for p in wave)
    majority = Context(
        budget=Budget(calls_per_pair=5), wave_size=3, policy="majority", probe_listed=True
    )
    assert len(plan_wave(state, majority)) == 9  # a full wave_size per pair


def test_plan_wave_shares_small_budget_round_robin():
    ctx = Context(budget=Budget(calls_per_query=4, min_probes_per_pair=1), probe_listed=True)
    state = _planned_state(["warfarin", "ibuprofen", "aspirin", "amoxicillin"], ctx)
    wave = plan_wave(state, ctx)
    assert len(wave) == 4
    assert len({p.pair for p in wave}) == 4  # one each before anyone gets a second


def test_split_chunks_bounds():
    assert split_chunks("short text", 1500) == ["short text"]
    assert split_chunks("   ", 1500) == []
    text = "\n".join(f"Line {i} mentions warfarin and more words here." for i in range(200))
    chunks = split_chunks(text, 1500)
    assert len(chunks) > 1
    assert all(len(c) <= 1500 for c in chunks)
    assert " ".join(chunks).count("warfarin") == 200
    assert all(len(c) <= 300 for c in split_chunks("word " * 1000, 300))


def test_name_variants_canonical_then_user_wording():
    drug = DrugEntry(
        key="warfarin",
        name="Warfarin",
        drug_id="x",
        match_kind="brand",
        score=100,
        mentions=("Coumadin",),
    )
    names = [n.text for n in name_variants(drug, 3)]
    assert names[:2] == ["Warfarin", "Coumadin"]
    assert len(names) == 4
    assert len({n.casefold() for n in names}) == 4


def test_resolve_merges_model_mentions_without_dropping_dictionary_ones():
    ctx = Context()
    runtime = Runtime(context=ctx)
    state = {
        "text": "I take warfarin and advil",
        "mentions": [
            MentionRecord(
                text="warfarin", source="dictionary", key="warfarin", match_kind="exact", score=100
            ),
            MentionRecord(
                text="advil", source="dictionary", key="ibuprofen", match_kind="brand", score=100
            ),
            MentionRecord(text="aspirin", source="model"),  # hallucinated: not in the text
        ],
    }
    out = asyncio.run(resolve(state, runtime))
    assert [d.key for d in out["drugs"]] == ["warfarin", "ibuprofen"]
    assert [u.mention for u in out["unresolved"]] == ["aspirin"]
    assert "does not occur" in out["unresolved"][0].reason
