"""The evaluator efficacy table of BENCHMARKS.md matches the committed summary it was
generated from (benchmarks/evaluator_efficacy.py), the summary meets the targets of
issue 15 for the evaluators registered now, and the benchmark still runs."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from pipeline.evaluators import EVALUATOR_NAMES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def efficacy():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import evaluator_efficacy
    finally:
        sys.path.pop(0)
    return evaluator_efficacy


def test_published_efficacy_table_matches_the_summary(efficacy):
    summary = efficacy.load()
    doc = efficacy.DOC.read_text(encoding="utf-8")
    assert efficacy.BEGIN in doc and efficacy.END in doc
    assert efficacy.render(doc, summary) == doc, "run python benchmarks/evaluator_efficacy.py"


def test_summary_is_for_the_registered_evaluators_and_meets_the_targets(efficacy):
    summary = efficacy.load()
    assert summary["evaluators"] == list(EVALUATOR_NAMES), "rerun the benchmark"
    assert set(summary["classes"]) == set(efficacy.ERROR_CLASSES)
    for cls, data in summary["classes"].items():
        assert data["injected"] > 0, cls
        catchers = [n for n, k in data["caught"].items() if k]
        assert len(catchers) >= 2, cls
        assert data["any_evaluator"] == 1.0, cls
    for name in EVALUATOR_NAMES:
        assert any(summary["classes"][c]["caught"][name] for c in summary["classes"]), name
        assert summary["false_alarms"][name]["failed"] == 0, name


def test_benchmark_runs_on_a_few_queries(efficacy):
    summary = asyncio.run(efficacy.run(limit=2))
    assert summary["queries"] == 2 and not summary["not_clean"]
    for cls, data in summary["classes"].items():
        if data["injected"]:
            assert data["any_evaluator"] == 1.0, cls
