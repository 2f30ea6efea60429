"""EVALS.md's published table matches the committed summaries it was generated from."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_published_eval_table_matches_summaries():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import publish_evals
    finally:
        sys.path.pop(0)
    summaries = publish_evals.load()
    assert set(summaries) == set(publish_evals.SUITES)
    doc = publish_evals.DOC.read_text(encoding="utf-8")
    assert publish_evals.render(doc, summaries) == doc, "run benchmarks/publish_evals.py"


def test_published_study_block_matches_its_summary():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import study_cascade
    finally:
        sys.path.pop(0)
    from pipeline.evals._study import conclusions

    summary = study_cascade.load()
    # the statements are the ones the numbers give
    assert summary["conclusions"] == conclusions(summary), "run benchmarks/study_cascade.py"
    doc = study_cascade.DOC.read_text(encoding="utf-8")
    assert study_cascade.render(doc, summary) == doc, "run benchmarks/study_cascade.py --render"


def test_published_mentions_table_matches_its_summary():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import mentions
    finally:
        sys.path.pop(0)
    import json

    summary = json.loads(mentions.RESULT.read_text(encoding="utf-8"))
    assert summary["by_register"]["all"]["texts"] >= 300
    doc = mentions.DOC.read_text(encoding="utf-8")
    assert mentions.render(doc, summary) == doc, "run benchmarks/mentions.py"


def test_published_calibration_block_matches_its_summary_and_the_defaults():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import calibration
    finally:
        sys.path.pop(0)
    from pipeline.evals._calibration import choose, current_default

    summary = calibration.load()
    meta = summary["meta"]
    # the choice is the one the numbers give, and the pipeline's defaults are that choice
    again = choose(summary["cells"], meta["rhos"], summary["choice"]["default_before"])
    assert again == summary["choice"], "run benchmarks/calibration.py"
    adopted = summary["choice"]["adopted"]
    assert current_default() == {
        "policy": adopted["policy"],
        "templates": adopted["templates"],
    }, "Context's default policy / templates differ from the calibration's adopted ones"
    doc = calibration.DOC.read_text(encoding="utf-8")
    assert calibration.render(doc, summary) == doc, "run benchmarks/calibration.py --render"
