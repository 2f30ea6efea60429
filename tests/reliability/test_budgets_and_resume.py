"""Per-run probe budget across ask_many, the resumable journal, dry-run estimates, and
two processes sharing one SQLite response cache."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from pipeline import api
from pipeline.api import ReportJournal, RunBudget, ask_many, journal_key, plan_probes
from pipeline.context import OptionError

QUERIES = [
    "warfarin and ibuprofen",
    "amoxicillin and paracetamol",
    "omeprazole and amoxicillin",
    "metformin and paracetamol",
    "simvastatin and clarithromycin",
]


def test_run_budget_exhaustion_never_yields_no_known_interaction():
    budget = RunBudget(20)
    reports = ask_many(QUERIES, concurrency=1, run_budget=budget, probe_listed=True)
    assert budget.used == 20 and budget.remaining == 0
    probes = sum(p.votes.total for r in reports for p in r.pairs)
    assert probes <= 20
    starved = [r for r in reports if any("run_budget=20" in x for x in r.review_reasons)]
    assert starved  # the budget ran out part-way through the run
    for r in starved:
        assert r.verdict != "no_known_interaction"
        assert r.verdict == "needs_review" or all(p.verdict == "interacts" for p in r.pairs)


def test_zero_run_budget_leaves_only_listed_interactions():
    """Without probes, evidence still decides listed pairs; every other pair is unresolved."""
    reports = ask_many(QUERIES, run_budget=0)
    for r in reports:
        assert r.verdict != "no_known_interaction"
        for p in r.pairs:
            listed = any(e.source.startswith("ansm:") for e in p.evidence)
            assert p.verdict == ("interacts" if listed else "unresolved")
    assert any(
        "not probed: the probe budget ran out" in "\n".join(r.review_reasons) for r in reports
    )


def test_ample_run_budget_changes_nothing():
    plain = ask_many(QUERIES)
    budgeted = ask_many(QUERIES, run_budget=10_000)
    assert [r.model_dump() for r in plain] == [r.model_dump() for r in budgeted]


@pytest.mark.parametrize("bad", [-1, 1.5, "ten", True])
def test_run_budget_is_validated(bad):
    with pytest.raises(OptionError, match="^run_budget must be"):
        ask_many(QUERIES[:1], run_budget=bad)


def test_dry_run_estimates_without_calling_models(monkeypatch):
    async def forbidden(*a, **k):
        raise AssertionError("dry run called a model")

    monkeypatch.setattr("pipeline.nodes._common.call_structured", forbidden)
    plan = plan_probes("warfarin, ibuprofen and aspirin", budget=10, probe_listed=True)
    assert plan["pairs"] == 3 and 0 < plan["planned_probes"] <= 10


def test_journal_resumes_after_a_crash_without_repeating_work(tmp_path, monkeypatch):
    path = tmp_path / "run.jsonl"
    real_run = api._run
    ran: list = []

    async def crashing(query, ctx):
        if len(ran) == 3:
            raise RuntimeError("crash")  # the process dies after three finished queries
        ran.append(query)
        return await real_run(query, ctx)

    monkeypatch.setattr(api, "_run", crashing)
    with pytest.raises(RuntimeError, match="crash"):
        ask_many(QUERIES, concurrency=1, journal=path)
    assert len(path.read_text().splitlines()) == 3
    with open(path, "a") as fh:
        fh.write('{"key": "torn')  # a write cut short by the crash

    ran.clear()
    monkeypatch.setattr(api, "_run", real_run)
    counted: list = []

    async def counting(query, ctx):
        counted.append(query)
        return await real_run(query, ctx)

    monkeypatch.setattr(api, "_run", counting)
    resumed = ask_many(QUERIES, concurrency=1, journal=path)
    assert counted == QUERIES[3:]  # only the unfinished work runs
    fresh = ask_many(QUERIES)
    assert [r.model_dump() for r in resumed] == [r.model_dump() for r in fresh]
    assert set(ReportJournal(path).load()) == {journal_key(q, {}) for q in QUERIES}


def test_journal_key_depends_on_options_that_change_answers():
    assert journal_key("a", {"seed": 1}) != journal_key("a", {"seed": 2})
    assert journal_key("a", {"seed": 1, "concurrency": 3}) == journal_key("a", {"seed": 1})
    assert journal_key(["a", "b"], {}) != journal_key("a, b", {})


def test_budget_starved_reports_are_not_journaled(tmp_path):
    path = tmp_path / "run.jsonl"
    ask_many(QUERIES, run_budget=0, journal=path, probe_listed=True)
    assert not path.exists() or ReportJournal(path).load() == {}


_WORKER = textwrap.dedent(
    """
    import sys
    from pipeline import ask_many
    from pipeline.cache import ResponseCache
    from pipeline.models._doubles import SimulatedModel
    cache = ResponseCache(sys.argv[1])
    qs = ["warfarin and ibuprofen", "amoxicillin and paracetamol", "sertraline and tramadol",
          "omeprazole and amoxicillin", "digoxin and amiodarone", "metformin and paracetamol"]
    prober = SimulatedModel(miss_rate=0.2, seed=int(sys.argv[2]))
    for _ in range(2):
        rs = ask_many(qs, models={"prober": prober}, cache=cache, concurrency=3)
    print(",".join(r.verdict for r in rs))
    cache.close()
    """
)


def test_two_processes_share_one_cache_without_corruption(tmp_path):
    path = tmp_path / "cache.sqlite"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(path), str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 1, 2)  # two writers of the same keys, one of other keys
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [e for _, e in outs]
    assert outs[0][0] == outs[1][0]  # same seed, same cache: same answers
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    rows = conn.execute("SELECT value FROM responses").fetchall()
    conn.close()
    assert rows and all(isinstance(json.loads(v), dict) for (v,) in rows)
