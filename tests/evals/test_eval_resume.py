"""ResultJournal, resume and summary plumbing with a fake `ask` (no graph): fast and exact."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from pipeline.evals._journal import ResultJournal
from pipeline.evals._run import arun_suite, load_baseline
from pipeline.evals._suites import Sample, SuiteError, load_samples

SAMPLES = [
    {
        "id": f"s{i}",
        "version": "gold-v1",
        "suite": "pairs",
        "query": f"drug{i} and other{i}",
        "drugs": [f"drug{i}", f"other{i}"],
        "expected_pairs": [
            {
                "drug_a": f"drug{i}",
                "drug_b": f"other{i}",
                "interacts": i % 3 != 0,
                "severity": "major" if i % 3 else None,
            }
        ],
        "expected_verdict": "interaction" if i % 3 else "no_known_interaction",
        "tags": [],
        "perturbation": None,
    }
    for i in range(12)
]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    (d / "pairs.jsonl").write_text("\n".join(json.dumps(s) for s in SAMPLES) + "\n")
    lst = {
        "id": "l0",
        "version": "gold-v1",
        "suite": "lists",
        "query": ["a", "b", "c"],
        "drugs": ["a", "b", "c"],
        "expected_pairs": [{"drug_a": "b", "drug_b": "a", "interacts": True, "severity": "minor"}],
        "expected_verdict": "interaction",
        "tags": [],
        "perturbation": None,
    }
    (d / "lists.jsonl").write_text(json.dumps(lst) + "\n")
    return d


class FakeAsk:
    """Answers every pair as interacting (so gold negatives become false alarms), and
    counts calls per (query, seed)."""

    def __init__(self, miss: set[str] = frozenset()) -> None:
        self.calls: list[tuple] = []
        self.miss = miss

    async def __call__(self, query, **options):
        self.calls.append((str(query), options.get("seed")))
        await asyncio.sleep(0.002)
        i = str(query).split()[0].removeprefix("drug")
        verdict = "no_evidence" if f"s{i}" in self.miss else "interacts"
        return {
            "verdict": "interaction" if verdict == "interacts" else "no_known_interaction",
            "pairs": [
                {
                    "drug_a": f"other{i}",  # reversed order on purpose: matched unordered
                    "drug_b": f"drug{i}",
                    "verdict": verdict,
                    "severity": "major",
                    "votes": {"yes": 2, "no": 0, "unknown": 0},
                }
            ],
            "drugs": [{"canonical": f"drug{i}"}, {"canonical": f"other{i}"}],
            "usage": {"by_role": {"prober": {"calls": 2, "input_tokens": 10, "output_tokens": 5}}},
            "models": {"prober": "fake"},
        }


async def _run(data_dir, out, ask, **kw):
    return await arun_suite(
        "pairs", out=out, data_dir=data_dir, ask=ask, cache=None, progress=False, **kw
    )


async def test_lists_get_implied_negatives(data_dir):
    (sample,) = load_samples("lists", data_dir)
    assert isinstance(sample, Sample)
    assert {p.key: p.interacts for p in sample.expected_pairs} == {
        "a|b": True,
        "a|c": False,
        "b|c": False,
    }


def test_version_mismatch_is_refused(data_dir):
    text = (data_dir / "pairs.jsonl").read_text().replace("gold-v1", "gold-v0", 1)
    (data_dir / "pairs.jsonl").write_text(text)
    with pytest.raises(SuiteError, match="version"):
        load_samples("pairs", data_dir)


async def test_summary_counts(data_dir, tmp_path):
    ask = FakeAsk(miss={"s1"})
    outcome = await _run(data_dir, tmp_path / "run", ask)
    s = outcome.summary
    assert s["rows"] == 12 and outcome.new_rows == 12
    pm = s["pairs"]
    assert pm["positives"] == 8 and pm["negatives"] == 4
    assert pm["counts"]["tp"] == 7 and pm["counts"]["fn"] == 1 and pm["counts"]["fp"] == 4
    assert s["queries"]["accuracy"]["value"] == pytest.approx(7 / 12)
    assert s["usage"]["calls_total"] == 24
    assert s["samples"]["s1"]["pairs"]["drug1|other1"]["detected_rate"] == 0.0
    assert (tmp_path / "run" / "summary.json").exists()
    assert (tmp_path / "run" / "report.md").exists()


async def test_interrupted_eval_resumes_without_redoing_work(data_dir, tmp_path):
    out = tmp_path / "run"
    ask = FakeAsk()
    seen = []

    def stop_after_five(row):
        seen.append(row["sample_id"])
        if len(seen) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await _run(data_dir, out, ask, repeat=2, concurrency=3, on_row=stop_after_five)
    journal = ResultJournal(out / "results.jsonl")
    assert len(journal) == 5  # every finished row was journaled before the interrupt
    first_calls = len(ask.calls)
    assert first_calls < 24

    outcome = await _run(data_dir, out, ask, repeat=2, concurrency=3)
    assert outcome.reused_rows == 5 and outcome.new_rows == 19
    keys = [(q, seed) for q, seed in ask.calls]
    # nothing was lost: every (sample, repeat) answered; nothing finished was redone
    assert len(set(keys)) == 24
    assert len(keys) - first_calls == 19  # only unjournaled work is redone
    lines = (out / "results.jsonl").read_text().splitlines()
    assert len(lines) == 24
    assert {(json.loads(x)["sample_id"], json.loads(x)["repeat"]) for x in lines} == {
        (f"s{i}", r) for i in range(12) for r in range(2)
    }

    before = len(ask.calls)
    again = await _run(data_dir, out, ask, repeat=2)
    assert len(ask.calls) == before  # a rerun of finished work costs nothing
    assert again.new_rows == 0 and again.summary["run"]["model_calls_this_run"] == 0
    assert again.summary["pairs"] == outcome.summary["pairs"]


async def test_torn_last_line_is_redone(data_dir, tmp_path):
    out = tmp_path / "run"
    ask = FakeAsk()
    await _run(data_dir, out, ask)
    path = out / "results.jsonl"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:40])  # killed mid-write
    journal = ResultJournal(path)
    assert journal.skipped_lines == 1 and len(journal) == 11
    outcome = await _run(data_dir, out, ask)
    assert outcome.new_rows == 1 and outcome.summary["rows"] == 12
    assert ResultJournal(path).skipped_lines == 1  # the torn line stays, never glued to a record


async def test_changed_config_is_not_reused(data_dir, tmp_path):
    out = tmp_path / "run"
    ask = FakeAsk()
    await _run(data_dir, out, ask)
    await _run(data_dir, out, ask, options={"policy": "majority"})
    assert len(ask.calls) == 24
    # a changed sample is not reused either
    text = (data_dir / "pairs.jsonl").read_text().replace("drug0 and other0", "drug0 & other0")
    (data_dir / "pairs.jsonl").write_text(text)
    await _run(data_dir, out, ask, options={"policy": "majority"})
    assert len(ask.calls) == 25


async def test_errors_are_rows_and_retried_on_request(data_dir, tmp_path):
    out = tmp_path / "run"
    state = {"fail": True}
    good = FakeAsk()

    async def flaky(query, **options):
        if state["fail"] and query.startswith("drug3 "):
            raise RuntimeError("provider down")
        return await good(query, **options)

    outcome = await _run(data_dir, out, flaky)
    assert outcome.summary["errors"] == 1
    row = ResultJournal(out / "results.jsonl").rows()[0]
    assert "error" in row
    state["fail"] = False
    again = await _run(data_dir, out, flaky)
    assert again.new_rows == 0  # errors are finished work unless asked
    again = await _run(data_dir, out, flaky, retry_errors=True)
    assert again.new_rows == 1 and again.summary["errors"] == 0


async def test_baseline_from_run_dir_and_diff(data_dir, tmp_path):
    base = await _run(data_dir, tmp_path / "base", FakeAsk())
    worse = await _run(
        data_dir,
        tmp_path / "worse",
        FakeAsk(miss={f"s{i}" for i in (1, 2, 4, 5, 7, 8)}),
        baseline=tmp_path / "base",
        min_effect=0.1,
    )
    assert base.summary["pairs"]["recall"]["value"] == 1.0
    b = worse.baseline
    assert b["regression"] and b["worse_pairs"] == 6 and b["better_pairs"] == 0
    assert {c["sample_id"] for c in b["changed"]} == {"s1", "s2", "s4", "s5", "s7", "s8"}
    report = (tmp_path / "worse" / "report.md").read_text()
    assert "REGRESSION" in report and "s4" in report
    # a baseline summary without embedded samples is rebuilt from results.jsonl beside it
    summary = json.loads((tmp_path / "base" / "summary.json").read_text())
    summary.pop("samples")
    (tmp_path / "base" / "summary.json").write_text(json.dumps(summary))
    assert load_baseline(tmp_path / "base" / "summary.json")["samples"].keys() == {
        f"s{i}" for i in range(12)
    }


async def test_report_without_matplotlib_is_markdown_only(data_dir, tmp_path, monkeypatch):
    import pipeline.evals._report as report

    monkeypatch.setattr(report, "have_matplotlib", lambda: False)
    outcome = await _run(data_dir, tmp_path / "run", FakeAsk())
    assert outcome.report["plots"] is False and "matplotlib" in outcome.report["note"]
    assert (tmp_path / "run" / "report.md").exists()
    assert not (tmp_path / "run" / "report.html").exists()
    assert "matplotlib is not installed" in (tmp_path / "run" / "report.md").read_text()


async def test_report_with_plots(data_dir, tmp_path):
    pytest.importorskip("matplotlib")
    await _run(data_dir, tmp_path / "base", FakeAsk())
    await _run(data_dir, tmp_path / "run", FakeAsk(miss={"s1"}), baseline=tmp_path / "base")
    run = tmp_path / "run"
    for name in ("severity.png", "calls.png", "baseline_diff.png"):
        assert (run / "plots" / name).stat().st_size > 1000, name
    page = (run / "report.html").read_text()
    assert "plots/baseline_diff.png" in page and "<table>" in page
