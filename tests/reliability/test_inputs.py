"""Bad and hostile input: each case has one exact outcome (a clear error, or needs_review
with a reason) and is never no_known_interaction nor a crash trace."""

from __future__ import annotations

import pytest
from reliability_support import assert_safe

from pipeline import ask
from pipeline.cli import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_USAGE, main
from pipeline.context import MAX_QUERY_CHARS, OptionError
from pipeline.models._doubles import KeyedModel


def reasons(report) -> str:
    return "\n".join(report.review_reasons)


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("", "no drugs found in the question"),
        ("   \n\t ", "no drugs found in the question"),
        ([], "no drugs found in the question"),
        (["", "  "], "no drugs found in the question"),
        ("5 mg 10 mg twice daily, 200mg at night", "no drugs found in the question"),
        ("zorblaxin and quintrofel", "unresolved mention 'zorblaxin': not recognised"),
        ("warfarin", "only one drug found (Warfarin)"),
        ("warfarin and Coumadin", "only one drug found (Warfarin)"),
        # regressions: these used to be no_known_interaction with a drug silently dropped
        ("zorblaxin, amoxicillin, paracetamol", "unresolved mention 'zorblaxin'"),
        ("I take quintrofel, amoxicillin and paracetamol", "unresolved mention 'quintrofel'"),
        ("варфарин, ibuprofen, amoxicillin", "'варфарин': written in Cyrillic script"),
        ("I take варфарин and amoxicillin and paracetamol", "written in Cyrillic script"),
        ("华法林 and 布洛芬", "written in Cjk script"),
        ("wаrfarin, amoxicillin, paracetamol", "mixes Latin and Cyrillic letters"),
        (
            "amoxicillin\x00\x1b and paracetamol\u202e",
            "control, invisible or combining character(s)",
        ),
    ],
)
def test_bad_input_needs_review_with_reason(query, needle):
    report = ask(query)
    assert report.verdict == "needs_review"
    assert needle in reasons(report)
    assert_safe(report)


def test_list_input_in_other_script_is_reported():
    report = ask(["варфарин", "amoxicillin", "paracetamol"])
    assert report.verdict == "needs_review"
    assert [u.mention for u in report.unresolved] == ["варфарин"]
    assert "Cyrillic" in report.unresolved[0].reason


def test_zero_width_characters_are_removed_and_reported():
    report = ask("war\u200bfarin and ibu\u200bprofen")
    assert report.verdict == "interaction"  # read as warfarin + ibuprofen
    assert "U+200B" in reasons(report)


def test_same_drug_under_two_names_plus_a_third_is_one_drug_with_duplicate_warning():
    report = ask("Coumadin, warfarin and amoxicillin")
    assert [d.canonical for d in report.drugs].count("warfarin") == 1
    assert "same medicine" in report.answer
    assert_safe(report)


def test_too_many_drugs_has_a_clear_limit():
    from pipeline.kb import load_kb

    kb = load_kb()
    names = [kb.drug(k).name for k in sorted(k for k in kb.drugs if kb.is_covered(k))[:200]]
    report = ask(names, max_drugs=4, budget=40, **{"extract_with_model": False})
    assert len(report.drugs) == 4
    assert "too many drugs: 200 found, the limit is max_drugs=4" in reasons(report)
    assert report.verdict in ("interaction", "needs_review")
    assert_safe(report)


def test_long_pasted_document_is_chunked_and_nothing_is_lost():
    seen: list[str] = []

    def answers(prompt_id, data):
        if prompt_id == "extract":
            seen.append(data["text"])
            return {"mentions": []}
        return {"passed": True, "reason": "ok"}

    filler = "The patient reported mild symptoms and was advised to rest at home. "
    body = filler * (MAX_QUERY_CHARS // len(filler) - 2)  # just under the input cap
    text = f"I take warfarin daily. {body}\n\nYesterday I also started ibuprofen."
    assert MAX_QUERY_CHARS - 200 < len(text) <= MAX_QUERY_CHARS
    report = ask(text, models={"extractor": KeyedModel(answers)}, chunk_chars=2000)
    assert len(seen) >= 24 and max(len(c) for c in seen) <= 2000
    assert " ".join(" ".join(seen).split()) == " ".join(text.split())  # no text dropped
    assert report.verdict == "interaction"


# --------------------------------------------------------------------- options and CLI


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"policy": "vote"}, "policy"),
        ({"retries": -1}, "retries"),
        ({"timeout": 0}, "timeout"),
        ({"max_drugs": 1}, "max_drugs"),
        ({"chunk_chars": 10}, "chunk_chars"),
        ({"budget": {"calls_per_query": 0}}, "budget.calls_per_query"),
        ({"models": {"prober": "sim:bogus"}}, "models.prober"),
        ({"temperature": 1}, "'temperature'"),
        ({"run_budget": -5}, "run_budget"),
    ],
)
def test_api_rejects_invalid_options_in_one_line(options, option):
    with pytest.raises(OptionError) as info:
        ask("warfarin and ibuprofen", **options)
    message = str(info.value)
    assert option in message and "\n" not in message


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--concurrency", "0"], "concurrency"),
        (["--budget", "0"], "budget.calls_per_query"),
        (["--k", "0"], "k must"),
        (["--model", "prober=sim:bogus"], "models.prober"),
        (["--model", "judge=reference"], "--model"),
    ],
)
def test_cli_usage_error_exit_2_one_line(capsys, argv, option):
    code = main(["ask", "warfarin and ibuprofen", *argv])
    err = capsys.readouterr().err.strip()
    assert code == EXIT_USAGE == 2
    assert option in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_cli_argparse_usage_error_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["ask", "warfarin", "--policy", "vote"])
    assert info.value.code == EXIT_USAGE


def test_cli_internal_failure_exit_70_without_trace(monkeypatch, capsys):
    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("pipeline.api.ask", boom)
    code = main(["ask", "warfarin and ibuprofen"])
    err = capsys.readouterr().err.strip()
    assert code == EXIT_INTERNAL == 70
    assert err == "ddi ask: internal error: RuntimeError: simulated bug"


@pytest.mark.parametrize("query", ["", "   ", "5 mg twice daily"])
def test_cli_empty_or_drugless_exit_3(capsys, query):
    code = main(["ask", query] if query else ["ask", " "])
    assert code == EXIT_BAD_INPUT == 3
    assert "ddi ask:" in capsys.readouterr().err
