"""Baseline significance: a real recall drop flags, sampling noise does not."""

from __future__ import annotations

import random

import pytest

from pipeline.evals._baseline import (
    compare_summaries,
    format_diff,
    sign_test_pvalue,
    two_proportion_pvalue,
)
from pipeline.evals._summary import summarise


def _rows(rates: list[float], negatives: int, seed: int, repeats: int = 1, fa: float = 0.0):
    """Rows of one sample per positive pair; each pair detected with its own rate."""
    rng = random.Random(seed)
    rows = []
    for rep in range(repeats):
        for i, r in enumerate(rates):
            hit = rng.random() < r
            rows.append(_row(f"p{i}", rep, True, "interacts" if hit else "no_evidence"))
        for j in range(negatives):
            flag = rng.random() < fa
            rows.append(_row(f"n{j}", rep, False, "interacts" if flag else "no_evidence"))
    return rows


def _row(sid, rep, interacts, predicted):
    outcome = {
        (True, "interacts"): "tp",
        (True, "no_evidence"): "fn",
        (False, "interacts"): "fp",
        (False, "no_evidence"): "tn",
    }[(interacts, predicted)]
    return {
        "sample_id": sid,
        "repeat": rep,
        "config_hash": "c",
        "expected_verdict": "interaction" if interacts else "no_known_interaction",
        "verdict": "interaction" if predicted == "interacts" else "no_known_interaction",
        "correct": (predicted == "interacts") == interacts,
        "pairs": [
            {
                "pair": f"{sid}a|{sid}b",
                "interacts": interacts,
                "severity": "major" if interacts else None,
                "predicted": predicted,
                "predicted_severity": "major" if predicted == "interacts" else None,
                "outcome": outcome,
            }
        ],
        "n_pairs": 1,
        "usage": {"prober": {"calls": 3}},
        "calls": 3,
        "models": {},
        "latency_s": 0.01,
    }


def _summary(rows, repeats=1):
    return summarise(rows, suite="pairs", dataset_version="gold-v1", repeats=repeats)


def test_sign_test_values():
    assert sign_test_pvalue(0, 0) == 1.0
    assert sign_test_pvalue(5, 0) == pytest.approx(1 / 32)
    assert sign_test_pvalue(3, 3) > 0.5
    assert sign_test_pvalue(15, 2) < 0.01


def test_two_proportion_values():
    assert two_proportion_pvalue(90, 100, 70, 100) < 0.001
    assert two_proportion_pvalue(90, 100, 89, 100) > 0.3
    assert two_proportion_pvalue(70, 100, 90, 100) > 0.99


def test_real_drop_flags():
    rates = [0.9] * 150
    base = _summary(_rows(rates, 80, seed=1, repeats=3), repeats=3)
    worse = _summary(_rows([0.7] * 150, 80, seed=2, repeats=3), repeats=3)
    res = compare_summaries(base, worse)
    assert res.test == "paired sign test"
    assert res.regression, res.headline()
    assert res.p_value < 0.001
    assert res.drop == pytest.approx(0.2, abs=0.06)
    assert res.changed and "lost" in format_diff(res.changed)


def test_noise_rarely_flags():
    """Same detection rates, fresh noise: the false-alarm rate stays near alpha (5 %)."""
    flagged = 0
    trials = 40
    for seed in range(trials):
        rng = random.Random(seed)
        rates = [rng.choice([0.5, 0.8, 0.95, 1.0]) for _ in range(150)]
        base = _summary(_rows(rates, 20, seed=1000 + seed, repeats=3), repeats=3)
        same = _summary(_rows(rates, 20, seed=5000 + seed, repeats=3), repeats=3)
        flagged += compare_summaries(base, same).regression
    assert flagged <= 4, f"{flagged}/{trials} noise-only comparisons flagged"


def test_identical_deterministic_runs_never_flag():
    rows = _rows([0.9] * 100, 20, seed=7)
    res = compare_summaries(_summary(rows), _summary(rows))
    assert not res.regression and res.p_value == 1.0 and res.changed == []


def test_small_but_significant_drop_needs_the_minimum_effect():
    rates = [1.0] * 400
    base = _summary(_rows(rates, 0, seed=1))
    # 6 of 400 pairs lost: significant (p = 1/64) but only a 1.5-point drop
    cur_rows = _rows(rates, 0, seed=1)
    for row in cur_rows[:6]:
        row.update(_row(row["sample_id"], 0, True, "no_evidence"))
    cur = _summary(cur_rows)
    res = compare_summaries(base, cur, min_effect=0.02)
    assert res.p_value < 0.05 and not res.regression
    assert compare_summaries(base, cur, min_effect=0.01).regression


def test_unpaired_fallback_when_pairs_differ():
    base = _summary(_rows([0.9] * 200, 0, seed=3))
    cur = _summary(_rows([0.6] * 200, 0, seed=4))
    cur["samples"] = {}
    res = compare_summaries(base, cur)
    assert res.test == "two-proportion z-test"
    assert res.regression
