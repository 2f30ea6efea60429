"""RELIABILITY.md's fault matrix matches the committed summary it was rendered from
(`benchmarks/fault_matrix.py`), and that summary was measured with the evaluators
registered now and has no silent negative."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pipeline.evaluators import EVALUATOR_NAMES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fault_matrix():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import fault_matrix
    finally:
        sys.path.pop(0)
    return fault_matrix


def test_reliability_fault_matrix_matches_the_summary(fault_matrix):
    summary = fault_matrix.load()
    doc = fault_matrix.DOC.read_text(encoding="utf-8")
    assert fault_matrix.BEGIN in doc and fault_matrix.END in doc
    assert fault_matrix.render(doc, summary) == doc, "run python benchmarks/fault_matrix.py"


def test_summary_is_current_and_complete(fault_matrix):
    summary = fault_matrix.load()
    assert summary["evaluators"] == list(EVALUATOR_NAMES), "rerun benchmarks/fault_matrix.py"
    assert summary["queries"] == len(fault_matrix.QUERIES)
    per_fault = len(fault_matrix.ROLES) * (len(fault_matrix.RATES) + 1)
    assert len(summary["cells"]) == len(summary["faults"]) * per_fault
    for cell in summary["cells"]:
        assert sum(cell["counts"].values()) == summary["queries"]
        assert cell["silent_negatives"] == 0, cell
        assert cell["counts"]["error"] == 0, cell
