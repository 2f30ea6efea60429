"""Reading real-model replies: a clear yes is never thrown away over formatting."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline._replies import MAX_REPLY_CHARS, extract_json, read_prose, read_reply
from pipeline.schemas import AlternateNames, ExtractedMentions, JudgeVerdict, ProbeVerdict


def probe(text: str) -> ProbeVerdict | None:
    value, _ = read_reply(text, ProbeVerdict)
    return value


@pytest.mark.parametrize(
    "text,interacts,severity",
    [
        ('{"interacts": "Yes", "severity": "Major"}', "yes", "major"),
        (
            '```json\n{"interacts": "YES", "severity": "Severe", "reasoning": "..."}\n```',
            "yes",
            "major",
        ),
        ('{"interacts": true, "severity": "moderate to major", "confidence": 85}', "yes", "major"),
        ('{"interacts": "probably", "severity": "moderate"}', "yes", "moderate"),
        ('{"Interaction": "yes", "Severity Level": "contraindication"}', "yes", "contraindicated"),
        ('{"answer": {"interacts": "yes", "severity": "minor"}}', "yes", "minor"),
        ('{"interacts": "no", "severity": "none", "mechanism": null}', "no", "unknown"),
        ('{"interacts": "Unknown", "severity": "N/A"}', "unknown", "unknown"),
        (
            "Yes — taking these together raises the bleeding risk. Severity: major. "
            "Avoid the combination.",
            "yes",
            "major",
        ),
        (
            "**Yes.** Clarithromycin strongly inhibits CYP3A4 (contraindicated).",
            "yes",
            "contraindicated",
        ),
        ("There is a well-documented interaction: serotonin syndrome.", "yes", "unknown"),
        ("No. There is no known clinically significant interaction between them.", "no", "unknown"),
    ],
)
def test_reply_styles_are_read(text, interacts, severity):
    value = probe(text)
    assert value is not None, read_reply(text, ProbeVerdict)[1]
    assert (value.interacts, value.severity) == (interacts, severity)


def test_hedged_and_prose_answers_carry_lower_confidence():
    assert probe('{"interacts": "possibly", "confidence": 0.9}').confidence == 0.5
    assert probe('{"interacts": "likely"}').confidence == 0.6
    assert probe('{"interacts": "yes", "confidence": "85%"}').confidence == 0.85
    assert probe("Yes, they interact.").confidence <= 0.6


@pytest.mark.parametrize(
    "text",
    [
        "No, you should not take these together: the risk of bleeding increases.",
        "Yes and no: it depends on the dose.",
        "It depends on the dose.",
        '{"interacts": "banana"}',
        '{"answer": "yes", "risk_level": 3}',
    ],
)
def test_ambiguous_replies_are_not_guessed(text):
    assert probe(text) is None


def test_a_no_with_a_severity_stays_contradictory():
    from pipeline.llm import probe_consistency_check

    value, error = read_reply(
        '{"interacts": "No", "severity": "Major"}', ProbeVerdict, probe_consistency_check
    )
    assert value is None and "contradictory" in error


def test_other_schemas_are_read_leniently():
    assert read_reply('{"passed": "PASS"}', JudgeVerdict)[0].passed is True
    assert read_reply("FAIL: the mechanism is not supported.", JudgeVerdict)[0].passed is False
    mentions = read_reply('{"mentions": ["warfarin", {"name": "Advil"}]}', ExtractedMentions)[0]
    assert [m.text for m in mentions.mentions] == ["warfarin", "Advil"]
    names = read_reply('{"names": "Coumadin, Jantoven"}', AlternateNames)[0]
    assert names.names == ["Coumadin", "Jantoven"]


def test_hostile_replies_fail_cleanly():
    deep = "[" * 100_000 + "]" * 100_000
    assert extract_json(deep) is None
    assert read_reply('{"a": ' + deep + "}", ProbeVerdict)[0] is None  # no RecursionError
    huge = "{" * (MAX_REPLY_CHARS + 1)
    value, error = read_reply(huge, ProbeVerdict)
    assert value is None and "too long" in error


def test_prose_reader_only_reads_probe_and_judge_answers():
    assert read_prose("Yes.", ExtractedMentions) is None


@given(
    interacts=st.sampled_from(["yes", "Yes", "YES", "true", True]),
    severity=st.sampled_from(["major", "Major", "severe", "serious", "MAJOR"]),
    extra=st.dictionaries(st.sampled_from(["reasoning", "notes", "source"]), st.text(), max_size=2),
)
def test_clear_yes_survives_any_casing_and_extra_keys(interacts, severity, extra):
    reply = json.dumps({"interacts": interacts, "severity": severity, **extra})
    value = probe(f"Here is my answer:\n```json\n{reply}\n```")
    assert value is not None and value.interacts == "yes" and value.severity == "major"
