"""Property tests over random fault schedules (fault kind, rate, role, seed, stickiness)
and random queries from a fixed pool of drug pairs.

Invariants (see RELIABILITY.md):

* safety: ``no_known_interaction`` only when every pair was answered (no_evidence), every
  evaluator signed off, no extractor call failed, nothing is unresolved, and the fault-free
  answer is also ``no_known_interaction``;
* order and synonym *safety*: `FaultyModel` draws depend on the prompt text, so A,B and
  B,A (or a brand name instead of the generic) may degrade differently under the same
  fault seed — one may be ``needs_review`` where the other is not — but they never
  disagree in the dangerous way: one ``interaction`` and the other
  ``no_known_interaction``;
* determinism: the same query, fault schedule and seed give the same report.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import FAST, POOL, SYNONYMS, assert_safe, faulty

from pipeline import ask
from pipeline.models._doubles import FAULTS

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

schedules = st.fixed_dictionaries(
    {
        "fault": st.sampled_from(FAULTS),
        "rate": st.sampled_from([0.05, 0.3, 0.7, 1.0]),
        "role": st.sampled_from(["extractor", "prober", "evaluator"]),
        "seed": st.integers(min_value=0, max_value=50),
        "sticky": st.booleans(),
    }
)
pairs = st.sampled_from(sorted(POOL))


def run(query, schedule, **options):
    model = faulty(
        schedule["fault"], schedule["rate"], seed=schedule["seed"], sticky=schedule["sticky"]
    )
    return ask(query, models={schedule["role"]: model}, **{**FAST, **options})


DANGEROUS = {"interaction", "no_known_interaction"}


@SETTINGS
@given(pairs, schedules, st.booleans())
def test_no_silent_negative_under_any_fault_schedule(pair, schedule, as_text):
    query = f"{pair[0]} and {pair[1]}" if as_text else list(pair)
    report = run(query, schedule)
    assert_safe(report, POOL[pair])
    assert report.verdict in (POOL[pair], "needs_review")


@SETTINGS
@given(pairs, schedules)
def test_order_never_flips_interaction_into_no_known(pair, schedule):
    a, b = pair
    one, two = run([a, b], schedule), run([b, a], schedule)
    assert {one.verdict, two.verdict} != DANGEROUS
    for r in (one, two):
        assert_safe(r, POOL[pair])


@SETTINGS
@given(pairs, schedules, st.booleans())
def test_synonyms_never_flip_interaction_into_no_known(pair, schedule, first):
    a, b = pair
    swapped = [SYNONYMS.get(a, a), b] if first else [a, SYNONYMS.get(b, b)]
    one, two = run([a, b], schedule), run(swapped, schedule)
    assert {one.verdict, two.verdict} != DANGEROUS
    assert_safe(two, POOL[pair])


@settings(SETTINGS, max_examples=10)
@given(pairs, schedules.filter(lambda s: s["fault"] != "timeout"))
def test_same_fault_schedule_and_seed_same_report(pair, schedule):
    # time-out faults are left out, and so is the wall clock: with FAST's 0.2 s time-out a
    # busy machine makes a healthy call time out and retry, which changes the usage counts
    one = run(list(pair), schedule, trace=True, timeout=30.0)
    two = run(list(pair), schedule, trace=True, timeout=30.0)
    assert one.model_dump() == two.model_dump()
