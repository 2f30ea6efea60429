"""The evidence stage: listed interactions decide pairs whatever the probes say; coverage
is honest per source; ANSM's own levels, conditions and English texts reach the answer."""

from __future__ import annotations

import re

import pytest

from pipeline import ask
from pipeline.evidence import AnsmThesaurus, EvidenceSource, default_sources, pair_evidence
from pipeline.kb import load_kb


@pytest.fixture
def no_model(keyed_model):
    """A prober that says "no" to every probe (tests/conftest.py)."""
    return keyed_model(name="always-no")


def _pair(report):
    (pair,) = report.pairs
    return pair


def test_ansm_is_an_evidence_source():
    source = default_sources()[0]
    assert isinstance(source, EvidenceSource)
    assert source.edition == "2020-01" and "ANSM" in source.licence
    assert source.covers("warfarin") and not source.covers("vibegron")


def test_listed_contraindication_wins_against_a_prober_that_says_no(no_model):
    report = ask(["sildenafil", "isosorbide mononitrate"], models={"prober": no_model})
    pair = _pair(report)
    assert pair.verdict == "interacts"
    assert pair.severity == "contraindicated"
    assert "contre-indication" in pair.source_level and "2020-01" in pair.source_level
    assert report.verdict == "interaction"


def test_listed_pairs_are_not_probed_by_default(no_model):
    report = ask(["lithium", "ramipril"], models={"prober": no_model}, trace=True)
    assert _pair(report).votes.total == 0
    assert "prober" not in report.usage.by_role or report.usage.by_role["prober"].calls == 0


def test_probe_listed_still_probes_and_probes_cannot_remove_the_interaction(no_model):
    report = ask(["lithium", "ramipril"], models={"prober": no_model}, probe_listed=True)
    pair = _pair(report)
    assert pair.votes.no > 0
    assert pair.verdict == "interacts"


def test_uncovered_drug_is_never_no_evidence(no_model):
    report = ask(["vibegron", "amoxicillin"], models={"prober": no_model})
    pair = _pair(report)
    assert pair.verdict == "unresolved"
    assert report.verdict == "needs_review"
    assert any("does not cover Vibegron" in r for r in report.review_reasons)


def test_covered_unlisted_pair_with_no_votes_is_no_evidence(no_model):
    report = ask(["amoxicillin", "paracetamol"], models={"prober": no_model})
    assert _pair(report).verdict == "no_evidence"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ciprofloxacin", "magnesium hydroxide"),  # class split by "gastro- intestinaux"
        ("venlafaxine", "epinephrine"),  # "adrénergiques- sérotoninergiques"
        ("sildenafil", "isosorbide mononitrate"),  # ANSM "isosorbide" -> both nitrates
        ("ferrous sulfate", "levothyroxine"),  # iron salts share iron's entries
    ],
)
def test_regression_pairs_recovered_by_the_build_fixes(a, b):
    assert load_kb().interactions(a, b), f"{a} + {b} lost"


def test_every_class_has_one_member_set():
    from pipeline.kb._rules import class_key

    kb = load_kb()
    by_key: dict[str, set[str]] = {}
    for key in kb.drugs:
        for c in kb.classes_of(key):
            by_key.setdefault(class_key(c), set()).add(c)
    assert all(len(v) == 1 for v in by_key.values())


def test_take_into_account_is_never_minor():
    kb = load_kb()
    for a, b in list(kb.pairs())[::50]:
        for i in kb.interactions(a, b):
            assert i.severity != "minor" and i.severity_least != "minor"


def _levels(a: str, b: str) -> str:
    return " / ".join(e.level for e in AnsmThesaurus().lookup(a, b))


def test_conditional_sedatives_levels_follow_their_conditions():
    """ANSM "sedatives + sedatives": contraindicated between sodium oxybate and opioids or
    barbiturates, to be avoided with sodium oxybate, to be taken into account otherwise."""
    plain = AnsmThesaurus().lookup("alprazolam", "gabapentin")
    assert plain and all(e.severity != "contraindicated" for e in plain)
    assert "(avoid)" in _levels("alprazolam", "sodium oxybate")
    assert "(contraindication)" not in _levels("alprazolam", "sodium oxybate")
    for other in ("morphine", "phenobarbital"):
        assert "(contraindication)" in _levels(other, "sodium oxybate")


def test_pair_conditions_restrict_a_level_to_named_pairs():
    assert "(contraindication)" in _levels("gemfibrozil", "simvastatin")
    assert "(contraindication)" not in _levels("fenofibrate", "simvastatin")
    assert "(contraindication)" in _levels("sacubitril", "enalapril")


def test_evidence_texts_are_english_with_specific_management():
    (entry, *_) = AnsmThesaurus().lookup("alprazolam", "gabapentin")
    assert entry.mechanism and entry.management
    assert "sedative" in (entry.mechanism + entry.management).lower()
    assert entry.original["mechanism"]  # the French original is kept
    for word in (" du ", " des ", " avec ", "risque", "surveillance"):
        assert word not in f" {entry.mechanism} {entry.management} ".lower()


def test_pair_evidence_names_the_gap():
    ev = pair_evidence(("amoxicillin", "vibegron"), default_sources(), {"vibegron": "Vib"})
    assert not ev.listed and not ev.complete
    assert "ANSM Thésaurus 2020-01 does not cover Vib" in ev.gaps
    assert all(gap.endswith("Vib") for gap in ev.gaps)


class _Covers:
    """An exhaustive source that covers a fixed set of drugs and lists nothing."""

    licence = "test"
    exhaustive = True
    edition = "1"

    def __init__(self, title, drugs):
        self.name, self.title, self.drugs = title, title, set(drugs)

    def covers(self, drug):
        return drug in self.drugs

    def lookup(self, a, b):
        return []


def test_a_pair_is_checked_when_one_source_covers_both_drugs():
    one, other = _Covers("One", {"x1", "x2"}), _Covers("Other", {"x2", "x3"})
    assert pair_evidence(("x1", "x2"), (one, other), {}).complete
    assert pair_evidence(("x2", "x3"), (one, other), {}).complete
    split = pair_evidence(("x1", "x3"), (one, other), {})  # each source knows one drug
    assert not split.complete
    assert split.gaps == (
        "One 1 does not cover x3",
        "Other 1 does not cover x1",
    )


_FRENCH_WORDS = re.compile(
    r"\b(?:du|des|avec|risque|surveillance|chez|lors|augmentation|diminution|traitement|"
    r"posologie|majoration|association|déconseillée|précaution|emploi)\b",
    re.IGNORECASE,
)


def test_every_entry_with_pairs_is_in_english():
    """All ~1,580 ANSM entries that produce pairs carry a reviewed English mechanism (and
    management when the French has one), and no French word reaches the English text."""
    kb = load_kb()
    used = {eid for a, b in kb.pairs() for eid, *_ in kb._interaction_data[1][(a, b)]}
    assert len(used) > 1500
    problems = []
    for eid in sorted(used):
        e = kb.entry(eid)
        if e["mechanism_fr"].strip() and not e["mechanism_en"].strip():
            problems.append(f"{eid}: no English mechanism")
        if e["management_fr"].strip() and not e["management_en"].strip():
            problems.append(f"{eid}: no English management")
        french = _FRENCH_WORDS.search(f"{e['mechanism_en']} {e['management_en']}")
        if french:
            problems.append(f"{eid}: French word {french.group()!r} in the English text")
    assert not problems, problems[:10]
