"""Benchmark of the name layer (plain script): `python benchmarks/bench_names.py [--json]`.

Measures, in one fresh process:
* KB load (`load_kb()` + `kb.name_index()`) and `NameIndex` build time, and peak RSS;
* `resolve()` latency over a mix of exact, brand, international/salt, misspelled and
  nonsense mentions: cold (first call of each distinct mention, caches empty) and warm;
* `extract_drugs()` on a generated 2,000-word clinical note (first and repeated runs);
* `lookup()` (with "did you mean" suggestions) on nonsense mentions.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EXACT = [
    "warfarin",
    "aspirin",
    "ibuprofen",
    "metformin",
    "simvastatin",
    "lisinopril",
    "amlodipine",
    "omeprazole",
    "sertraline",
    "fluoxetine",
    "clarithromycin",
    "digoxin",
]
BRAND = [
    "Coumadin",
    "Advil",
    "Motrin",
    "Tylenol",
    "Zoloft",
    "Lipitor",
    "Biaxin",
    "Zocor",
    "Prozac",
    "Viagra",
    "Plavix",
    "Xanax",
]
OTHER = [
    "paracetamol",
    "salbutamol",
    "sertraline hydrochloride",
    "metoprolol tartrate",
    "acetylsalicylic acid",
    "St. John's Wort",
    "  WARFARIN  ",
    "grapefruit juice",
]
MISSPELT = [
    "warfrin",
    "ibuprofin",
    "clarithromicin",
    "simvastatine",
    "amoxicilin",
    "metforman",
    "lisinipril",
    "atorvastatine",
    "omeprazol",
    "sertralin",
    "fluoxetin",
    "amlodipin",
]
NONSENSE = ["blorptex", "qwerty", "zzyzzx", "flimbertab", "kraxolin", "plonk",
            "snargle", "vexatrim"]  # fmt: skip


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> dict:
    rss0 = rss_mb()
    t0 = time.perf_counter()
    import pipeline.names as names  # noqa: F401 - import cost (pydantic, rapidfuzz)
    from pipeline.kb import load_kb
    from pipeline.names import NameIndex, extract_drugs, lookup
    from pipeline.names.sample import make_note

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    kb = load_kb()
    t_kb = time.perf_counter() - t0
    t0 = time.perf_counter()
    kb.name_index()
    t_name_index = time.perf_counter() - t0
    t0 = time.perf_counter()
    idx = NameIndex(kb)
    t_index = time.perf_counter() - t0

    warm_idx = NameIndex(kb)
    t0 = time.perf_counter()
    warm_idx.warm()
    t_warm = time.perf_counter() - t0
    del warm_idx

    mix = EXACT + BRAND + OTHER + MISSPELT + NONSENSE
    cold: dict[str, list[float]] = {"exact": [], "brand": [], "other": [], "misspelt": [],
                                    "nonsense": []}  # fmt: skip
    groups = [("exact", EXACT), ("brand", BRAND), ("other", OTHER), ("misspelt", MISSPELT),
              ("nonsense", NONSENSE)]  # fmt: skip
    t_first_fuzzy = None
    for group, ms in groups:
        for m in ms:
            t0 = time.perf_counter()
            idx.resolve(m)
            dt = (time.perf_counter() - t0) * 1e3
            if group == "misspelt" and t_first_fuzzy is None:
                t_first_fuzzy = dt  # includes preparing one fuzzy bucket
            cold[group].append(dt)
    cold_all = [x for v in cold.values() for x in v]

    # warm-ish: fuzzy results are cached per normalised mention; clear to time the search
    warm: list[float] = []
    fuzzy_uncached: list[float] = []
    for _ in range(20):
        for m in mix:
            t0 = time.perf_counter()
            idx.resolve(m)
            warm.append((time.perf_counter() - t0) * 1e3)
        idx._fuzzy_cache.clear()
        for m in MISSPELT + NONSENSE:
            t0 = time.perf_counter()
            idx.resolve(m)
            fuzzy_uncached.append((time.perf_counter() - t0) * 1e3)

    lookups = []
    for m in NONSENSE:
        idx._fuzzy_cache.clear()
        t0 = time.perf_counter()
        lookup(m, index=idx)
        lookups.append((time.perf_counter() - t0) * 1e3)

    note = make_note(2000)
    n_words = len(note.split())
    t0 = time.perf_counter()
    found = extract_drugs(note, index=idx)
    t_extract_first = (time.perf_counter() - t0) * 1e3
    runs = []
    for _ in range(10):
        t0 = time.perf_counter()
        extract_drugs(note, index=idx)
        runs.append((time.perf_counter() - t0) * 1e3)
    idx._fuzzy_cache.clear()
    t0 = time.perf_counter()
    extract_drugs(note, index=idx)
    t_extract_nocache = (time.perf_counter() - t0) * 1e3

    return {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
        },
        "kb": {"drugs": len(kb.drugs), "name_index_entries": len(kb.name_index())},
        "load_s": {
            "import_pipeline_names": round(t_import, 3),
            "load_kb": round(t_kb, 3),
            "kb_name_index": round(t_name_index, 3),
            "NameIndex_build": round(t_index, 4),
            "total": round(t_kb + t_name_index + t_index, 3),
            "NameIndex_warm_all_buckets": round(t_warm, 3),
        },
        "resolve_ms": {
            "cold_median": round(statistics.median(cold_all), 3),
            "cold_p95": round(pct(cold_all, 95), 3),
            "cold_median_by_group": {g: round(statistics.median(v), 3) for g, v in cold.items()},
            "first_fuzzy_call": round(t_first_fuzzy or 0.0, 3),
            "warm_median": round(statistics.median(warm), 4),
            "warm_p95": round(pct(warm, 95), 4),
            "fuzzy_search_median": round(statistics.median(fuzzy_uncached), 3),
            "fuzzy_search_p95": round(pct(fuzzy_uncached, 95), 3),
            "mentions": len(mix),
        },
        "lookup_nonsense_ms": {
            "median": round(statistics.median(lookups), 3),
            "max": round(max(lookups), 3),
        },
        "extract_ms": {
            "words": n_words,
            "mentions_found": len(found),
            "first_run": round(t_extract_first, 2),
            "repeat_median": round(statistics.median(runs), 2),
            "fuzzy_cache_cleared": round(t_extract_nocache, 2),
        },
        "peak_rss_mb": {"before_import": round(rss0, 1), "end": round(rss_mb(), 1)},
    }


if __name__ == "__main__":
    result = main()
    if "--json" in sys.argv:
        print(json.dumps(result, indent=2))
    else:
        for section, values in result.items():
            print(f"{section}:")
            for k, v in values.items():
                print(f"  {k}: {v}")
