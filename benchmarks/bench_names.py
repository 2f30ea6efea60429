"""Benchmark of the name layer (plain script): `python benchmarks/bench_names.py [--json]`.

Measures, in one fresh process:
* KB load (`load_kb()` + `kb.name_index()`) and `NameIndex` build time, and peak RSS;
  the default data directory's load cache (`data/kb/.cache/`) is made to exist first;
* `resolve()` latency over a mix of exact, brand, international/salt, misspelled and
  nonsense mentions: cold (first call of each distinct mention, caches empty) and warm;
* `extract_drugs()` on a generated 2,000-word clinical note (first and repeated runs), and
  `read_query()` (the one extraction path of every entry point) on another such note;
* `lookup()` (with "did you mean" suggestions) on nonsense mentions;
and, each in its own fresh process (`--load-runs` times, median), the same load from a
copy of the data files: with the load cache off (`DDI_KB_CACHE=0`, gzip JSON only),
"cold" (no cache yet: gzip JSON, then the cache is written, as on a first run) and
"cached" (again, from that cache); each also times `kb.prepare()` (interactions) and
records its own peak RSS.

Writes `benchmarks/results/names.json` (committed) and the name-layer table of
BENCHMARKS.md between the ``<!-- names:begin -->`` markers (`--render` only rewrites the
table); exits 1 when a target is missed. `tests/perf/test_names_table.py` checks that the
table and the summary agree.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    ROOT,
    machine,
    peak_rss_mb,
    publish,
    replace_block,
    row,
    store_summary,
)

SUMMARY = ROOT / "benchmarks" / "results" / "names.json"
DOC = ROOT / "BENCHMARKS.md"
BEGIN, END = "<!-- names:begin -->", "<!-- names:end -->"

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


# one fresh process: load the KB in argv[1] (default: `load_kb()`'s) as the cascade does and
# print the timings as JSON
LOAD_SCRIPT = """
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from pipeline.kb import load_kb
from pipeline.names import NameIndex
t1 = time.perf_counter()
kb = load_kb(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
t2 = time.perf_counter()
kb.name_index()
t3 = time.perf_counter()
NameIndex(kb)
t4 = time.perf_counter()
kb.prepare()
t5 = time.perf_counter()
print(json.dumps({
    "import": t1 - t0, "load_kb": t2 - t1, "kb_name_index": t3 - t2, "NameIndex_build": t4 - t3,
    "total": t4 - t1, "prepare_interactions": t5 - t4, "all_loaded": t5 - t1,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def load_in_fresh_process(data_dir: Path | None = None, env: dict | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", LOAD_SCRIPT, *([str(data_dir)] if data_dir else [])],
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def load_cold_and_cached(runs: int) -> dict:
    """Median of `runs` fresh-process loads from a copy of the data files: with the load
    cache off (`DDI_KB_CACHE=0`: gzip JSON only), without a cache (JSON, then the cache is
    written: a first run) and then with it."""
    from pipeline.kb import DATA_FILES, default_data_dir

    no_cache, cold, cached = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            for f in DATA_FILES:
                shutil.copy(default_data_dir() / f, Path(tmp) / f)
            no_cache.append(load_in_fresh_process(Path(tmp), {"DDI_KB_CACHE": "0"}))
            cold.append(load_in_fresh_process(Path(tmp)))
            cached.append(load_in_fresh_process(Path(tmp)))

    def median(results: list[dict]) -> dict:
        return {k: round(statistics.median(r[k] for r in results), 3) for k in results[0]}

    return {
        "runs": runs,
        "cache_off": median(no_cache),
        "cold": median(cold),
        "cached": median(cached),
    }


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def repeat_ms(fn, runs: int = 10) -> list[float]:
    """Wall time of `runs` calls of `fn`, in milliseconds each."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def main() -> dict:
    rss0 = peak_rss_mb()
    t0 = time.perf_counter()
    import pipeline.names as names  # noqa: F401 - import cost (pydantic, rapidfuzz)
    from pipeline.kb import load_kb
    from pipeline.names import NameIndex, extract_drugs, lookup
    from pipeline.names._read import read_query
    from pipeline.names._sample import make_note

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
    runs = repeat_ms(lambda: extract_drugs(note, index=idx))
    idx._fuzzy_cache.clear()
    t0 = time.perf_counter()
    extract_drugs(note, index=idx)
    t_extract_nocache = (time.perf_counter() - t0) * 1e3

    # the one extraction path every entry point uses (products, lexicon, dictionary, the
    # words reported unresolved), on a note this process has not read, with a new index:
    # its fuzzy buckets and common-word split come from the load cache, as in a new process
    read_idx = NameIndex(kb)
    other_note = make_note(2000, seed=1)
    t0 = time.perf_counter()
    read = read_query(other_note, index=read_idx)
    t_read_first = (time.perf_counter() - t0) * 1e3
    read_runs = repeat_ms(lambda: read_query(other_note, index=read_idx))

    return {
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
        "read_query_ms": {
            "words": len(other_note.split()),
            "mentions": len(read.mentions),
            "first_run_new_index": round(t_read_first, 2),
            "repeat_median": round(statistics.median(read_runs), 2),
        },
        "peak_rss_mb": {"before_import": round(rss0, 1), "end": round(peak_rss_mb(), 1)},
    }


def _fmt(value: float, unit: str) -> str:
    return f"{value:.3g} {unit}"


def measures(summary: dict) -> list[tuple[str, list[float], str, float | None]]:
    """``(measure, values, unit, upper limit or None)`` for each row of the table."""
    load, res, ext, read = (
        summary["load_s"],
        summary["resolve_ms"],
        summary["extract_ms"],
        summary["read_query_ms"],
    )
    rows: list[tuple[str, list[float], str, float | None]] = [
        ("`import pipeline.names`", [load["import_pipeline_names"]], "s", None),
        ("`load_kb()` (drugs)", [load["load_kb"]], "s", None),
        ("`kb.name_index()` (names and their index)", [load["kb_name_index"]], "s", None),
        ("load total (KB + name index + `NameIndex`), this process, cached",
         [load["total"]], "s", 1.0),
    ]  # fmt: skip
    fresh = summary.get("load_fresh_process_s")
    if fresh:
        arms = ("cached", "cold", "cache_off")
        rows += [
            (f"same, fresh process (median of {fresh['runs']}): cached / cold / cache off",
             [fresh[a]["total"] for a in arms], "s", 1.0),
            ("+ `kb.prepare()` (interactions): all loaded, cached / cold / cache off",
             [fresh[a]["all_loaded"] for a in arms], "s", None),
            ("peak RSS, fresh process, all loaded: cached / cold / cache off",
             [fresh[a]["peak_rss_mb"] for a in arms], "MB", 300.0),
        ]  # fmt: skip
    rows += [
        ("`NameIndex.warm()` (every fuzzy bucket, optional)",
         [load["NameIndex_warm_all_buckets"]], "s", None),
        (f"resolve, cold, median over {res['mentions']} mentions", [res["cold_median"]], "ms",
         5.0),
        ("resolve, cold, p95", [res["cold_p95"]], "ms", None),
        ("resolve, cold, median: misspellings / nonsense",
         [res["cold_median_by_group"]["misspelt"], res["cold_median_by_group"]["nonsense"]],
         "ms", None),
        ("first fuzzy call in the process", [res["first_fuzzy_call"]], "ms", None),
        ("resolve, warm: median / p95", [res["warm_median"], res["warm_p95"]], "ms", None),
        ("fuzzy search (buckets ready, no cache): median / p95",
         [res["fuzzy_search_median"], res["fuzzy_search_p95"]], "ms", 5.0),
        ("`lookup()` on nonsense (suggestions): median",
         [summary["lookup_nonsense_ms"]["median"]], "ms", None),
        (f"`extract_drugs`, {ext['words']:,}-word note, first run", [ext["first_run"]], "ms",
         200.0),
        ("`extract_drugs`, same note, repeated (median of 10)", [ext["repeat_median"]], "ms",
         200.0),
        (f"`read_query` (every entry point's reading), another {read['words']:,}-word note, "
         "new index, first run", [read["first_run_new_index"]], "ms", 200.0),
        ("`read_query`, same note, repeated (median of 10)", [read["repeat_median"]], "ms",
         200.0),
        ("peak RSS, this process, after all of the above", [summary["peak_rss_mb"]["end"]],
         "MB", 300.0),
    ]  # fmt: skip
    return rows


def missed(summary: dict) -> list[str]:
    return [m for m, vs, _, limit in measures(summary) if limit is not None and max(vs) >= limit]


def table(summary: dict) -> str:
    m = summary["machine"]
    lines = [
        f"Measured {summary['date']}, Python {m['python']} on {m['cores']} cores ({m['cpu']}), "
        f"load average {m['load_avg_1m']:.1f} at the end; KB {summary['kb']['drugs']:,} drugs, "
        f"{summary['kb']['name_index_entries']:,} normalised names.",
        "",
        row("measure", "measured", "target"),
        row(*["---"] * 3),
    ]
    for measure, values, unit, limit in measures(summary):
        shown = " / ".join(_fmt(v, unit).rsplit(" ", 1)[0] for v in values) + f" {unit}"
        target = ""
        if limit is not None:
            status = "met" if max(values) < limit else "**not met**"
            target = f"< {_fmt(limit, unit).replace('.0 ', ' ')} ({status})"
        lines.append(row(measure, shown, target))
    return "\n".join(lines)


def load() -> dict:
    return json.loads(SUMMARY.read_text(encoding="utf-8"))


def render(doc: str, summary: dict) -> str:
    return replace_block(doc, BEGIN, END, table(summary))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-runs", type=int, default=3, help="fresh processes per load arm")
    parser.add_argument("--json", action="store_true", help="also print the summary")
    parser.add_argument("--render", action="store_true", help="only rewrite the table")
    args = parser.parse_args()
    if not args.render:
        load_in_fresh_process()  # make sure the default KB's load cache exists
        # the fresh processes first: Linux carries a forked child's peak RSS across exec,
        # so children forked from this process after `main` would report its 150+ MB
        fresh = load_cold_and_cached(args.load_runs) if args.load_runs > 0 else None
        result = main()
        if fresh:
            result["load_fresh_process_s"] = fresh
        summary = {"benchmark": "names", "date": time.strftime("%Y-%m-%d"),
                   "machine": machine(), **result}  # fmt: skip
        store_summary(SUMMARY, summary)
    summary = load()
    publish(DOC, BEGIN, END, table(summary))
    if args.json:
        print(json.dumps(summary, indent=1))
    print(table(summary))
    sys.exit(1 if missed(summary) else 0)
