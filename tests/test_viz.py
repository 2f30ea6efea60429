"""Unit tests for pipeline.viz: tables and plots built from hand-made reports and results,
plus one run of the reference model to check the helpers against a real trace."""

from __future__ import annotations

import io
import math

import pytest

from pipeline import viz
from pipeline.schemas import (
    DrugReport,
    Evaluation,
    Evidence,
    PairReport,
    ProbeTrace,
    ProbeVerdict,
    Report,
    RoleUsage,
    Usage,
    Votes,
)

PAIR = ("ibuprofen", "warfarin")


def _probe(name_a, name_b, template, answer, round_no=0, error=None):
    verdict = None if answer is None else ProbeVerdict(interacts=answer, confidence=0.9)
    return ProbeTrace(
        pair=PAIR,
        name_a=name_a,
        name_b=name_b,
        template=template,
        prompt_hash="abc123",
        model="m",
        round=round_no,
        verdict=verdict,
        error=error,
    )


def make_report(*, failed: bool = True, trace: bool = True) -> Report:
    probes = [
        _probe("Ibuprofen", "Warfarin", "direct", "yes"),
        _probe("Advil", "Coumadin", "clinician", "no"),
        _probe("Advil", "Coumadin", "risks", "yes", round_no=1),
        _probe("Ibuprofen", "Coumadin", "fewshot", None, error="timeout"),
        _probe("Advil", "Warfarin", "direct", "unknown"),
    ]
    evaluations = [Evaluation(name="grounding", passed=True, reason="3 pair verdict(s) grounded")]
    reasons = []
    if failed:
        evaluations.append(
            Evaluation(
                name="mechanism_plausibility",
                passed=False,
                reason="implausible <mechanism>",
                model="judge",
                prompt_hash="def456",
                flagged_pairs=[PAIR],
            )
        )
        reasons = [
            "evaluator mechanism_plausibility did not sign off: implausible",
            "a revision round re-probed ibuprofen+warfarin",
        ]
    return Report(
        query="Coumadin and Advil?",
        verdict="interaction",
        drugs=[
            DrugReport(
                mention="Advil",
                canonical="ibuprofen",
                drug_id="DB01050",
                match_kind="brand",
                score=100.0,
                synonyms_used=["Ibuprofen", "Advil"],
                mentions=["Advil"],
            ),
            DrugReport(
                mention="Coumadin",
                canonical="warfarin",
                drug_id="DB00682",
                match_kind="brand",
                score=100.0,
                synonyms_used=["Warfarin", "Coumadin"],
                mentions=["Coumadin"],
            ),
        ],
        pairs=[
            PairReport(
                drug_a="ibuprofen",
                drug_b="warfarin",
                verdict="interacts",
                severity="major",
                mechanism="Bleeding risk. " * 20,
                evidence=[Evidence(source="kb:ANSM"), Evidence(source="kb:ANSM")],
                votes=Votes(yes=2, no=1, unknown=1),
                confidence=0.9,
            )
        ],
        evaluations=evaluations,
        review_reasons=reasons,
        usage=Usage(by_role={"prober": RoleUsage(calls=5)}),
        models={"extractor": "ref", "prober": "m", "evaluator": "judge"},
        trace=probes if trace else None,
    )


# --------------------------------------------------------------------------- Table


def test_table_renders_markdown_and_html_with_escaping():
    t = viz.Table(
        [{"a": "x|y", "b": 0.123456, "c": True}, {"a": "<b>\nnew", "d": None}],
        title="demo",
    )
    assert t.columns == ["a", "b", "c", "d"]
    md = t.to_markdown()
    assert md.splitlines()[0] == "**demo**"
    assert "| a | b | c | d |" in md
    assert "x\\|y" in md and "0.123" in md and "✔" in md
    assert "&lt;b&gt;<br>new" in t.to_html()
    assert "<caption>demo</caption>" in t._repr_html_()
    assert str(t) == md == t._repr_markdown_()
    assert t.column("a") == ["x|y", "<b>\nnew"]
    assert t == [{"a": "x|y", "b": 0.123456, "c": True}, {"a": "<b>\nnew", "d": None}]


def test_table_column_order_and_empty():
    t = viz.Table([{"b": 1, "a": (1, 2)}], columns=["a", "b"])
    assert t.to_markdown().splitlines()[0] == "| a | b |"
    assert "| 1 + 2 | 1 |" in t.to_markdown()
    assert "(empty table)" in viz.Table([]).to_markdown()
    assert viz.Table([], columns=["x"]).to_html().count("<th style") == 1


# --------------------------------------------------------------------------- reports


def test_report_and_drug_tables():
    report = make_report()
    pairs = viz.report_table(report, mechanism_chars=40)
    assert len(pairs) == 1
    row = pairs[0]
    assert row["pair"] == ("ibuprofen (Advil)", "warfarin (Coumadin)")
    assert row["votes yes/no/unknown"] == "2/1/1"
    assert row["evidence"] == ["kb:ANSM"]  # de-duplicated
    assert len(row["mechanism"]) <= 40 and row["mechanism"].endswith("…")
    drugs = viz.drugs_table(report)
    assert drugs.column("canonical") == ["ibuprofen", "warfarin"]
    summary = {r["field"]: r["value"] for r in viz.summary_table(report)}
    assert summary["verdict"] == "interaction"
    assert summary["evaluators signed off"] == "1 of 2"
    assert summary["prober model"] == "m (5 calls)"


def test_permutation_matrix_templates_count_and_yes():
    report = make_report()
    m = viz.permutation_matrix(report, ("warfarin", "ibuprofen"))  # any order
    corner = "ibuprofen \\ warfarin"
    assert m.columns == [corner, "Warfarin", "Coumadin"]
    rows = {r[corner]: r for r in m}
    assert rows["Ibuprofen"]["Warfarin"] == "direct:Y"
    assert rows["Advil"]["Coumadin"] == "clinician:N risks:Y(r1)"
    assert rows["Ibuprofen"]["Coumadin"] == "fewshot:!"
    assert rows["Advil"]["Warfarin"] == "direct:?"
    counts = viz.permutation_matrix(report, PAIR, cell="count")
    assert sum(v for r in counts for k, v in r.items() if k != corner and v) == 5
    yes = {r[corner]: r for r in viz.permutation_matrix(report, PAIR, cell="yes")}
    assert yes["Advil"]["Coumadin"] == "1/2"
    assert yes["Ibuprofen"]["Coumadin"] == "0/0"
    assert list(viz.permutation_matrices(report)) == [PAIR]
    with pytest.raises(ValueError, match="cell"):
        viz.permutation_matrix(report, PAIR, cell="bogus")


def test_trace_helpers_need_a_trace():
    report = make_report(trace=False)
    for fn in (viz.variant_votes, viz.trace_table, viz.plot_vote_heatmap):
        with pytest.raises(ValueError, match="trace=True"):
            fn(report)
    with pytest.raises(ValueError, match="trace=True"):
        viz.permutation_matrix(report, PAIR)
    # the synonym table still works, without counts
    table = viz.synonym_table(report)
    assert table and all(r["probes"] is None for r in table)


def test_variant_votes_and_trace_table():
    report = make_report()
    votes = {(r["drug"], r["name"]): r for r in viz.variant_votes(report)}
    advil = votes[("ibuprofen", "Advil")]
    assert (advil["yes"], advil["no"], advil["unknown"], advil["probes"]) == (1, 1, 1, 3)
    assert votes[("warfarin", "Coumadin")]["error"] == 1
    assert len(viz.trace_table(report)) == 5
    revision = viz.trace_table(report, round=1)
    assert [r["template"] for r in revision] == ["risks"]
    assert viz.trace_table(report, pair=("warfarin", "ibuprofen"))[3]["answer"] == "error: timeout"


def test_synonym_table_uses_mentions_kb_synonyms_and_trace():
    table = viz.synonym_table(make_report(), limit=4)
    rows = {(r["drug"], r["name"]): r for r in table}
    coumadin = rows[("warfarin", "Coumadin")]
    assert coumadin["source"] == "query" and coumadin["kind"] == "brand"
    assert coumadin["probed"] is True and coumadin["probes"] == 3 and coumadin["yes"] == 1
    assert rows[("warfarin", "Warfarin")]["kind"] == "generic"
    unprobed = [r for r in table if not r["probed"]]
    assert unprobed and all(r["probes"] == 0 for r in unprobed)


def test_evaluator_table_and_review_explanation():
    report = make_report()
    table = viz.evaluator_table(report)
    assert table.title == "1 of 2 evaluators signed off"
    failed = [r for r in table if not r["signed off"]]
    assert failed[0]["flagged pairs"] == [PAIR]
    text = viz.review_explanation(report)
    assert "`mechanism_plausibility`" in text and "after the revision round" in text
    assert "Revision round: 1 extra probe(s) of ibuprofen + warfarin" in text
    assert "- a revision round re-probed ibuprofen+warfarin" in text
    clean = viz.review_explanation(make_report(failed=False))
    assert "signed off on the first draft" not in clean  # the trace has a round-1 probe
    assert "after it all 1 evaluators signed off" in clean
    untraced = viz.review_explanation(make_report(failed=False, trace=False))
    assert "signed off on the first draft" in untraced
    assert "No review reasons" in untraced


# --------------------------------------------------------------------------- evals


CHANGED = [
    {
        "sample_id": "s1",
        "lost": [f"a|b{i} (1.00 -> 0.00)" for i in range(5)],
        "found": [],
        "new_false_alarms": [],
        "cleared_false_alarms": ["c|d (1.00 -> 0.00)"],
        "verdict": ["interaction", "no_known_interaction"],
    },
    {
        "sample_id": "s2",
        "lost": [],
        "found": [],
        "new_false_alarms": ["e|f (0.00 -> 1.00)"],
        "cleared_false_alarms": [],
        "verdict": None,
    },
]


def test_diff_table_truncates():
    table = viz.diff_table(CHANGED, limit=1, per_cell=2)
    assert len(table) == 1 and table.title == "2 changed sample(s), first 1 shown"
    row = table[0]
    assert row["verdict"] == "interaction -> no_known_interaction"
    assert row["positives lost"][-1] == "... +3 more" and len(row["positives lost"]) == 3


def _metric(value, n):
    return {"value": value, "n": n, "ci95": [max(0.0, value - 0.1), min(1.0, value + 0.1)]}


def cell(arm, rho, recall, calls):
    return {
        "arm": arm,
        "rho": rho,
        "recall": _metric(recall, 12),
        "specificity": _metric(0.9, 8),
        "abstention": _metric(0.0, 20),
        "prober_calls_per_pair": calls,
        "evaluator_calls_per_pair": 0.0,
        "calls_per_pair": calls,
    }


CELLS = [
    cell("single", 0.0, 0.8, 1.0),
    cell("cascade", 0.0, 1.0, 7.5),
    cell("single", 1.0, 0.4, 1.0),
    cell("cascade", 1.0, 0.45, 10.2),
]


def test_study_table():
    table = viz.study_table(CELLS)
    assert len(table) == 4
    assert table[1]["recall"] == "100.0%" and table[1]["recall 95% CI"] == "[90.0%, 100.0%]"
    assert table.column("arm") == ["single", "cascade", "single", "cascade"]
    assert table.column("rho") == [0.0, 0.0, 1.0, 1.0]


@pytest.fixture
def pyplot():
    mpl = pytest.importorskip("matplotlib", reason="plots need matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def test_plot_study(pyplot):
    before = pyplot.get_fignums()
    fig = viz.plot_study(CELLS)
    assert pyplot.get_fignums() == before  # detached from pyplot: no double display
    assert len(fig.axes) == 3  # recall, specificity, calls against rho
    assert _png(fig).startswith(b"\x89PNG")
    no_recall = [{**c, "recall": {"value": None, "n": 0, "ci95": None}} for c in CELLS]
    with pytest.raises(ValueError):
        viz.plot_study(no_recall)


def test_study_plot_is_saved_and_tolerates_cells_without_recall(pyplot, tmp_path):
    from pipeline.evals._study import plot_study

    before = pyplot.get_fignums()
    path = plot_study(CELLS, tmp_path / "study.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    assert pyplot.get_fignums() == before
    no_recall = [{**c, "recall": {"value": None, "n": 0, "ci95": None}} for c in CELLS]
    assert plot_study(no_recall, tmp_path / "empty.png").stat().st_size > 0


def test_plot_vote_heatmap(pyplot):
    report = make_report()
    before = pyplot.get_fignums()
    fig = viz.plot_vote_heatmap(report)
    assert pyplot.get_fignums() == before
    assert len(fig.axes) == 2  # one pair + the colour bar
    assert fig.axes[0].get_title() == "ibuprofen + warfarin: interacts"
    assert _png(fig).startswith(b"\x89PNG")


# --------------------------------------------------------------------------- real runs


def test_helpers_on_a_reference_model_trace(pyplot):
    from pipeline import ask

    report = ask("Can I take Coumadin with Advil and simvastatine?", trace=True)
    assert len(viz.report_table(report)) == len(report.pairs)
    assert len(viz.evaluator_table(report)) == len(report.evaluations)
    for pair, table in viz.permutation_matrices(report, cell="count").items():
        corner = f"{pair[0]} \\ {pair[1]}"
        total = sum(v or 0 for row in table for k, v in row.items() if k != corner)
        assert total == sum(1 for t in report.trace if tuple(t.pair) == pair)
    synonyms = viz.synonym_table(report)
    probes = sum(r["probes"] for r in synonyms)
    assert probes == 2 * len(report.trace)  # every probe names both drugs
    fig = viz.plot_vote_heatmap(report, ncols=2)
    n = len(report.pairs)
    assert len(fig.axes) == 2 * math.ceil(n / 2) + 1  # a 2-wide grid of panels + colour bar


def test_eval_tables_on_a_smoke_run(tmp_path):
    from pipeline.evals import run_suite
    from pipeline.evals._baseline import compare_summaries

    outcome = run_suite(
        "smoke", out=tmp_path / "run", limit=3, cache=None, report=False, progress=False
    )
    summary = outcome.summary
    metrics = {r["metric"]: r for r in viz.metrics_table(summary)}
    assert metrics["pair recall"]["n"] == summary["pairs"]["recall"]["n"]
    assert metrics["pair recall"]["95% CI"].startswith("[")
    assert "smoke" in viz.metrics_table(summary).title
    assert {r["severity"] for r in viz.severity_table(summary)} <= {
        "contraindicated",
        "major",
        "moderate",
        "minor",
        "unknown",
    }
    result = compare_summaries(summary, summary)
    for source in (result, result.to_dict()):
        rows = {r[""]: r["value"] for r in viz.baseline_table(source)}
        assert rows["regression"] is False
        assert rows["drop"] == "0.0%"
