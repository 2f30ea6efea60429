"""The KB load cache (`data/kb/.cache/*.marshal`): same data as the JSON path, keyed by the
data version (new data -> new file, stale files removed), corrupt files and read-only
directories fall back to JSON."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import stat
import subprocess
import sys

import pytest

from pipeline.kb import CACHE_DIR_NAME, DATA_FILES, KnowledgeBase, default_data_dir

PAIRS = [("ibuprofen", "warfarin"), ("clarithromycin", "simvastatin"), ("aspirin", "metformin")]
NORMS = ["coumadin", "advil", "warfarin", "aspirine", "ibuprofene", "zocor", "not a drug"]


@pytest.fixture
def data_dir(tmp_path):
    out = tmp_path / "kb"
    out.mkdir()
    for f in DATA_FILES:
        shutil.copy(default_data_dir() / f, out / f)
    return out


def snapshot(kb: KnowledgeBase) -> dict:
    index = kb.name_index()
    return {
        "drugs": {k: kb.drugs[k] for k in ("warfarin", "ibuprofen", "simvastatin")},
        "n_drugs": len(kb.drugs),
        "n_norms": len(index),
        "names": {k: kb.names(k) for k in ("warfarin", "ibuprofen", "levothyroxine")},
        "index": {n: index.get(n) for n in NORMS},
        "contains": [n in index for n in NORMS],
        "interactions": {p: kb.interactions(*p) for p in PAIRS},
        "partners": sorted(kb.interacting_partners("warfarin"))[:50],
    }


def cache_files(data_dir):
    return sorted(p.name for p in (data_dir / CACHE_DIR_NAME).glob("kb-*.marshal"))


def test_cache_written_then_used_with_identical_results(data_dir, monkeypatch):
    monkeypatch.setenv("DDI_KB_CACHE", "0")
    from_json = snapshot(KnowledgeBase(data_dir))
    assert not (data_dir / CACHE_DIR_NAME).exists()
    monkeypatch.delenv("DDI_KB_CACHE")
    first = KnowledgeBase(data_dir)  # cache miss: JSON, then written
    assert snapshot(first) == from_json
    files = cache_files(data_dir)
    assert {f.rsplit(".", 2)[1] for f in files} == {"drugs", "names", "interactions"}
    assert all(first.version in f for f in files)
    second = KnowledgeBase(data_dir)  # cache hit
    assert snapshot(second) == from_json
    # full name index equality (every entry, every name)
    a, b = first.name_index(), second.name_index()
    assert list(a) == list(b) and all(a[k] == b[k] for k in a)


def test_new_data_version_invalidates(data_dir):
    old = KnowledgeBase(data_dir)
    snapshot(old)
    old_files = cache_files(data_dir)
    path = data_dir / "drugs.json.gz"
    raw = json.loads(gzip.decompress(path.read_bytes()))
    for row in raw["drugs"]:
        if row[0] == "warfarin":
            row[1] = "Warfarin (edited)"
    path.write_bytes(gzip.compress(json.dumps(raw).encode()))
    new = KnowledgeBase(data_dir)
    assert new.version != old.version
    assert new.drugs["warfarin"].name == "Warfarin (edited)"
    snapshot(new)
    new_files = cache_files(data_dir)
    assert len(new_files) == 3 and not set(new_files) & set(old_files)  # stale ones removed


def test_corrupt_cache_falls_back_and_is_rewritten(data_dir):
    expected = snapshot(KnowledgeBase(data_dir))
    for f in (data_dir / CACHE_DIR_NAME).glob("kb-*.marshal"):
        f.write_bytes(b"\x00garbage")
    assert snapshot(KnowledgeBase(data_dir)) == expected
    assert snapshot(KnowledgeBase(data_dir)) == expected  # rewritten and readable


def test_same_length_edit_of_a_cache_file_is_not_believed(data_dir):
    """Issue 16 item 12: a byte changed inside a cache file (same length, still valid
    marshal) must not change a verdict: the digest check rejects the file."""
    expected = snapshot(KnowledgeBase(data_dir))
    (path,) = (data_dir / CACHE_DIR_NAME).glob("kb-*.interactions.marshal")
    data = bytearray(path.read_bytes())
    at = data.find(b"contraindicat", 40)
    assert at > 0
    data[at : at + 5] = b"minor"  # same length: the file would still unmarshal
    path.write_bytes(bytes(data))
    assert snapshot(KnowledgeBase(data_dir)) == expected


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_data_dir_still_loads(data_dir):
    data_dir.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert snapshot(KnowledgeBase(data_dir))["n_drugs"] > 1000
    finally:
        data_dir.chmod(stat.S_IRWXU)


def test_unwritable_cache_location_still_loads(data_dir):
    (data_dir / CACHE_DIR_NAME).write_text("a file where the cache directory should be")
    assert snapshot(KnowledgeBase(data_dir))["n_drugs"] > 1000


def test_concurrent_processes_share_the_cache(data_dir):
    code = (
        "import sys; from pipeline.kb import KnowledgeBase; "
        "kb = KnowledgeBase(sys.argv[1]); kb.prepare(); "
        "print(kb.interactions('ibuprofen', 'warfarin')[0].severity, len(kb.name_index()))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(data_dir)], stdout=subprocess.PIPE)
        for _ in range(3)
    ]
    outs = {p.communicate(timeout=120)[0] for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert len(outs) == 1
    assert len(cache_files(data_dir)) == 3
