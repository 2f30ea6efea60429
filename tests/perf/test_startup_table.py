"""BENCHMARKS.md's start-up table matches the committed summary it was rendered from
(`benchmarks/bench_startup.py`). No timing is asserted here: the figures live only in the
benchmark; this checks that the published table is the one its summary gives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench_startup():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_startup
    finally:
        sys.path.pop(0)
    return bench_startup


def test_published_startup_table_matches_the_summary(bench_startup):
    summary = bench_startup.load()
    doc = bench_startup.DOC.read_text(encoding="utf-8")
    assert bench_startup.BEGIN in doc and bench_startup.END in doc
    assert bench_startup.render(doc, summary) == doc, (
        "run python benchmarks/bench_startup.py --render"
    )


def test_summary_covers_every_command_in_every_round(bench_startup):
    summary = bench_startup.load()
    assert list(summary["results"]) == list(bench_startup.COMMANDS)
    assert summary["rounds"] >= 3 and summary["target"] == bench_startup.TARGET
    for r in summary["results"].values():
        assert len(r["runs"]) == summary["rounds"]
        assert r["wall_min"] <= r["wall_median"]


def test_ratio_is_computed_per_round_and_can_miss_the_target(bench_startup):
    summary = bench_startup.load()
    ask = summary["results"][bench_startup.ASK]["runs"]
    floor = summary["results"][bench_startup.FLOOR]["runs"]
    for run, base in zip(ask, floor, strict=True):
        run["wall"] = base["wall"] * 2.0  # every round twice the floor
    paired, _ = bench_startup.ratios(summary)
    assert paired == pytest.approx(2.0)
    assert "**not met**" in bench_startup.table(summary)
