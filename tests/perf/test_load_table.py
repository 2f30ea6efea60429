"""BENCHMARKS.md's load table matches the committed summary it was rendered from
(`benchmarks/bench_load.py`). No timing is asserted here: the figures live only in the
benchmark; this checks that the published table is the one its summary gives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench_load():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_load
    finally:
        sys.path.pop(0)
    return bench_load


def test_published_load_table_matches_the_summary(bench_load):
    summary = bench_load.load()
    doc = bench_load.DOC.read_text(encoding="utf-8")
    assert bench_load.BEGIN in doc and bench_load.END in doc
    assert bench_load.render(doc, summary) == doc, "run python benchmarks/bench_load.py --render"


def test_summary_covers_the_benchmark_design(bench_load):
    summary = bench_load.load()
    rows = summary["rows"]
    assert [r["concurrency"] for r in rows] == list(bench_load.CONCURRENCIES)
    for r in rows:
        assert r["queries"] == summary["queries"]
        assert len(r["rounds"]) == summary["rounds"] >= 2  # the leak check needs two
        for rnd in r["rounds"]:
            done = sum(rnd["verdicts"].values())
            assert done == (0 if rnd["errors"] else summary["queries"])


def test_render_shows_errors_and_growth(bench_load):
    # the table is computed from the summary, not copied: a changed figure changes it
    summary = bench_load.load()
    summary["rows"][0]["rounds"][1]["rss_after"] += 1000
    summary["rows"][0]["rounds"][1]["errors"] = 1
    summary["rows"][0]["rounds"][1]["error"] = "RuntimeError: boom"
    text = bench_load.table(summary)
    assert "RuntimeError: boom" in text
    assert text != bench_load.table(bench_load.load())


def test_pick_queries_is_deterministic_and_spread(bench_load):
    a = bench_load.pick_queries(50)
    assert a == bench_load.pick_queries(50) and len(a) == 50
    assert any(isinstance(q, list) for q in bench_load.pick_queries(500))  # lists included
    total = len(bench_load.DATASET.read_text(encoding="utf-8").splitlines())
    assert len(bench_load.pick_queries(total + 3)) == total + 3
