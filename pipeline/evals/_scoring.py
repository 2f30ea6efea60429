"""Score one pipeline `Report` against one gold `Sample` into a flat, JSON-able result row.

Rows are what `results.jsonl` stores and what every metric reads: they carry the gold
labels beside the predictions so a summary can be recomputed from the journal alone.
Predicted pairs are matched to gold pairs by canonical keys as unordered pairs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pipeline.evals._metrics import pair_outcome
from pipeline.evals._suites import Sample, pair_key

__all__ = ["sample_hash", "score_report", "error_row", "gateless_verdict"]


def sample_hash(sample: Sample) -> str:
    """Digest of the sample's gold content: a changed sample is never taken from the journal."""
    text = json.dumps(sample.to_record(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def gateless_verdict(pair_verdicts: list[str]) -> str:
    """Query verdict from pair verdicts alone (evaluator gate ignored)."""
    if "interacts" in pair_verdicts:
        return "interaction"
    if "unresolved" in pair_verdicts:
        return "needs_review"
    return "no_known_interaction"


def _report_dict(report: Any) -> dict:
    if isinstance(report, Mapping):
        return dict(report)
    return report.model_dump(mode="json")


def _base_row(sample: Sample, repeat: int, config_hash: str, seed: int | None) -> dict:
    return {
        "sample_id": sample.id,
        "repeat": repeat,
        "config_hash": config_hash,
        "sample_hash": sample_hash(sample),
        "seed": seed,
        "query": sample.query,
        "tags": list(sample.tags),
        "perturbation": sample.perturbation,
        "expected_verdict": sample.expected_verdict,
    }


def score_report(
    sample: Sample,
    report: Any,
    *,
    repeat: int = 0,
    config_hash: str = "",
    seed: int | None = None,
    latency_s: float | None = None,
    ignore_gate: bool = False,
) -> dict:
    """One result row: gold and predicted verdicts per pair, usage, latency.

    A gold pair absent from the report's pairs is ``missing`` (scored like ``unresolved``).
    Predicted pairs absent from the gold list are kept under ``extra_pairs`` and not scored.
    With ``ignore_gate`` the query verdict is recomputed from the pair verdicts, so an
    evaluator veto (``needs_review`` from the gate) does not count.
    """
    rep = _report_dict(report)
    predicted: dict[str, dict] = {}
    for p in rep.get("pairs", []):
        predicted[pair_key(p["drug_a"], p["drug_b"])] = p
    gold_keys = set()
    pairs = []
    for gp in sample.expected_pairs:
        key = gp.key
        gold_keys.add(key)
        hit = predicted.get(key)
        verdict = hit["verdict"] if hit else "missing"
        pairs.append(
            {
                "pair": key,
                "interacts": gp.interacts,
                "severity": gp.severity,
                "predicted": verdict,
                "predicted_severity": (hit or {}).get("severity"),
                "votes": (hit or {}).get("votes"),
                "outcome": pair_outcome(gp.interacts, verdict),
            }
        )
    extra = [
        {"pair": k, "predicted": p["verdict"], "predicted_severity": p.get("severity")}
        for k, p in sorted(predicted.items())
        if k not in gold_keys
    ]
    found = sorted({d.get("canonical", "") for d in rep.get("drugs", [])} - {""})
    usage = {
        role: {
            "calls": u.get("calls", 0),
            "failed_calls": u.get("failed_calls", 0),
            "input_tokens": u.get("input_tokens", 0),
            "output_tokens": u.get("output_tokens", 0),
        }
        for role, u in (rep.get("usage") or {}).get("by_role", {}).items()
    }
    verdict = rep.get("verdict", "needs_review")
    if ignore_gate:
        verdict = gateless_verdict(
            [p["predicted"] for p in pairs] + [e["predicted"] for e in extra]
        )
    row = _base_row(sample, repeat, config_hash, seed)
    row.update(
        {
            "verdict": verdict,
            "reported_verdict": rep.get("verdict"),
            "correct": verdict == sample.expected_verdict,
            "review_reasons": list(rep.get("review_reasons", [])),
            "failed_evaluations": [
                e.get("name") for e in rep.get("evaluations", []) if not e.get("passed", True)
            ],
            "drugs_expected": list(sample.drugs),
            "drugs_found": found,
            "drugs_missing": sorted(set(sample.drugs) - set(found)),
            "pairs": pairs,
            "extra_pairs": extra,
            "n_pairs": len(pairs),
            "usage": usage,
            "calls": sum(u["calls"] for u in usage.values()),
            "models": dict(rep.get("models") or {}),
            "latency_s": latency_s,
            "error": None,
        }
    )
    return row


def error_row(
    sample: Sample,
    error: BaseException | str,
    *,
    repeat: int = 0,
    config_hash: str = "",
    seed: int | None = None,
    latency_s: float | None = None,
) -> dict:
    """Row for a query that raised: every gold pair is ``missing``, the verdict ``error``."""
    row = _base_row(sample, repeat, config_hash, seed)
    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    row.update(
        {
            "verdict": "error",
            "reported_verdict": None,
            "correct": False,
            "review_reasons": [],
            "failed_evaluations": [],
            "drugs_expected": list(sample.drugs),
            "drugs_found": [],
            "drugs_missing": list(sample.drugs),
            "pairs": [
                {
                    "pair": gp.key,
                    "interacts": gp.interacts,
                    "severity": gp.severity,
                    "predicted": "missing",
                    "predicted_severity": None,
                    "votes": None,
                    "outcome": pair_outcome(gp.interacts, "missing"),
                }
                for gp in sample.expected_pairs
            ],
            "extra_pairs": [],
            "n_pairs": len(sample.expected_pairs),
            "usage": {},
            "calls": 0,
            "models": {},
            "latency_s": latency_s,
            "error": message[:500],
        }
    )
    return row
