"""Pure aggregation policy: votes, decisions, monotonicity, early stopping."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.evidence import PairEvidence
from pipeline.nodes._policy import (
    PolicyParams,
    can_change,
    decide,
    most_severe,
    summarize_pair,
    tally,
    vote,
)
from pipeline.schemas import Evidence, ProbeVerdict, Votes
from pipeline.state import Probe, ProbeResult

RECALL = PolicyParams()
K2 = PolicyParams(policy="k_of_n", k=2)
MAJ = PolicyParams(policy="majority")
POLICIES = [RECALL, K2, MAJ, PolicyParams(policy="k_of_n", k=3, max_unknown_fraction=0.2)]


def pv(
    answer: str, confidence: float = 0.9, severity: str = "unknown", mech: str = ""
) -> ProbeVerdict:
    return ProbeVerdict(interacts=answer, confidence=confidence, severity=severity, mechanism=mech)


def test_vote_low_confidence_yes_is_unknown_never_no():
    assert vote(pv("yes", 0.9), 0.3) == "yes"
    assert vote(pv("yes", 0.1), 0.3) == "unknown"
    assert vote(None, 0.3) == "unknown"
    assert vote(pv("no"), 0.3) == "no"


def test_recall_any_credible_yes():
    assert decide(Votes(yes=1, no=11), RECALL) == "interacts"
    assert decide(Votes(no=12), RECALL) == "no_evidence"
    assert decide(Votes(), RECALL) == "unresolved"
    assert decide(Votes(no=4, unknown=6), RECALL) == "unresolved"
    assert decide(Votes(no=1), RECALL) == "unresolved"  # fewer than min answered


def test_k_of_n_and_majority():
    assert decide(Votes(yes=2, no=5), K2) == "interacts"
    assert decide(Votes(yes=3, no=2), MAJ) == "interacts"
    assert decide(Votes(yes=2, no=2), MAJ) == "unresolved"
    assert decide(Votes(no=6), K2) == decide(Votes(no=6), MAJ) == "no_evidence"


def test_an_outvoted_credible_yes_needs_review_never_no_interaction():
    assert decide(Votes(yes=1, no=5), K2) == "unresolved"
    assert decide(Votes(yes=1, no=3), MAJ) == "unresolved"
    results = [_result(0, pv("yes")), *(_result(i, pv("no")) for i in range(1, 6))]
    outcome = summarize_pair(("a", "b"), results, K2)
    assert outcome.verdict == "unresolved"
    assert any("credible yes" in r for r in outcome.reasons)


votes_st = st.builds(
    Votes,
    yes=st.integers(0, 12),
    no=st.integers(0, 12),
    unknown=st.integers(0, 12),
)


@settings(max_examples=200)
@given(votes_st, st.sampled_from(POLICIES))
def test_a_credible_yes_is_never_no_evidence(votes, params):
    if votes.yes:
        assert decide(votes, params) != "no_evidence"


@settings(max_examples=200)
@given(votes_st, st.integers(1, 12), st.sampled_from(POLICIES))
def test_adding_yes_votes_never_undoes_interacts(votes, extra, params):
    if decide(votes, params) == "interacts":
        more = Votes(yes=votes.yes + extra, no=votes.no, unknown=votes.unknown)
        assert decide(more, params) == "interacts"


@settings(max_examples=100)
@given(votes_st, st.integers(0, 6), st.sampled_from(POLICIES))
def test_can_change_is_exact(votes, remaining, params):
    now = decide(votes, params)
    reachable = {
        decide(Votes(yes=votes.yes + y, no=votes.no + n, unknown=votes.unknown + u), params)
        for y in range(remaining + 1)
        for n in range(remaining + 1 - y)
        for u in range(remaining + 1 - y - n)
    }
    assert can_change(votes, remaining, params) == (reachable != {now})


def test_recall_decided_after_one_yes():
    assert not can_change(Votes(yes=1), 10, RECALL)
    assert can_change(Votes(no=4), 8, RECALL)


def test_most_severe():
    assert most_severe(["minor", "major", "unknown"]) == "major"
    assert most_severe(["unknown"]) == "unknown"
    assert most_severe([]) == "unknown"


def _result(i: int, verdict, model: str = "m") -> ProbeResult:
    probe = Probe(pair=("a", "b"), name_a="A", name_b="B", template="direct", index=i)
    return ProbeResult(probe=probe, verdict=verdict, model=model)


def test_summarize_pair_severity_and_evidence():
    results = [
        _result(0, pv("yes", 0.8, "moderate", "More bleeding. Watch out.")),
        _result(1, pv("yes", 0.9, "major", "More bleeding. Watch out.")),
        _result(2, pv("no", 0.6)),
        _result(3, None),
    ]
    out = summarize_pair(("b", "a"), results, RECALL)
    assert out.pair == ("a", "b")
    assert out.verdict == "interacts"
    assert out.severity == "major"
    assert out.votes == Votes(yes=2, no=1, unknown=1)
    assert out.confidence == 0.9
    assert out.summary == "More bleeding."
    assert any(e.source == "model:m" for e in out.evidence)
    assert "What to do" not in out.management and out.management


def test_summarize_pair_unresolved_reason():
    out = summarize_pair(("a", "b"), [_result(0, None), _result(1, None)], RECALL)
    assert out.verdict == "unresolved"
    assert out.reasons and "no usable answer" in out.reasons[0]


CHECKED = PairEvidence(pair=("a", "b"), consulted=("Source 1",))
UNCHECKED = PairEvidence(
    pair=("a", "b"), consulted=("Source 1",), gaps=("Source 1 does not cover a",)
)


def test_sources_that_checked_the_pair_decide_when_the_models_know_nothing():
    unknowns = [_result(i, pv("unknown", 0.0)) for i in range(4)]
    out = summarize_pair(("a", "b"), unknowns, RECALL, CHECKED)
    assert out.verdict == "no_evidence"
    assert "decided by Source 1" in out.reasons[0]
    # a source that could not check the pair never lets "unknown" become "no evidence"
    assert summarize_pair(("a", "b"), unknowns, RECALL, UNCHECKED).verdict == "unresolved"
    # without evidence the models' silence stays unresolved
    assert summarize_pair(("a", "b"), unknowns, RECALL).verdict == "unresolved"


def test_a_failed_call_or_an_outvoted_yes_is_never_decided_by_silent_sources():
    failed = [_result(0, pv("unknown", 0.0)), _result(1, None), _result(2, pv("no", 0.6))]
    assert summarize_pair(("a", "b"), failed, RECALL, CHECKED).verdict == "unresolved"
    outvoted = [_result(0, pv("yes", 0.9)), _result(1, pv("no", 0.9)), _result(2, pv("no", 0.9))]
    assert summarize_pair(("a", "b"), outvoted, MAJ, CHECKED).verdict == "unresolved"


def test_a_listed_entry_decides_whatever_the_models_say():
    entry = Evidence(source="s:Source 1", detail="listed", severity="major")
    listed = PairEvidence(pair=("a", "b"), entries=(entry,), consulted=("Source 1",))
    unknowns = [_result(i, pv("unknown", 0.0)) for i in range(4)]
    out = summarize_pair(("a", "b"), unknowns, RECALL, listed)
    assert out.verdict == "interacts" and out.severity == "major"


def test_tally():
    assert tally(["yes", "no", "unknown", "no"]) == Votes(yes=1, no=2, unknown=1)
