"""Eval metrics against hand-computed examples, plus hypothesis properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.evals._metrics import (
    f_beta,
    latency_summary,
    pair_metrics,
    pair_outcome,
    percentile,
    query_metrics,
    usage_metrics,
    wilson_interval,
)


def _pair(interacts, predicted, severity=None, predicted_severity=None):
    return {
        "interacts": interacts,
        "severity": severity,
        "predicted": predicted,
        "predicted_severity": predicted_severity,
    }


def test_pair_outcomes_abstention_is_never_correct():
    assert pair_outcome(True, "interacts") == "tp"
    assert pair_outcome(True, "no_evidence") == "fn"
    assert pair_outcome(True, "unresolved") == "abstain_pos"
    assert pair_outcome(True, "missing") == "abstain_pos"
    assert pair_outcome(False, "no_evidence") == "tn"
    assert pair_outcome(False, "interacts") == "fp"
    assert pair_outcome(False, "unresolved") == "abstain_neg"
    with pytest.raises(ValueError):
        pair_outcome(True, "maybe")


def test_pair_metrics_hand_computed():
    # 5 positives: 3 found, 1 missed, 1 unresolved; 4 negatives: 2 cleared, 1 false alarm,
    # 1 unresolved.
    pairs = [
        _pair(True, "interacts", "major", "major"),
        _pair(True, "interacts", "major", "minor"),
        _pair(True, "interacts", "contraindicated", "contraindicated"),
        _pair(True, "no_evidence", "minor"),
        _pair(True, "unresolved", "minor"),
        _pair(False, "no_evidence"),
        _pair(False, "no_evidence"),
        _pair(False, "interacts", None, "moderate"),
        _pair(False, "unresolved"),
    ]
    m = pair_metrics(pairs)
    assert m["positives"] == 5 and m["negatives"] == 4
    assert m["recall"]["value"] == pytest.approx(3 / 5)  # unresolved positive: not detected
    assert m["recall_incl_review"]["value"] == pytest.approx(4 / 5)
    assert m["specificity"]["value"] == pytest.approx(2 / 4)  # unresolved negative: not a TN
    assert m["precision"]["value"] == pytest.approx(3 / 4)
    p, r = 3 / 4, 3 / 5
    assert m["f2"] == pytest.approx(5 * p * r / (4 * p + r))
    assert m["f1"] == pytest.approx(2 * p * r / (p + r))
    assert m["abstention"]["value"] == pytest.approx(2 / 9)
    assert m["severity_agreement"]["value"] == pytest.approx(2 / 3)
    per = m["per_severity"]
    assert per["major"]["recall"]["value"] == 1.0 and per["major"]["positives"] == 2
    assert per["minor"]["recall"]["value"] == 0.0 and per["minor"]["positives"] == 2
    assert per["contraindicated"]["recall"]["value"] == 1.0
    assert per["moderate"]["positives"] == 0 and per["moderate"]["false_alarms"] == 1
    assert per["moderate"]["specificity"]["value"] == pytest.approx(3 / 4)


def test_rates_without_denominator_are_none_not_fake():
    m = pair_metrics([_pair(False, "no_evidence")])
    assert m["recall"]["value"] is None
    assert m["precision"]["value"] is None
    assert m["f2"] is None
    assert m["specificity"]["value"] == 1.0


def test_query_metrics_needs_review_is_never_correct():
    q = query_metrics(
        [
            ("interaction", "interaction"),
            ("interaction", "needs_review"),
            ("no_known_interaction", "no_known_interaction"),
            ("no_known_interaction", "needs_review"),
            ("no_known_interaction", "interaction"),
        ]
    )
    assert q["n"] == 5
    assert q["accuracy"]["value"] == pytest.approx(2 / 5)
    assert q["recall"]["value"] == pytest.approx(1 / 2)
    assert q["specificity"]["value"] == pytest.approx(1 / 3)
    assert q["abstention"]["value"] == pytest.approx(2 / 5)


def test_wilson_known_value():
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-3)
    assert high == pytest.approx(0.9433, abs=1e-3)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(0, 20)
    assert low == 0.0 and 0.1 < high < 0.2


def test_percentiles_and_latency():
    assert percentile([], 50) is None
    assert percentile([3.0], 90) == 3.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([1, 2, 3, 4, 5], 90) == pytest.approx(4.6)
    lat = latency_summary([0.1, 0.2, 0.3])
    assert lat["p50"] == pytest.approx(0.2) and lat["max"] == 0.3


def test_usage_and_cost():
    rows = [
        {
            "usage": {
                "prober": {"calls": 4, "input_tokens": 1000, "output_tokens": 100},
                "extractor": {"calls": 1, "input_tokens": 500, "output_tokens": 50},
            },
            "models": {"prober": "m-small", "extractor": "m-free"},
            "n_pairs": 2,
        },
        {
            "usage": {"prober": {"calls": 2, "input_tokens": 1000, "output_tokens": 100}},
            "models": {"prober": "m-small"},
            "n_pairs": 1,
        },
    ]
    prices = {"m-small": {"input": 1.0, "output": 2.0}}
    u = usage_metrics(rows, prices)
    assert u["calls_total"] == 7
    assert u["calls_per_query"]["mean"] == pytest.approx(3.5)
    assert u["prober_calls_per_pair"] == pytest.approx(2.0)
    assert u["cost_total"] == pytest.approx(2 * (1000 * 1.0 + 100 * 2.0) / 1e6)
    assert u["unpriced_models"] == ["m-free"]


# --------------------------------------------------------------------------- properties

verdicts = st.sampled_from(["interacts", "no_evidence", "unresolved", "missing"])
gold_pairs = st.lists(st.tuples(st.booleans(), verdicts), min_size=1, max_size=60)


@given(st.lists(st.booleans(), min_size=1, max_size=60), st.lists(verdicts, max_size=60))
def test_recall_is_one_when_every_positive_is_found(labels, neg_verdicts):
    pairs = [_pair(True, "interacts") for _ in labels]
    pairs += [_pair(False, v) for v in neg_verdicts]
    assert pair_metrics(pairs)["recall"]["value"] == 1.0


@given(gold_pairs)
def test_counts_partition_the_gold_pairs(items):
    m = pair_metrics([_pair(g, v) for g, v in items])
    assert sum(m["counts"].values()) == len(items)
    for name in ("recall", "specificity", "precision", "abstention"):
        value = m[name]["value"]
        assert value is None or 0.0 <= value <= 1.0


unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@given(unit, unit)
def test_f2_favours_recall(precision, recall):
    f1, f2 = f_beta(precision, recall, 1.0), f_beta(precision, recall, 2.0)
    assert 0.0 <= f2 <= 1.0
    if recall >= precision:
        assert f2 >= f1 - 1e-12
    else:
        assert f2 <= f1 + 1e-12


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_wilson_contains_estimate_and_is_in_unit_interval(k, n):
    k = min(k, n)
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert not math.isnan(low) and not math.isnan(high)
