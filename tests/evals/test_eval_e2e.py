"""End to end through the real cascade: `ddi eval --suite smoke`, resume and zero-call reruns.

The smoke suite with the reference model is what CI runs; the resume test counts every
model invocation with a keyed double that answers like the reference model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import EXIT_FAILED_CHECK, EXIT_OK, EXIT_USAGE, main
from pipeline.evals._journal import ResultJournal
from pipeline.evals._run import arun_suite
from pipeline.models._doubles import KeyedModel
from pipeline.models._reference import get_oracle


def _oracle(prompt_id: str, data: dict) -> dict:
    return get_oracle().answer(prompt_id, data)


def test_cli_smoke_suite_end_to_end(tmp_path: Path, capsys) -> None:
    out = tmp_path / "smoke"
    assert main(["eval", "--suite", "smoke", "--out", str(out), "--quiet"]) == EXIT_OK
    for name in ("results.jsonl", "summary.json", "config.json", "report.md", "cache.sqlite"):
        assert (out / name).exists(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["suite"] == "smoke" and summary["dataset_version"] == "gold-v1"
    assert summary["errors"] == 0
    assert summary["rows"] == summary["samples_n"] >= 20
    # the reference model answers from the KB the gold was drawn from: plumbing, not medicine
    assert summary["pairs"]["recall"]["value"] >= 0.95
    assert summary["pairs"]["specificity"]["value"] >= 0.9
    assert summary["usage"]["calls_per_query"]["mean"] > 1
    text = capsys.readouterr().out
    assert "pair recall" in text

    # identical rerun against itself as baseline: zero model calls, check passes
    assert (
        main(["eval", "--suite", "smoke", "--out", str(out), "--quiet", "--baseline", str(out)])
        == EXIT_OK
    )
    again = json.loads((out / "summary.json").read_text())
    assert again["run"]["new_rows"] == 0 and again["run"]["model_calls_this_run"] == 0
    assert again["baseline"]["regression"] is False

    # a much worse prober (one direct probe, misses 90%): recall drops, exit code 1
    worse = tmp_path / "worse"
    code = main(
        [
            "eval", "--suite", "smoke", "--out", str(worse), "--quiet", "--no-cache",
            "--model", "prober=sim:perfect?miss=0.9&seed=3",
            "--set", "synonyms_per_drug=0", "--set", "templates=direct",
            "--set", 'budget={"calls_per_pair": 1, "min_probes_per_pair": 1}',
            "--set", "revision_rounds=0", "--set", "evidence=false",
            "--baseline", str(out / "summary.json"),
        ]
    )  # fmt: skip
    assert code == EXIT_FAILED_CHECK
    summary = json.loads((worse / "summary.json").read_text())
    assert summary["baseline"]["regression"] and summary["baseline"]["changed"]


def test_cli_usage_errors(tmp_path: Path, capsys) -> None:
    out = str(tmp_path / "x")
    assert main(["eval", "--suite", "smoke", "--out", out, "--model", "judge=reference"]) == (
        EXIT_USAGE
    )
    assert main(["eval", "--suite", "smoke", "--out", out, "--set", "policy=x"]) == EXIT_USAGE
    assert main(["eval", "--suite", "smoke", "--out", out, "--set", "bogus=1"]) == EXIT_USAGE
    assert main(["eval", "--suite", "smoke", "--out", out, "--repeat", "0"]) == EXIT_USAGE
    assert main(["eval", "--out", out]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "bogus" in err and err.count("\n") >= 5
    assert not Path(out).exists()


def test_dry_run_calls_nothing(tmp_path: Path, capsys) -> None:
    out = tmp_path / "dry"
    assert main(["eval", "--suite", "pairs", "--out", str(out), "--dry-run", "--limit", "5"]) == 0
    assert not out.exists()
    err = capsys.readouterr().err
    assert "5 run(s) pending" in err
    # the first 5 samples are listed interactions: decided by evidence, no probes
    assert "probes: 0 in first waves, at most 0" in err
    args = ["eval", "--suite", "pairs", "--out", str(out), "--dry-run", "--limit", "5"]
    assert main([*args, "--set", "probe_listed=true"]) == 0
    # probed anyway: 5 two-drug questions, first wave 2 probes each, budget cap 12 each
    assert "probes: 10 in first waves, at most 60" in capsys.readouterr().err


async def test_interrupt_resume_and_zero_call_rerun(tmp_path: Path) -> None:
    keyed = KeyedModel(_oracle, name="keyed-oracle")
    models = {"extractor": keyed, "prober": keyed, "evaluator": keyed}
    out = tmp_path / "run"
    done: list[str] = []

    def interrupt_after_three(row: dict) -> None:
        done.append(row["sample_id"])
        if len(done) == 3:
            raise KeyboardInterrupt

    kw = dict(out=out, models=models, limit=10, concurrency=2, progress=False, report=False)
    with pytest.raises(KeyboardInterrupt):
        await arun_suite("smoke", on_row=interrupt_after_three, **kw)
    first = {r["sample_id"] for r in ResultJournal(out / "results.jsonl").rows()}
    assert first == set(done) and len(first) == 3

    calls_before = keyed.call_count
    outcome = await arun_suite("smoke", **kw)
    rows = ResultJournal(out / "results.jsonl").rows()
    assert sorted(r["sample_id"] for r in rows) == sorted({r["sample_id"] for r in rows})
    assert len(rows) == 10 and outcome.reused_rows == 3 and outcome.new_rows == 7
    # nothing finished was redone: the model calls of the rerun are exactly those of the
    # seven new rows (work cut off by the interrupt is served from the response cache)
    new_calls = outcome.summary["run"]["model_calls_this_run"]
    assert keyed.call_count - calls_before == new_calls
    assert outcome.summary["errors"] == 0
    assert outcome.summary["pairs"]["recall"]["value"] == 1.0

    # rerunning the finished eval costs nothing ...
    calls_before = keyed.call_count
    again = await arun_suite("smoke", **kw)
    assert keyed.call_count == calls_before and again.new_rows == 0
    # ... and so does the same eval into a fresh directory sharing the response cache
    fresh = await arun_suite(
        "smoke", **{**kw, "out": tmp_path / "fresh", "cache": out / "cache.sqlite"}
    )
    assert keyed.call_count == calls_before
    assert fresh.new_rows == 10 and fresh.summary["run"]["model_calls_this_run"] == 0
    assert fresh.summary["pairs"] == again.summary["pairs"]
