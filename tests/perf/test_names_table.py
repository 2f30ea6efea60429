"""BENCHMARKS.md's name-layer table matches the committed summary it was rendered from
(`benchmarks/bench_names.py`). No timing is asserted here: the figures live only in the
benchmark; this checks that the published table is the one its summary gives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench_names():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_names
    finally:
        sys.path.pop(0)
    return bench_names


def test_published_names_table_matches_the_summary(bench_names):
    summary = bench_names.load()
    doc = bench_names.DOC.read_text(encoding="utf-8")
    assert bench_names.BEGIN in doc and bench_names.END in doc
    assert bench_names.render(doc, summary) == doc, "run python benchmarks/bench_names.py --render"


def test_a_slow_reading_is_shown_as_a_missed_target(bench_names):
    summary = bench_names.load()
    summary["read_query_ms"]["first_run_new_index"] = 250.0
    assert any(m.startswith("`read_query`") for m in bench_names.missed(summary))
    assert "**not met**" in bench_names.table(summary)
    assert bench_names.table(summary) != bench_names.table(bench_names.load())
