"""Issue 16 (dangerous): disguised text never drops a drug silently, look-alikes never
resolve to another drug, and a caller's model spec cannot choose endpoints or read keys."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import ask
from pipeline.context import OptionError
from pipeline.kb._text import normalise
from pipeline.llm import ModelSpecError, redact_spec, resolve_model
from pipeline.nodes._parse import clean_text

DISGUISES = {
    "dotless i": lambda w: w.replace("i", "\u0131", 1),
    "latin alpha": lambda w: w.replace("a", "\u0251", 1),
    "VS16": lambda w: w[:3] + "\ufe0f" + w[3:],
    "CGJ": lambda w: w[:3] + "\u034f" + w[3:],
    "braille blank": lambda w: w[:3] + "\u2800" + w[3:],
    "mongolian FVS": lambda w: w[:3] + "\u180b" + w[3:],
    "combining acute": lambda w: w[:3] + "\u0301" + w[3:],
    "zero-width space": lambda w: w[:3] + "\u200b" + w[3:],
    "fullwidth": lambda w: "".join(chr(ord(c) + 0xFEE0) for c in w),
}


@pytest.mark.parametrize("kind", sorted(DISGUISES))
def test_disguised_drug_is_read_and_the_answer_stays_in_review(kind):
    word = DISGUISES[kind]("warfarin")
    report = ask(f"Can I take {word} with amoxicillin and aspirin?")
    assert "warfarin" in {d.canonical for d in report.drugs} or report.unresolved
    assert report.verdict != "no_known_interaction"


@pytest.mark.parametrize("text", ["еrythromycin", "wаrfarin"])  # Cyrillic е / а
def test_mixed_script_is_unresolved_in_every_mode(text):
    for query in (f"{text} and simvastatin", [text, "simvastatin"]):
        report = ask(query)
        assert [u.mention for u in report.unresolved] == [text]
        assert "Cyrillic" in report.unresolved[0].reason
        assert {d.canonical for d in report.drugs} == {"simvastatin"}
        assert report.verdict == "needs_review"


def test_decomposed_accents_are_read():
    text, notes = clean_text("Le\u0301vothyrox")
    assert text == "Lévothyrox" and notes == []


def test_lone_surrogate_is_replaced_with_a_note():
    text, notes = clean_text("warfarin \ud800 aspirin")
    assert "\ud800" not in text and notes


def test_units_do_not_raise_a_review_note():
    assert clean_text("metformin 500 µg ½ tablet")[1] == []


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(DISGUISES)), st.sampled_from(["warfarin", "aspirin", "lithium"]))
def test_a_disguised_word_is_never_split_or_dropped(kind, word):
    text, notes = clean_text(f"take {DISGUISES[kind](word)} daily")
    assert len(text.split()) == 3
    assert notes or normalise(text.split()[1]) == word


@pytest.mark.parametrize(
    "spec",
    [
        "openai:gpt-4o-mini?base_url=http://attacker/v1",
        "openai:gpt-4o-mini?api_key=sk-SECRET",
        "openai:gpt-4o-mini?default_headers=x",
        "anthropic:claude?anthropic_api_url=http://attacker",
        "ollama:llama3.1?base_url=http://attacker:11434",
    ],
)
def test_specs_cannot_set_endpoints_or_keys(spec):
    with pytest.raises(ModelSpecError) as err:
        resolve_model(spec)
    assert "SECRET" not in str(err.value) and "attacker" not in str(err.value)


@pytest.mark.parametrize("value", ["nan", "1e9", "-1", "hot"])
def test_spec_sampling_parameters_are_bounded(value):
    with pytest.raises(ModelSpecError):
        resolve_model(f"openai:gpt-4o-mini?temperature={value}")


def test_served_context_rejects_an_endpoint_spec_with_a_one_line_error():
    with pytest.raises(OptionError) as err:
        ask("warfarin and aspirin", models={"prober": "openai:x?base_url=http://evil&api_key=k"})
    assert "evil" not in str(err.value) and "\n" not in str(err.value)


def test_redact_spec_hides_every_value():
    assert redact_spec("sim:noisy?miss=0.3&api_key=sk") == "sim:noisy?miss=***&api_key=***"


@pytest.mark.parametrize(
    "options",
    [
        {"retries": 10**9},
        {"timeout": 1e12},
        {"timeout": float("nan")},
        {"max_drugs": 10**9},
        {"budget": 10**9},
        {"concurrency": 10**6},
        {"revision_rounds": 1000},
    ],
)
def test_unbounded_options_are_refused(options):
    with pytest.raises(OptionError):
        ask("warfarin and aspirin", **options)


def test_reliability_attack_table_matches_its_summary():
    import json
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "benchmarks"))
    try:
        import attacks
    finally:
        sys.path.pop(0)
    rows = json.loads(attacks.SUMMARY.read_text())["rows"]
    doc = attacks.DOC.read_text(encoding="utf-8")
    assert attacks.render(doc, rows) == doc, "run `python benchmarks/attacks.py`"
    assert all(r["silent_negatives"] == 0 for r in rows)
