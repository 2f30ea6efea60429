"""Eval metrics as plain functions over plain data (no numpy, no pipeline imports).

Conventions (see EVALS.md, "How outcomes are counted"):

* A gold pair is *positive* when ``interacts`` is true, *negative* otherwise.
* A predicted pair verdict is ``interacts``, ``no_evidence`` or ``unresolved``; a gold pair
  the report does not mention at all (a drug was not resolved, the run failed) counts as
  ``missing`` and is treated exactly like ``unresolved``.
* Recall (sensitivity) = TP / positives. An unresolved or missing positive is **not** a
  detection (conservative); the share of positives that were abstained on is reported
  beside it as ``abstention`` and ``recall_incl_review`` ((TP + abstained) / positives),
  which is what a clinician sees when every "needs review" is treated as a warning.
* Specificity = TN / negatives. An abstention is **never** a correct negative: an
  unresolved negative stays in the denominator and is not a TN.
* Precision = TP / (TP + FP): only ``interacts`` verdicts are positive calls.
* Query accuracy: the report's verdict equals the gold verdict; ``needs_review`` is never
  correct and is counted separately as the query abstention rate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "SEVERITY_LEVELS",
    "PairCounts",
    "f_beta",
    "pair_outcome",
    "percentile",
    "latency_summary",
    "rate",
    "wilson_interval",
    "query_metrics",
    "pair_metrics",
    "usage_metrics",
    "cost_of",
]

SEVERITY_LEVELS: tuple[str, ...] = ("contraindicated", "major", "moderate", "minor", "unknown")
ABSTAIN = frozenset({"unresolved", "missing"})

#: Outcome labels of one gold pair (see ``pair_outcome``).
TP, FN, FP, TN, ABSTAIN_POS, ABSTAIN_NEG = "tp", "fn", "fp", "tn", "abstain_pos", "abstain_neg"


def pair_outcome(gold_interacts: bool, predicted: str) -> str:
    """Label one gold pair from its predicted verdict (``interacts`` / ``no_evidence`` /
    ``unresolved`` / ``missing``)."""
    if predicted not in {"interacts", "no_evidence", "unresolved", "missing"}:
        raise ValueError(f"unknown pair verdict {predicted!r}")
    if gold_interacts:
        if predicted == "interacts":
            return TP
        return ABSTAIN_POS if predicted in ABSTAIN else FN
    if predicted == "interacts":
        return FP
    return ABSTAIN_NEG if predicted in ABSTAIN else TN


# --------------------------------------------------------------------------- basic rates


def rate(num: float, den: float) -> float | None:
    """``num / den``, or ``None`` when there is nothing to divide (never a fake 0 or 1)."""
    return None if den == 0 else num / den


def wilson_interval(successes: float, n: float, z: float = 1.959963984540054):
    """Wilson score interval for a binomial proportion (default 95 %).

    Returns ``(low, high)``; ``(0.0, 1.0)`` when ``n == 0``. Accepts fractional counts
    (e.g. successes averaged over repeats); values are clamped to [0, 1].
    """
    if n <= 0:
        return (0.0, 1.0)
    p = min(max(successes / n, 0.0), 1.0)
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = (z / denom) * math.sqrt(max(p * (1 - p) / n + z2 / (4 * n * n), 0.0))
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    # Guard against rounding putting the point estimate a hair outside the interval.
    return (min(low, p), max(high, p))


def f_beta(precision: float | None, recall: float | None, beta: float = 2.0) -> float | None:
    """F-beta score; beta = 2 weighs recall four times as much as precision.

    ``None`` when precision or recall is undefined; 0 when both are 0.
    """
    if precision is None or recall is None:
        return None
    b2 = beta * beta
    den = b2 * precision + recall
    return 0.0 if den == 0 else (1 + b2) * precision * recall / den


def _with_ci(num: float, den: float) -> dict:
    value = rate(num, den)
    low, high = wilson_interval(num, den)
    return {"value": value, "n": den, "ci95": [low, high] if den else None}


# --------------------------------------------------------------------------- pair level


_SEVERITY_RANK = {s: i for i, s in enumerate(("contraindicated", "major", "moderate", "minor"))}


@dataclass
class PairCounts:
    """Confusion counts over gold pairs (abstentions split by gold label)."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    abstain_pos: int = 0
    abstain_neg: int = 0
    severity_agree: int = 0  # TPs whose predicted severity equals the gold severity
    severity_known: int = 0  # TPs whose gold severity is known
    severity_understated: int = 0  # TPs shown less severe than the gold severity

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def positives(self) -> int:
        return self.tp + self.fn + self.abstain_pos

    @property
    def negatives(self) -> int:
        return self.tn + self.fp + self.abstain_neg

    def metrics(self) -> dict:
        recall = rate(self.tp, self.positives)
        precision = rate(self.tp, self.tp + self.fp)
        total = self.positives + self.negatives
        return {
            "positives": self.positives,
            "negatives": self.negatives,
            "counts": {
                "tp": self.tp,
                "fn": self.fn,
                "fp": self.fp,
                "tn": self.tn,
                "abstain_pos": self.abstain_pos,
                "abstain_neg": self.abstain_neg,
            },
            "recall": _with_ci(self.tp, self.positives),
            "recall_incl_review": _with_ci(self.tp + self.abstain_pos, self.positives),
            "specificity": _with_ci(self.tn, self.negatives),
            "precision": _with_ci(self.tp, self.tp + self.fp),
            "f1": f_beta(precision, recall, 1.0),
            "f2": f_beta(precision, recall, 2.0),
            "abstention": _with_ci(self.abstain_pos + self.abstain_neg, total),
            "severity_agreement": _with_ci(self.severity_agree, self.severity_known),
            "severity_understated": _with_ci(self.severity_understated, self.severity_known),
        }


@dataclass
class _SeverityCounts:
    overall: PairCounts = field(default_factory=PairCounts)
    by_gold: dict[str, PairCounts] = field(default_factory=dict)
    fp_by_predicted: dict[str, int] = field(default_factory=dict)


def pair_metrics(pairs: Iterable[Mapping]) -> dict:
    """Pair-level metrics, overall and per severity.

    Each item is a scored pair: ``{"interacts": bool, "severity": gold severity or None,
    "predicted": verdict, "predicted_severity": str or None}``.

    Per severity, ``recall`` is over gold positives of that (gold) severity, and
    ``false_alarm`` is the share of all gold negatives that were flagged at that predicted
    severity (so the per-severity false alarms sum to 1 - specificity minus abstentions);
    ``specificity`` per severity is ``1 - false_alarm`` over all negatives.
    """
    acc = _SeverityCounts()
    for item in pairs:
        outcome = pair_outcome(bool(item["interacts"]), item["predicted"])
        acc.overall.add(outcome)
        if item["interacts"]:
            sev = item.get("severity") or "unknown"
            bucket = acc.by_gold.setdefault(sev, PairCounts())
            bucket.add(outcome)
            if outcome == TP and sev != "unknown":
                for counts in (acc.overall, bucket):
                    counts.severity_known += 1
                    predicted = item.get("predicted_severity") or "unknown"
                    if predicted == sev:
                        counts.severity_agree += 1
                    if _SEVERITY_RANK.get(predicted, len(_SEVERITY_RANK)) > _SEVERITY_RANK.get(
                        sev, len(_SEVERITY_RANK)
                    ):
                        counts.severity_understated += 1
        elif outcome == FP:
            psev = item.get("predicted_severity") or "unknown"
            acc.fp_by_predicted[psev] = acc.fp_by_predicted.get(psev, 0) + 1
    result = acc.overall.metrics()
    negatives = acc.overall.negatives
    per: dict[str, dict] = {}
    for sev in SEVERITY_LEVELS:
        bucket = acc.by_gold.get(sev)
        fps = acc.fp_by_predicted.get(sev, 0)
        if bucket is None and not fps:
            continue
        entry: dict = {"positives": bucket.positives if bucket else 0}
        if bucket is not None:
            m = bucket.metrics()
            entry.update(
                recall=m["recall"],
                recall_incl_review=m["recall_incl_review"],
                counts={k: m["counts"][k] for k in ("tp", "fn", "abstain_pos")},
            )
        entry["false_alarms"] = fps
        entry["false_alarm"] = _with_ci(fps, negatives)
        entry["specificity"] = _with_ci(negatives - fps, negatives)
        per[sev] = entry
    result["per_severity"] = per
    return result


# --------------------------------------------------------------------------- query level


def query_metrics(items: Iterable[tuple[str, str]]) -> dict:
    """Query-level metrics from ``(gold_verdict, predicted_verdict)`` tuples.

    ``needs_review`` (or ``error``) is never correct; it is counted as an abstention.
    """
    n = correct = abstained = pos = pos_found = neg = neg_cleared = 0
    for gold, predicted in items:
        n += 1
        if predicted == gold:
            correct += 1
        if predicted in {"needs_review", "error"}:
            abstained += 1
        if gold == "interaction":
            pos += 1
            pos_found += predicted == "interaction"
        else:
            neg += 1
            neg_cleared += predicted == "no_known_interaction"
    return {
        "n": n,
        "accuracy": _with_ci(correct, n),
        "recall": _with_ci(pos_found, pos),
        "specificity": _with_ci(neg_cleared, neg),
        "abstention": _with_ci(abstained, n),
    }


# --------------------------------------------------------------------------- usage, latency


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (like numpy's default), ``q`` in [0, 100]."""
    if not values:
        return None
    data = sorted(values)
    if len(data) == 1:
        return float(data[0])
    pos = (len(data) - 1) * min(max(q, 0.0), 100.0) / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(data) - 1)
    return float(data[lo] + (data[hi] - data[lo]) * (pos - lo))


def latency_summary(seconds: Sequence[float]) -> dict:
    return {
        "n": len(seconds),
        "mean": (sum(seconds) / len(seconds)) if seconds else None,
        "p50": percentile(seconds, 50),
        "p90": percentile(seconds, 90),
        "p95": percentile(seconds, 95),
        "p99": percentile(seconds, 99),
        "max": max(seconds) if seconds else None,
    }


def cost_of(usage: Mapping, models: Mapping[str, str], prices: Mapping[str, Mapping]) -> float:
    """Cost of one query in the price table's currency.

    ``usage`` is ``{role: {"input_tokens", "output_tokens", ...}}``, ``models`` is
    ``{role: model name}`` and ``prices`` is ``{model name: {"input": per 1M tokens,
    "output": per 1M tokens}}``. A model absent from the table costs 0 (listed by
    ``usage_metrics`` as unpriced).
    """
    total = 0.0
    for role, u in usage.items():
        price = prices.get(models.get(role, ""), None)
        if not price:
            continue
        total += u.get("input_tokens", 0) * float(price.get("input", 0)) / 1e6
        total += u.get("output_tokens", 0) * float(price.get("output", 0)) / 1e6
    return total


def usage_metrics(rows: Sequence[Mapping], prices: Mapping[str, Mapping] | None = None) -> dict:
    """Calls, tokens and (optionally) cost per query, from result rows carrying ``usage``
    (``{role: {calls, failed_calls, input_tokens, output_tokens}}``), ``models`` and
    ``n_pairs``."""
    n = len(rows)
    calls = [sum(u.get("calls", 0) for u in r.get("usage", {}).values()) for r in rows]
    failed = sum(sum(u.get("failed_calls", 0) for u in r.get("usage", {}).values()) for r in rows)
    tokens_in = sum(
        sum(u.get("input_tokens", 0) for u in r.get("usage", {}).values()) for r in rows
    )
    tokens_out = sum(
        sum(u.get("output_tokens", 0) for u in r.get("usage", {}).values()) for r in rows
    )
    by_role: dict[str, int] = {}
    for r in rows:
        for role, u in r.get("usage", {}).items():
            by_role[role] = by_role.get(role, 0) + u.get("calls", 0)
    n_pairs = sum(r.get("n_pairs", 0) for r in rows)
    prober_calls = by_role.get("prober", 0)
    out = {
        "queries": n,
        "calls_total": sum(calls),
        "failed_calls": failed,
        "calls_per_query": {
            "mean": rate(sum(calls), n),
            "p50": percentile(calls, 50),
            "p90": percentile(calls, 90),
            "max": max(calls) if calls else None,
        },
        "calls_per_query_by_role": {k: v / n for k, v in sorted(by_role.items())} if n else {},
        "prober_calls_per_pair": rate(prober_calls, n_pairs),
        "calls_per_pair": rate(sum(calls), n_pairs),
        "input_tokens_per_query": rate(tokens_in, n),
        "output_tokens_per_query": rate(tokens_out, n),
    }
    if prices is not None:
        costs = [cost_of(r.get("usage", {}), r.get("models", {}), prices) for r in rows]
        unpriced = sorted(
            {m for r in rows for m in r.get("models", {}).values() if m and m not in prices}
        )
        out["cost_total"] = sum(costs)
        out["cost_per_query"] = rate(sum(costs), n)
        out["unpriced_models"] = unpriced
    return out
