"""Adaptive probing never changes a pair's verdict under the recall policy (versus full
fan-out of the same schedule) and never asks more probes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.api import ask
from pipeline.context import Context
from pipeline.nodes._plan import first_wave_size, route_probes
from pipeline.state import Probe

DRUGS = [  # distinct drugs, some named by brand (Advil = ibuprofen, Zocor = simvastatin)
    "warfarin",
    "Advil",
    "aspirin",
    "Zocor",
    "clarithromycin",
    "amoxicillin",
    "metformin",
    "omeprazole",
    "amiodarone",
    "digoxin",
]


def _verdicts(report) -> dict[tuple[str, str], str]:
    return {tuple(sorted((p.drug_a, p.drug_b))): p.verdict for p in report.pairs}


def _probes(report) -> int:
    usage = report.usage.by_role.get("prober")
    return usage.calls if usage is not None else 0


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(
    drugs=st.lists(st.sampled_from(DRUGS), min_size=2, max_size=3, unique=True),
    seed=st.integers(0, 10_000),
    miss=st.sampled_from([0.1, 0.3, 0.6]),
    false_alarm=st.sampled_from([0.0, 0.05, 0.2]),
)
def test_adaptive_keeps_recall_verdicts(drugs, seed, miss, false_alarm):
    spec = f"sim:noisy?miss={miss}&fa={false_alarm}&seed={seed}"
    models = {"extractor": spec, "prober": spec, "evaluator": spec}
    full = ask(drugs, models=models, seed=seed, adaptive=False)
    adaptive = ask(drugs, models=models, seed=seed, adaptive=True)
    assert _verdicts(adaptive) == _verdicts(full)
    assert adaptive.verdict == full.verdict
    assert _probes(adaptive) <= _probes(full)


def test_first_wave_size_by_policy():
    assert first_wave_size(Context()) == 2  # recall: one yes decides; 2 names, both orders
    assert first_wave_size(Context(policy="k_of_n", k=3)) == 3
    assert first_wave_size(Context(policy="majority", wave_size=5)) == 5
    assert first_wave_size(Context(wave_size=1)) == 1


def test_positive_pair_costs_one_small_wave():
    report = ask(
        ["warfarin", "ibuprofen"], trace=True, probe_listed=True
    )  # reference model: every probe "yes"
    assert report.pairs[0].verdict == "interacts"
    assert report.usage.by_role["prober"].calls == 2
    names = {(t.name_a, t.name_b) for t in report.trace}
    assert len({a for a, _ in names}) == 2 and len({b for _, b in names}) == 2


def test_route_probes_sends_one_batch_per_pair():
    def p(a: str, b: str, i: int) -> Probe:
        return Probe(pair=(a, b), name_a=a, name_b=b, template="direct", index=i)

    wave = [p("a", "b", 0), p("a", "b", 1), p("a", "c", 2), p("b", "c", 3), p("a", "c", 4)]
    sends = route_probes({"wave": wave})
    assert [len(s.arg["probes"]) for s in sends] == [2, 2, 1]
    assert all(s.arg["probe"] == s.arg["probes"][0] for s in sends)
    assert sorted(q.index for s in sends for q in s.arg["probes"]) == [0, 1, 2, 3, 4]
    assert route_probes({"wave": []}) == "aggregate"
