"""The cascade study's mechanics, on a tiny version (seconds). Properties of the simulation
and the harness only: no test here asserts what the study concludes."""

from __future__ import annotations

import asyncio
import builtins
import io
from pathlib import Path

import pytest

from pipeline.evals import _study as study
from pipeline.evals._run import arun_suite
from pipeline.evals._suites import default_data_dir, load_samples
from pipeline.models._simulated_knowledge import KnowledgeModel, own_knowledge_for_evaluators

NO_EFFECTS = {t: [0.0, 0.0] for t in ("direct", "clinician", "risks", "fewshot")}


def test_tiny_study_has_every_cell_comparison_and_statement(tmp_path: Path):
    result = study.run_study(
        out=tmp_path / "s", limit=6, repeat=1, rhos=(0.0, 1.0), workers=1, progress=False
    )
    cells = result["cells"]
    assert [(c["arm"], c["rho"]) for c in cells] == [
        (arm, rho) for rho in (0.0, 1.0) for arm in study.ARMS
    ]
    for c in cells:
        assert c["errors"] == 0
        assert c["recall"]["value"] is not None and c["recall"]["ci95"]
        assert c["specificity"]["ci95"]
        expected = c["prober_calls_per_pair"] + (
            c["evaluator_calls_per_pair"] if study.ARMS[c["arm"]].evaluators else 0.0
        )
        assert c["calls_per_pair"] == pytest.approx(expected)
    single = [c for c in cells if c["arm"] == "single"]
    assert all(c["prober_calls_per_pair"] == pytest.approx(1.0) for c in single)
    assert len(result["comparisons"]) == 2 * len(study.COMPARISONS)
    for comp in result["comparisons"]:
        assert 0.0 <= comp["p_recall"] <= 1.0
    assert result["conclusions"] and all(isinstance(s, str) for s in result["conclusions"])
    assert result["conclusions"] == study.conclusions(study.published(result))
    doc = f"intro\n{study.BEGIN}\nold\n{study.END}\noutro\n"
    rendered = study.render_doc(doc, study.published(result))
    assert rendered.startswith("intro\n") and rendered.endswith("outro\n")
    assert "| rho | arm |" in rendered and "old" not in rendered
    assert study.render_doc(rendered, study.published(result)) == rendered
    # resumable: a second run reuses every cell's journal
    again = study.run_study(
        out=tmp_path / "s", limit=6, repeat=1, rhos=(0.0, 1.0), workers=1, progress=False
    )
    assert again["cells"] == cells


def test_fully_correlated_templates_only_recall_equals_single_prompt(tmp_path: Path):
    """rho = 1 and no template effects: every probe of a pair repeats the pair's belief,
    so more templates cannot change a pair's answer."""
    result = study.run_study(
        out=tmp_path / "s",
        limit=24,
        repeat=1,
        rhos=(1.0,),
        arms=["single", "templates"],
        workers=1,
        progress=False,
        prober={"template_effects": NO_EFFECTS},
    )
    single, templates = result["cells"]
    assert single["recall"]["value"] == pytest.approx(templates["recall"]["value"], abs=0.02)
    assert templates["prober_calls_per_pair"] > single["prober_calls_per_pair"]


def test_sign_test():
    assert study.sign_test(0, 0) == 1.0
    assert study.sign_test(0, 5) == pytest.approx(1 / 32)
    assert study.sign_test(5, 0) == 1.0


def _positive_samples(n: int):
    return [s for s in load_samples("pairs") if s.expected_pairs[0].interacts][:n]


def test_the_models_never_open_the_gold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    samples = load_samples("pairs")[:4]  # the harness loads the gold, to score
    gold_dir = str(default_data_dir().resolve())

    def refuse(*_a, **_k):
        raise AssertionError("gold loader called during the study")

    real_open, real_io_open = builtins.open, io.open

    def guarded(opener):
        def open_(file, *args, **kwargs):
            if isinstance(file, str | Path) and str(Path(file).resolve()).startswith(gold_dir):
                raise AssertionError(f"gold file opened: {file}")
            return opener(file, *args, **kwargs)

        return open_

    import pipeline.evals._suites as suites
    import tools.kb.gold as gold

    monkeypatch.setattr(suites, "load_samples", refuse)
    monkeypatch.setattr(suites, "read_samples", refuse)
    monkeypatch.setattr(gold, "generate", refuse)
    monkeypatch.setattr(builtins, "open", guarded(real_open))
    monkeypatch.setattr(io, "open", guarded(real_io_open))
    job = study._Job(
        arm="cascade+evaluators",
        rho=0.5,
        run_dir=tmp_path / "cell",
        samples=samples,
        suite="pairs",
        repeat=2,
        concurrency=2,
        seed=1,
    )
    cell = study._run_cell(job)
    assert cell["errors"] == 0 and len(cell["outcomes"]) == 8


def _run(samples, out: Path, models) -> list[dict]:
    from pipeline.evals._journal import ResultJournal

    outcome = asyncio.run(
        arun_suite(
            "pairs",
            out=out,
            models=models,
            options={"seed": 0, "evidence": False},
            cache=None,
            report=False,
            progress=False,
            samples=samples,
        )
    )
    return ResultJournal(out / "results.jsonl").rows(outcome.summary["config_hash"])


def test_evaluators_do_not_read_the_truth_in_the_study(tmp_path: Path):
    """A prober and a judge that know no interaction miss every positive. Outside the
    study, evaluators that read the KB (the truth the gold is made from), directly or
    through the evidence sources, flag exactly those misses and target the revision round
    at them; inside it, they see the judge's own (empty) knowledge: nothing is flagged and
    no revision round runs."""
    samples = _positive_samples(4)
    blank = {"know_rate": 0.0, "false_belief_rate": 0.0, "template_effects": NO_EFFECTS}

    def models():
        return {
            "extractor": "reference",
            "prober": KnowledgeModel(**blank, identity="prober", seed=1),
            "evaluator": KnowledgeModel(**blank, identity="judge", seed=1),
        }

    with own_knowledge_for_evaluators():
        rows = _run(samples, tmp_path / "study", models())
    assert all(p["outcome"] != "tp" for r in rows for p in r["pairs"])
    for r in rows:
        assert r["failed_evaluations"] == [], r["review_reasons"]
        assert not any("revision" in reason for reason in r["review_reasons"])


def test_repeats_draw_fresh_models(tmp_path: Path):
    from pipeline.evals._engine import models_for_repeat

    models = study.make_models(0.5, seed=1)
    again = models_for_repeat(models, 2)
    assert again["prober"].seed == 3 and again["evaluator"].seed == 3
    assert again["prober"].rho == 0.5 and again["prober"].identity == "prober"
    assert type(again["extractor"]).__name__ == "ReferenceModel"


def test_cli_refuses_a_bad_rho(capsys):
    from pipeline.cli import main

    assert main(["eval", "--study", "cascade", "--rho", "0,2"]) == 2
    assert "between 0 and 1" in capsys.readouterr().err
