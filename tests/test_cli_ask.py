"""`ddi ask` and `ddi graph` through pipeline.cli.main."""

from __future__ import annotations

import json

from pipeline.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, main


def test_ask_table(capsys):
    assert main(["ask", "Can I take Coumadin with Advil?"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Verdict: INTERACTION" in out
    assert "ibuprofen + warfarin" in out
    assert "reference-kb (deterministic reference model, not an LLM)" in out
    assert "signed off" in out and "not medical advice" in out


def test_ask_json_is_report(capsys):
    assert main(["ask", "--json", "warfarin and ibuprofen"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "interaction"
    assert data["models"]["prober"] == "reference-kb"
    assert len(data["evaluations"]) >= 12


def test_ask_list_and_comma_detection(capsys):
    assert main(["ask", "--json", "--list", "warfarin, ibuprofen"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["query"] == ["warfarin", "ibuprofen"]
    assert main(["ask", "--json", "warfarin, ibuprofen, zorblaxin"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["query"] == ["warfarin", "ibuprofen", "zorblaxin"]
    assert [u["mention"] for u in data["unresolved"]] == ["zorblaxin"]


def test_ask_no_drugs_exit_3(capsys):
    assert main(["ask", "what a lovely day"]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert "no drugs found" in captured.err
    assert "No drugs found" in captured.out


def test_ask_single_drug(capsys):
    assert main(["ask", "warfarin"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "NEEDS REVIEW" in out and "only one drug found" in out


def test_ask_bad_options_exit_2(capsys):
    assert main(["ask", "--model", "prober", "warfarin and ibuprofen"]) == EXIT_USAGE
    assert "ROLE=SPEC" in capsys.readouterr().err
    assert main(["ask", "--model", "prober=sim:nope", "warfarin and ibuprofen"]) == EXIT_USAGE
    assert "models.prober" in capsys.readouterr().err
    assert main(["ask", "--k", "0", "--policy", "k_of_n", "warfarin and ibuprofen"]) == EXIT_USAGE
    assert main(["ask", "--concurrency", "0", "warfarin and ibuprofen"]) == EXIT_USAGE


def test_ask_options_reach_the_report(capsys):
    args = ["ask", "--json", "--policy", "majority", "--seed", "5", "--budget", "50"]
    args += ["--model", "prober=sim:noisy", "--trace", "--probe-listed", "warfarin and ibuprofen"]
    assert main(args) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["policy"] == "majority" and data["seed"] == 5
    assert data["models"]["prober"].startswith("sim")
    assert data["trace"]


def test_ask_dry_run(capsys):
    assert main(["ask", "--dry-run", "warfarin, ibuprofen and aspirin"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "pairs: 3 (3 decided by evidence, not probed)" in out and "planned probes: 0" in out
    assert main(["ask", "--dry-run", "--probe-listed", "warfarin, ibuprofen and aspirin"]) == 0
    assert "planned probes: 36" in capsys.readouterr().out


def test_ask_trace_table(capsys):
    assert main(["ask", "--trace", "--probe-listed", "warfarin and ibuprofen"]) == EXIT_OK
    assert "Trace" in capsys.readouterr().out


def test_graph_mermaid_and_text(capsys):
    assert main(["graph", "--mermaid"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "eval_grounding" in out and "graph TD" in out
    assert main(["graph"]) == EXIT_OK
    assert "probe" in capsys.readouterr().out
