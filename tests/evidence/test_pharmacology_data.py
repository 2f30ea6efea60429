"""The shipped pharmacology profiles and the ONC list: well-formed, every key a KB drug,
every fact sourced, and the source wired into the evidence stage."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from pipeline import ask
from pipeline.evidence import default_sources
from pipeline.evidence._onc import ONC_FILE, OncHighPriority
from pipeline.evidence._profiles import Profile, ProfileError, load_profiles
from pipeline.evidence._rules_source import PharmacologyRules
from pipeline.kb import CACHE_DIR_NAME, default_data_dir, load_kb
from tools.pharm.check import problems


def test_profile_files_pass_the_checker():
    paths = sorted(default_data_dir().glob("pharm-*.jsonl"))
    assert paths
    found, counts = problems(paths)
    assert found == []
    assert sum(counts.values()) >= 100


def test_every_fact_has_a_source_and_year():
    for profile in PharmacologyRules().profiles.values():
        if not profile.facts:  # reviewed: no interaction-relevant pharmacology
            assert len(profile.no_facts_source) >= 8 and profile.no_facts_year, profile.drug
        for fact in profile.facts:
            assert len(fact.source) >= 8 and 1950 <= fact.year <= 2030


def test_onc_list_has_the_fifteen_published_interactions_with_kb_drugs():
    kb = load_kb()
    lines = (default_data_dir() / ONC_FILE).read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    assert len(records) == 15 and {r["floor"] for r in records} == {"major"}
    for r in records:
        for side in (r["a"], r["b"]):
            assert side.get("drugs") or side.get("facts")
            for drug in side.get("drugs", ()):
                assert kb.drug(drug) is not None, drug


def test_the_rules_and_the_onc_list_are_default_sources():
    names = [s.name for s in default_sources()]
    assert "pharm" in names and "onc" in names


def test_onc_pair_is_at_least_major_whatever_else():
    onc = OncHighPriority(PharmacologyRules())
    (entry,) = onc.lookup("tranylcypromine", "procarbazine")
    assert entry.severity == "major" and "Phansalkar" in entry.citation
    assert onc.lookup("amoxicillin", "procarbazine") == []


def test_a_profile_without_facts_must_cite_why():
    """Covering a drug with no facts makes its pairs "nothing found": that needs a source."""
    with pytest.raises(ValidationError, match="no_facts_source"):
        Profile(drug="mupirocin")
    reviewed = Profile(drug="mupirocin", no_facts_source="FDA label, Bactroban", no_facts_year=2019)
    assert PharmacologyRules().covers("mupirocin") and not reviewed.facts
    with pytest.raises(ValidationError, match="without facts"):
        Profile(
            drug="warfarin copy",
            facts=PharmacologyRules().profiles["warfarin"].facts,
            no_facts_source="FDA label, test",
            no_facts_year=2020,
        )


def _profile_line(drug: str, **extra) -> str:
    fact = {
        "kind": "effect",
        "target": "serotonergic",
        "strength": "moderate",
        "note": "raises serotonin",
        "source": "FDA label, Example, 7 Drug Interactions",
        "year": 2020,
    }
    return json.dumps({"drug": drug, "facts": [fact], **extra})


def test_profiles_are_validated_when_looked_up_and_errors_name_the_line(tmp_path):
    bad = json.dumps({"drug": "tramadol", "facts": [{"kind": "effect"}]})
    (tmp_path / "pharm-x.jsonl").write_text(_profile_line("sertraline") + "\n" + bad + "\n")
    profiles = load_profiles(tmp_path)
    assert set(profiles) == {"sertraline", "tramadol"}
    assert profiles["sertraline"].facts[0].target == "serotonergic"
    with pytest.raises(ProfileError, match=r"pharm-x\.jsonl:2"):
        profiles["tramadol"]
    with pytest.raises(ProfileError, match=r"pharm-x\.jsonl:2"):
        profiles.validate_all()


def test_parsed_profiles_are_cached_and_an_edit_is_read_again(tmp_path):
    path = tmp_path / "pharm-x.jsonl"
    path.write_text(_profile_line("sertraline") + "\n")
    first = load_profiles(tmp_path)
    assert list((tmp_path / CACHE_DIR_NAME).glob("kb-*.profiles.marshal"))
    again = load_profiles(tmp_path)  # from the cache: the same records, the same errors
    assert set(again) == set(first) == {"sertraline"}
    assert again["sertraline"] == first["sertraline"]
    path.write_text(_profile_line("sertraline") + "\n" + _profile_line("tramadol") + "\n")
    edited = load_profiles(tmp_path)  # a new digest: parsed again, the old file replaced
    assert set(edited) == {"sertraline", "tramadol"}
    assert len(list((tmp_path / CACHE_DIR_NAME).glob("kb-*.profiles.marshal"))) == 1
    path.write_text(_profile_line("sertraline") + "\n" + _profile_line("x", also=["sertraline"]))
    with pytest.raises(ProfileError, match="two profiles"):  # checked again, not cached
        load_profiles(tmp_path)


def test_a_key_in_two_profiles_is_refused_at_load(tmp_path):
    lines = [_profile_line("sertraline"), _profile_line("zoloft-x", also=["sertraline"])]
    (tmp_path / "pharm-x.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(ProfileError, match="two profiles"):
        load_profiles(tmp_path)


def test_a_class_profile_finds_but_does_not_cover():
    """ "The pill" names no product: the class profile's findings count, its silence not."""
    rules = PharmacologyRules()
    assert "contraceptives, oral" in rules.profiles
    assert not rules.covers("contraceptives, oral") and rules.covers("ethinyl estradiol")
    assert rules.findings("contraceptives, oral", "rifampin")
    with pytest.raises(ValidationError, match="exhaustive_note"):
        Profile(drug="x class", facts=rules.profiles["warfarin"].facts, exhaustive=False)
    with pytest.raises(ValidationError, match="exhaustive_note"):
        Profile(drug="x drug", facts=rules.profiles["warfarin"].facts, exhaustive_note="why")


def test_the_pill_with_an_inducer_is_an_interaction_and_its_silence_stays_in_review():
    report = ask("I'm on the pill and just started rifampin")
    (pair,) = report.pairs
    assert report.verdict == "interaction" and pair.severity == "major"  # ANSM: déconseillée
    assert any(e.source.startswith("pharm:") and e.inferred for e in pair.evidence)
    quiet = ask("birth control and amoxicillin")
    assert quiet.verdict == "needs_review"
    assert any("does not cover Contraceptives, Oral" in r for r in quiet.review_reasons)
