"""Summaries: every metric of a run, computed from its result rows only.

The summary embeds per-sample, per-pair outcomes (detection rate over repeats) so that a
stored ``summary.json`` is enough to serve as a baseline and to diff samples later.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from pipeline.evals._metrics import latency_summary, pair_metrics, query_metrics, usage_metrics

__all__ = ["summarise", "per_sample"]

SUMMARY_FORMAT = 1


def _pairs(rows: Sequence[Mapping]) -> list[Mapping]:
    return [p for r in rows for p in r["pairs"]]


def per_sample(rows: Sequence[Mapping]) -> dict[str, dict]:
    """``{sample_id: {"verdict", "verdicts", "pairs": {pair: {interacts, severity,
    detected_rate, flag_rate, abstain_rate, n}}}}`` aggregated over repeats."""
    grouped: dict[str, list[Mapping]] = defaultdict(list)
    for r in rows:
        grouped[r["sample_id"]].append(r)
    out: dict[str, dict] = {}
    for sid in sorted(grouped):
        reps = sorted(grouped[sid], key=lambda r: r["repeat"])
        verdicts = Counter(r["verdict"] for r in reps)
        pairs: dict[str, dict] = {}
        for r in reps:
            for p in r["pairs"]:
                e = pairs.setdefault(
                    p["pair"],
                    {"interacts": p["interacts"], "severity": p["severity"], "_d": 0, "_a": 0},
                )
                e["_d"] += p["predicted"] == "interacts"
                e["_a"] += p["predicted"] in ("unresolved", "missing")
        n = len(reps)
        for e in pairs.values():
            e["detected_rate"] = e.pop("_d") / n
            e["abstain_rate"] = e.pop("_a") / n
            e["n"] = n
        out[sid] = {
            "verdict": verdicts.most_common(1)[0][0],
            "verdicts": dict(verdicts),
            "correct_rate": sum(bool(r["correct"]) for r in reps) / n,
            "calls_mean": sum(r.get("calls", 0) for r in reps) / n,
            "pairs": pairs,
        }
    return out


def _by_group(rows: Sequence[Mapping], key) -> dict[str, dict]:
    groups: dict[str, list[Mapping]] = defaultdict(list)
    for r in rows:
        for g in key(r):
            groups[g].append(r)
    out = {}
    for g in sorted(groups):
        m = pair_metrics(_pairs(groups[g]))
        q = query_metrics((r["expected_verdict"], r["verdict"]) for r in groups[g])
        out[g] = {
            "queries": len(groups[g]),
            "positives": m["positives"],
            "negatives": m["negatives"],
            "recall": m["recall"],
            "specificity": m["specificity"],
            "abstention": m["abstention"],
            "query_accuracy": q["accuracy"],
        }
    return out


def _perturbation_names(row: Mapping) -> list[str]:
    p = row.get("perturbation")
    if not p:
        return ["none"]
    if isinstance(p, str):
        return [p]
    if isinstance(p, list):
        return [str(x.get("kind", x) if isinstance(x, dict) else x) for x in p] or ["none"]
    if isinstance(p, dict):
        return [str(p.get("kind") or p.get("type") or "other")]
    return [str(p)]


def summarise(
    rows: Sequence[Mapping],
    *,
    suite: str | None = None,
    dataset_version: str | None = None,
    config: Mapping | None = None,
    config_hash: str | None = None,
    repeats: int = 1,
    prices: Mapping | None = None,
    extra: Mapping | None = None,
) -> dict:
    rows = sorted(rows, key=lambda r: (r["sample_id"], r["repeat"]))
    pm = pair_metrics(_pairs(rows))
    qm = query_metrics((r["expected_verdict"], r["verdict"]) for r in rows)
    per_repeat = []
    for rep in sorted({r["repeat"] for r in rows}):
        m = pair_metrics(_pairs([r for r in rows if r["repeat"] == rep]))
        per_repeat.append(
            {
                "repeat": rep,
                "recall": m["recall"]["value"],
                "specificity": m["specificity"]["value"],
                "abstention": m["abstention"]["value"],
            }
        )
    recalls = [x["recall"] for x in per_repeat if x["recall"] is not None]
    latencies = [r["latency_s"] for r in rows if r.get("latency_s") is not None]
    summary = {
        "format": SUMMARY_FORMAT,
        "suite": suite,
        "dataset_version": dataset_version,
        "config_hash": config_hash,
        "config": dict(config or {}),
        "samples_n": len({r["sample_id"] for r in rows}),
        "repeats": repeats,
        "rows": len(rows),
        "errors": sum(1 for r in rows if r.get("error")),
        "pairs": pm,
        "queries": qm,
        "recall_across_repeats": {
            "per_repeat": per_repeat,
            "mean": statistics.fmean(recalls) if recalls else None,
            "stdev": statistics.stdev(recalls) if len(recalls) > 1 else None,
        },
        "usage": usage_metrics(rows, prices),
        "latency_s": latency_summary(latencies),
        "by_tag": _by_group(rows, lambda r: r.get("tags") or ["untagged"]),
        "by_perturbation": _by_group(rows, _perturbation_names),
        "samples": per_sample(rows),
    }
    if extra:
        summary.update(extra)
    return summary
