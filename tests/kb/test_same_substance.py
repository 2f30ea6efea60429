"""Same-substance merges (build rule 3, ``data/kb/same_substance.jsonl``) and the twin
finder (``tools.kb.twins``): the table is well formed and applied, merged names resolve to
the survivor, deferred merges share the knowledge, and well-known names reach a covered key.
"""

from __future__ import annotations

import json

import pytest

from pipeline.evidence._curated import CuratedList
from pipeline.evidence._rules_source import PharmacologyRules
from pipeline.kb import default_data_dir, normalise
from pipeline.names._resolver import NameIndex
from tools.kb import twins
from tools.kb.build import Builder, BuildError, check_same_substance

TABLE = twins.load_same_substance()
REPORT = json.loads((default_data_dir() / "build_report.json").read_text(encoding="utf-8"))
SAME = REPORT["same_substance"]
MERGED = {m["from"]: m["into"] for m in SAME["merged"]}
DEFERRED = {d["from"]: d for d in SAME["deferred"]}


@pytest.fixture(scope="module")
def index(kb):
    return NameIndex(kb)


@pytest.fixture(scope="module")
def pharm():
    return PharmacologyRules()


@pytest.fixture(scope="module")
def curated():
    return CuratedList()


# ----------------------------------------------------------------------------- table
def test_table_is_well_formed_without_chains_or_cycles():
    assert len(TABLE) >= 50
    assert check_same_substance(TABLE) == []
    froms = {r["from"] for r in TABLE}
    assert len(froms) == len(TABLE)  # one record per merged key
    assert not froms & {r["into"] for r in TABLE}  # a survivor is never merged: no chain
    for r in TABLE:
        assert r["from"] != r["into"]
        assert r["why"] in {
            "INN vs USAN name of the same substance",
            "salt or hydrate of the same active moiety",
            "ester prodrug of the same active moiety",
            "formulation of the same ingredient",
            "product- or indication-specific entry of the same ingredient",
            "vitamin name of the same substance",
            "duplicate entry of the same substance",
            "a grade (molecular weight) of the same substance",
            "the active constituents of the same herbal drug",
        }, r
        assert len(r["source"]) >= 10, r


def test_every_record_was_applied_or_deferred_by_the_build():
    assert SAME["records"] == len(TABLE)
    done = [*MERGED, *DEFERRED, *(a["from"] for a in SAME["already_merged"])]
    assert sorted(done) == sorted(r["from"] for r in TABLE)


def test_merged_keys_redirect_to_an_existing_survivor(kb, index):
    assert MERGED
    for src, dst in MERGED.items():
        assert src not in kb.drugs, src  # merged away
        assert dst in kb.drugs, dst
        # the old key's text is now a name of the survivor, and resolves to it
        assert dst in {n.drug for n in kb.name_index()[normalise(src)]}, src
        hit = index.resolve(src)
        assert hit is not None and hit.key == dst, (src, hit)


def test_merged_records_orphan_no_evidence_entry():
    named = twins.evidence_keys()
    for src in MERGED:
        assert not any(src in keys for keys in named.values()), src


def test_deferred_merges_are_still_named_and_share_the_ansm_knowledge(kb):
    """A merge waits while an evidence file names its `from` key; meanwhile both keys
    exist, and the group has one ANSM coverage: same classes, same partners (outside the
    group), and no "interaction" between two keys of the same substance."""
    named = twins.evidence_keys()
    for src, d in DEFERRED.items():
        dst = d["into"]
        assert src in kb.drugs and dst in kb.drugs, d
        assert d["named_by"] and all(src in named[s] for s in d["named_by"]), d
        a, b = kb.drug(src), kb.drug(dst)
        assert a.covered == b.covered, d
        if a.covered:
            assert set(a.classes) == set(b.classes), d
            group = {src, dst}
            assert kb.interacting_partners(src) - group == kb.interacting_partners(dst) - group
        assert kb.interactions(src, dst) == [], d


def test_ids_move_onto_the_survivor(kb):
    # vitamin K1's DrugBank id now names phytonadione (it had none)
    assert MERGED["vitamin k 1"] == "phytonadione"
    assert kb.drug("phytonadione").drug_id == "DB01022"
    # an id of a kind the survivor already had is kept in the report, not lost silently
    rec = next(m for m in SAME["merged"] if m["from"] == "adefovir dipivoxil")
    assert rec["ids_not_moved"] == {"drugbank": "DB00718"}


# --------------------------------------------------------------- well-known names
#: names people use -> the key they must reach; every one was an uncovered twin or a twin
#: without the ANSM knowledge before the table
ANSM_COVERED = {
    "risedronate": "risedronate",
    "Actonel": "risedronate",
    "mycophenolate": "mycophenolate mofetil",
    "CellCept": "mycophenolate mofetil",
    "nitroglycerin spray": "nitroglycerin",
    "Nitrolingual": "nitroglycerin",
    "nitroglycerin patch": "nitroglycerin",
    "Atacand": "candesartan",
    "olmesartan medoxomil": "olmesartan",
    "Fosrenol": "lanthanum carbonate",
    "fentanyl patch": "fentanyl",
    "Duragesic": "fentanyl",
    "Emsam": "selegiline",
    "Daytrana": "methylphenidate",
    "Lidoderm": "lidocaine",
    "Silenor": "doxepin",
    "Oravig": "miconazole",
    "Abraxane": "paclitaxel",
    "etidronate": "etidronic acid",
    "Samsca": "tolvaptan",
    "Edarbi": "azilsartan",
}
#: names whose substance ANSM 2020-01 does not list: covered by the pharmacology profiles
PHARM_COVERED = {
    "cephalexin": "cephalexin",
    "Keflex": "cephalexin",
    "phytonadione": "phytonadione",
    "vitamin K": "phytonadione",
    "phylloquinone": "phytonadione",
    "aluminum hydroxide": "aluminum hydroxide",
    "Omegaven": "fish oil",
    "Afrezza": "insulin human",
}


@pytest.mark.parametrize("name", sorted(ANSM_COVERED))
def test_well_known_name_reaches_an_ansm_covered_key(kb, index, name):
    hit = index.resolve(name)
    assert hit is not None and hit.key == ANSM_COVERED[name], (name, hit)
    assert kb.is_covered(hit.key), hit.key
    assert kb.interacting_partners(hit.key)


@pytest.mark.parametrize("name", sorted(PHARM_COVERED))
def test_well_known_name_reaches_a_profiled_key(index, pharm, name):
    hit = index.resolve(name)
    assert hit is not None and hit.key == PHARM_COVERED[name], (name, hit)
    assert pharm.covers(hit.key), hit.key


def test_no_well_known_key_is_an_uncovered_twin(kb, pharm):
    """The keys the brief named: none is left without the knowledge of its twin."""
    for key in (
        "risedronate",
        "mycophenolate mofetil",
        "candesartan",
        "lanthanum carbonate",
        "phytonadione",
    ):
        assert kb.is_covered(key) or pharm.covers(key), key
    gone_keys = ("nitroglycerin spray", "vitamin k 1", "vitamin k", "mycophenolate", "lanthanum")
    for gone in (*gone_keys, "fentanyl patch", "selegiline patch"):
        assert kb.drug(gone) is None, gone


def test_profiles_and_curated_lists_reach_the_survivor(kb, pharm, curated):
    """The profiles and the curated list name drugs by key: each survivor keeps what they
    say about it (the Actonel + Tums, Cialis + nitroglycerin spray and CellCept +
    cholestyramine questions depend on it)."""
    assert pharm.covers("risedronate") and curated.lookup("risedronate", "calcium carbonate")
    assert kb.interactions("calcium carbonate", "risedronate")  # and now ANSM's too
    assert curated.lookup("nitroglycerin", "tadalafil")
    assert kb.interactions("nitroglycerin", "tadalafil")
    assert pharm.covers("mycophenolate mofetil")
    assert pharm.lookup("cholestyramine", "mycophenolate mofetil")
    for src in MERGED:
        assert not pharm.covers(src) and not curated.covers(src), src


def test_finder_leaves_no_unreviewed_twin(kb):
    """Every remaining candidate of the finder was reviewed (merged, deferred, different
    substance or kept apart): a new one means a new twin, see `python -m tools.kb.twins`."""
    new = [
        (c["twin"], c["sibling"]) for c in twins.candidates(kb) if twins.review(c, TABLE) is None
    ]
    assert new == []


# ------------------------------------------------------------------ finder rules
def test_finder_spelling_rules():
    assert "risedronic acid" in twins._spellings("risedronate")
    assert "etidronate" in twins._spellings("etidronic acid")
    assert "cefalexin" in twins._spellings("cephalexin")
    assert "colecalciferol" in twins._spellings("cholecalciferol")
    assert "sulfasalazine" in twins._spellings("sulphasalazine")
    assert "aluminum hydroxide" in twins._spellings("aluminium hydroxide")
    assert "estradiol" in twins._spellings("oestradiol")


def test_finder_strip_rules():
    assert twins._strip("nitroglycerin spray", twins.FORMULATION_WORDS) == "nitroglycerin"
    assert twins._strip("fentanyl sublingual spray", twins.FORMULATION_WORDS) == "fentanyl"
    assert twins._strip("mycophenolate mofetil", twins.ESTER_WORDS) == "mycophenolate"
    # an inorganic salt is never reduced to its ion
    assert twins._strip("sodium chloride", twins.ESTER_WORDS, keep_ions=True) == "sodium chloride"
    assert twins.CLASS_LIKE_RX.match("contraceptives, oral")
    assert not twins.CLASS_LIKE_RX.match("ethinyl estradiol")


# --------------------------------------------------------------- rule 3 (no sources)
def _builder(*keys: str, ids: dict | None = None) -> Builder:
    b = Builder.__new__(Builder)
    b.report, b.redirect, b.same_substance_groups = {}, {}, {}
    b.drugs = {
        k: {
            "key": k,
            "name": k,
            "ids": dict((ids or {}).get(k, {})),
            "kind": "drug",
            "variants": {f"{k} variant"},
        }
        for k in keys
    }
    return b


def _rec(frm: str, into: str) -> dict:
    return {
        "from": frm,
        "into": into,
        "why": "formulation of the same ingredient",
        "source": "FDA label, test product",
    }


def test_rule3_merges_names_and_ids_and_redirects():
    b = _builder(
        "x patch",
        "x",
        ids={"x patch": {"medlineplus": "a1", "drugbank": "DB2"}, "x": {"drugbank": "DB1"}},
    )
    b.merge_same_substance([_rec("x patch", "x")], named={"pharm": set()})
    assert "x patch" not in b.drugs and b.resolve("x patch") == "x"
    assert {"x patch", "x patch variant", "x variant"} <= b.drugs["x"]["variants"]
    assert b.drugs["x"]["ids"] == {"drugbank": "DB1", "medlineplus": "a1"}
    (merged,) = b.report["same_substance"]["merged"]
    assert merged["ids_not_moved"] == {"drugbank": "DB2"}


def test_rule3_defers_a_merge_that_would_orphan_an_evidence_entry():
    b = _builder("xic acid", "xate", "xate sodium")
    records = [_rec("xic acid", "xate"), _rec("xate sodium", "xate")]
    b.merge_same_substance(records, named={"pharm": {"xic acid"}, "us-hp": set()})
    assert "xic acid" in b.drugs  # kept: a profile names it
    assert "xate sodium" not in b.drugs
    assert b.same_substance_groups["xic acid"] == {"xic acid", "xate"}
    (d,) = b.report["same_substance"]["deferred"]
    assert d["named_by"] == ["pharm"]
    links, log = b._knowledge_links({"xic acid"})
    assert links["xic acid"] == ["xate"]
    assert log[-1]["rule"] == "same substance (deferred)"


@pytest.mark.parametrize(
    "records, match",
    [
        ([_rec("x patch", "no such key")], "not a KB key"),
        ([_rec("x patch", "x"), _rec("x", "y")], "chain"),
        ([_rec("x patch", "x"), _rec("x patch", "y")], "merged by 2 records"),
        ([_rec("x", "x")], "into itself"),
        ([{"from": "x patch", "into": "x"}], "missing why, source"),
    ],
)
def test_rule3_rejects_a_bad_table(records, match):
    b = _builder("x patch", "x", "y")
    with pytest.raises(BuildError, match=match):
        b.merge_same_substance(records, named={})
