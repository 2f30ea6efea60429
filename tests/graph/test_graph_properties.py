"""Property tests over a fixed drug pool (few examples: each runs the whole graph)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import ask
from pipeline.nodes._compose import query_verdict

POOL = ["warfarin", "ibuprofen", "simvastatin", "clarithromycin", "amoxicillin", "paracetamol"]
SYNONYMS = {
    "warfarin": "Coumadin",
    "ibuprofen": "Advil",
    "simvastatin": "Zocor",
    "clarithromycin": "Biaxin",
    "amoxicillin": "Amoxil",
    "paracetamol": "Tylenol",
}
SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
pairs = st.lists(st.sampled_from(POOL), min_size=2, max_size=2, unique=True)


def verdicts(report):
    return {(p.drug_a, p.drug_b): (p.verdict, p.severity) for p in report.pairs}


@SETTINGS
@given(pairs)
def test_order_of_drugs_does_not_matter(pair):
    a, b = pair
    assert verdicts(ask([a, b])) == verdicts(ask([b, a]))


@SETTINGS
@given(pairs, st.booleans())
def test_synonym_gives_same_verdicts(pair, first):
    a, b = pair
    swapped = [SYNONYMS[a], b] if first else [a, SYNONYMS[b]]
    assert {k: v[0] for k, v in verdicts(ask([a, b])).items()} == {
        k: v[0] for k, v in verdicts(ask(swapped)).items()
    }


@SETTINGS
@given(pairs, st.integers(min_value=0, max_value=3))
def test_same_inputs_and_seed_same_report(pair, seed):
    one = ask(pair, seed=seed, trace=True)
    two = ask(pair, seed=seed, trace=True)
    assert one.model_dump() == two.model_dump()


@SETTINGS
@given(
    st.lists(st.sampled_from(["interacts", "no_evidence", "unresolved"]), max_size=6),
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=0, max_value=3),
)
def test_failed_evaluator_never_no_known_interaction(pair_verdicts, unresolved, notes):
    verdict = query_verdict(
        pair_verdicts, signed_off=False, unresolved_mentions=unresolved, notes=notes
    )
    assert verdict != "no_known_interaction"
    if "interacts" in pair_verdicts:
        assert verdict == "interaction"


def test_failed_evaluator_never_no_known_interaction_end_to_end(monkeypatch):
    from pipeline.evaluators import REGISTRY
    from pipeline.schemas import Evaluation

    async def veto(inp, ctx):
        return Evaluation(name="grounding", passed=False, reason="vetoed")

    monkeypatch.setitem(REGISTRY, "grounding", veto)
    for a, b in (("amoxicillin", "paracetamol"), ("amoxicillin", "ibuprofen")):
        report = ask([a, b])
        assert report.verdict != "no_known_interaction"
