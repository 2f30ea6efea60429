"""Compare an eval summary with a stored baseline summary: is recall significantly lower?

Two tests, both one-sided (H1: recall dropped), pure Python:

* **paired sign test** (used whenever both summaries cover the same gold positive pairs):
  each positive pair's detection rate over repeats is compared between the runs; pairs
  that got worse (``b``) and pairs that got better (``c``) are the discordant ones, and
  ``p = P(X >= b | X ~ Binomial(b + c, 1/2))``. Same samples, same pairs: the pair-to-pair
  variation cancels, so this is far more sensitive than comparing two proportions.
* **two-proportion z-test** on pooled detections (fallback when the pair sets differ,
  e.g. across dataset versions).

A regression is flagged only when ``p < alpha`` *and* the recall drop is at least
``min_effect`` (absolute), so noise between repeats with a seeded simulated model does not
fail CI, while a real drop does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "BaselineResult",
    "compare_summaries",
    "sample_diff",
    "sign_test_pvalue",
    "two_proportion_pvalue",
]


def sign_test_pvalue(worse: int, better: int) -> float:
    """One-sided exact sign test: P(X >= worse) for X ~ Binomial(worse + better, 1/2)."""
    n = worse + better
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(worse, n + 1))
    return min(1.0, tail / 2**n)


def _normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def two_proportion_pvalue(x_base: float, n_base: float, x_cur: float, n_cur: float) -> float:
    """One-sided pooled two-proportion z-test of H1: p_cur < p_base."""
    if n_base <= 0 or n_cur <= 0:
        return 1.0
    p_base, p_cur = x_base / n_base, x_cur / n_cur
    pooled = (x_base + x_cur) / (n_base + n_cur)
    var = pooled * (1 - pooled) * (1 / n_base + 1 / n_cur)
    if var <= 0:
        return 0.0 if p_cur < p_base else 1.0
    return _normal_sf((p_base - p_cur) / math.sqrt(var))


@dataclass
class BaselineResult:
    regression: bool
    test: str
    p_value: float
    baseline_recall: float | None
    current_recall: float | None
    drop: float | None
    alpha: float
    min_effect: float
    worse_pairs: int = 0
    better_pairs: int = 0
    shared_pairs: int = 0
    notes: list[str] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def headline(self) -> str:
        def pct(x: float | None) -> str:
            return "n/a" if x is None else f"{100 * x:.1f}%"

        status = "REGRESSION" if self.regression else "ok"
        return (
            f"baseline check: {status}: recall {pct(self.baseline_recall)} -> "
            f"{pct(self.current_recall)} (drop {pct(self.drop)}), {self.test} p={self.p_value:.3g}"
            f" (alpha {self.alpha}, minimum effect {pct(self.min_effect)})"
        )


def _pair_rates(summary: Mapping) -> dict[tuple[str, str], dict]:
    """``{(sample_id, pair): {"interacts", "detected_rate", "flag_rate", ...}}``."""
    out = {}
    for sid, s in (summary.get("samples") or {}).items():
        for pair, p in s.get("pairs", {}).items():
            out[(sid, pair)] = p
    return out


def _recall(summary: Mapping) -> tuple[float | None, float, float]:
    rec = summary.get("pairs", {}).get("recall", {})
    counts = summary.get("pairs", {}).get("counts", {})
    pos = summary.get("pairs", {}).get("positives", 0)
    return rec.get("value"), counts.get("tp", 0), pos


def sample_diff(baseline: Mapping, current: Mapping, eps: float = 1e-9) -> list[dict]:
    """Samples whose outcome changed: positives lost/found, false alarms new/gone, verdicts.

    Each entry: ``{"sample_id", "lost", "found", "new_false_alarms", "cleared_false_alarms",
    "verdict": [before, after] or None}``, lost/found listing ``"pair (rate before -> after)"``.
    """
    base_s, cur_s = baseline.get("samples") or {}, current.get("samples") or {}
    changed = []
    for sid in sorted(set(base_s) & set(cur_s)):
        b, c = base_s[sid], cur_s[sid]
        entry: dict = {
            "sample_id": sid,
            "lost": [],
            "found": [],
            "new_false_alarms": [],
            "cleared_false_alarms": [],
            "verdict": None,
        }
        for pair in sorted(set(b.get("pairs", {})) & set(c.get("pairs", {}))):
            bp, cp = b["pairs"][pair], c["pairs"][pair]
            rb, rc = bp.get("detected_rate", 0.0), cp.get("detected_rate", 0.0)
            text = f"{pair} ({rb:.2f} -> {rc:.2f})"
            if bp.get("interacts"):
                if rc < rb - eps:
                    entry["lost"].append(text)
                elif rc > rb + eps:
                    entry["found"].append(text)
            else:
                if rc > rb + eps:
                    entry["new_false_alarms"].append(text)
                elif rc < rb - eps:
                    entry["cleared_false_alarms"].append(text)
        if b.get("verdict") != c.get("verdict"):
            entry["verdict"] = [b.get("verdict"), c.get("verdict")]
        if (
            any(entry[k] for k in ("lost", "found", "new_false_alarms", "cleared_false_alarms"))
            or (entry["verdict"])
        ):
            changed.append(entry)
    return changed


def compare_summaries(
    baseline: Mapping,
    current: Mapping,
    *,
    alpha: float = 0.05,
    min_effect: float = 0.02,
) -> BaselineResult:
    """Test whether ``current`` recall is significantly below ``baseline`` recall."""
    notes = []
    b_recall, b_tp, b_pos = _recall(baseline)
    c_recall, c_tp, c_pos = _recall(current)
    if baseline.get("suite") != current.get("suite"):
        notes.append(f"suite differs: {baseline.get('suite')} vs {current.get('suite')}")
    if baseline.get("dataset_version") != current.get("dataset_version"):
        notes.append(
            f"dataset version differs: {baseline.get('dataset_version')} vs "
            f"{current.get('dataset_version')}"
        )
    base_rates, cur_rates = _pair_rates(baseline), _pair_rates(current)
    shared = [k for k in base_rates if k in cur_rates and base_rates[k].get("interacts")]
    worse = better = 0
    if shared:
        test = "paired sign test"
        for k in shared:
            rb = base_rates[k].get("detected_rate", 0.0)
            rc = cur_rates[k].get("detected_rate", 0.0)
            if rc < rb - 1e-9:
                worse += 1
            elif rc > rb + 1e-9:
                better += 1
        p_value = sign_test_pvalue(worse, better)
        # recall over the shared pairs, so the effect and the test use the same population
        b_recall = sum(base_rates[k].get("detected_rate", 0.0) for k in shared) / len(shared)
        c_recall = sum(cur_rates[k].get("detected_rate", 0.0) for k in shared) / len(shared)
        missing = sum(1 for k, v in base_rates.items() if v.get("interacts") and k not in cur_rates)
        if missing:
            notes.append(f"{missing} baseline positive pairs absent from this run (not tested)")
    else:
        test = "two-proportion z-test"
        if b_recall is None or c_recall is None:
            notes.append("no positive pairs to compare")
            p_value = 1.0
        else:
            p_value = two_proportion_pvalue(b_tp, b_pos, c_tp, c_pos)
            notes.append("no per-pair outcomes shared with the baseline: unpaired test")
    drop = None if b_recall is None or c_recall is None else b_recall - c_recall
    regression = drop is not None and p_value < alpha and drop >= min_effect
    return BaselineResult(
        regression=regression,
        test=test,
        p_value=p_value,
        baseline_recall=b_recall,
        current_recall=c_recall,
        drop=drop,
        alpha=alpha,
        min_effect=min_effect,
        worse_pairs=worse,
        better_pairs=better,
        shared_pairs=len(shared),
        notes=notes,
        changed=sample_diff(baseline, current),
    )


def format_diff(changed: list[dict], limit: int = 50) -> str:
    """Readable text of `sample_diff` output (at most ``limit`` samples)."""
    if not changed:
        return "no sample changed against the baseline"
    lines = [f"{len(changed)} sample(s) changed against the baseline:"]
    for entry in changed[:limit]:
        parts = []
        if entry["verdict"]:
            parts.append(f"verdict {entry['verdict'][0]} -> {entry['verdict'][1]}")
        for label in ("lost", "found", "new_false_alarms", "cleared_false_alarms"):
            if entry[label]:
                parts.append(f"{label.replace('_', ' ')}: {', '.join(entry[label])}")
        lines.append(f"  {entry['sample_id']}: " + "; ".join(parts))
    if len(changed) > limit:
        lines.append(f"  ... and {len(changed) - limit} more (see report.md)")
    return "\n".join(lines)
