"""Pair aggregation: pure policy functions (reused by the eval harness) and the node.

A probe answer becomes one vote: ``yes`` only when the model said yes with at least
``min_confidence``; a low-confidence yes, an "unknown" or a failed call are ``unknown``
votes (never a "no"). Per pair the policy decides:

- ``recall``   — any credible yes -> interacts;
- ``k_of_n``   — at least k yes votes -> interacts;
- ``majority`` — more yes than no votes -> interacts (a tie with yes votes -> unresolved).

A pair that is not positive is ``unresolved`` when it has a credible yes the policy
outvoted (doubt is never turned into "no interaction"), no votes, an unknown fraction
above ``max_unknown_fraction`` or fewer than ``min_answered`` yes/no answers; otherwise
``no_evidence`` ("nothing found", never "safe"). Positive evidence is decided first, so
adding yes votes never turns ``interacts`` into anything else.

With the evidence sources (`summarize_pair`): a listed entry makes the pair ``interacts``;
a pair no exhaustive source could check is never ``no_evidence``; and a pair the sources
checked and found nothing on stays ``no_evidence`` when every probe was answered, none
with a yes, but the models knew nothing ("unknown"): a model's ignorance is not doubt,
while a failed call or an outvoted yes still is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.evidence import PairEvidence
from pipeline.schemas import SEVERITY_ORDER, Evidence, ProbeVerdict, Votes
from pipeline.state import PairOutcome, ProbeResult, pair_key, sorted_pair

if TYPE_CHECKING:
    from pipeline.context import Context

__all__ = [
    "PolicyParams",
    "can_change",
    "decide",
    "guidance",
    "is_positive",
    "most_severe",
    "summarize_pair",
    "tally",
    "vote",
]

_SEV_RANK = {s: i for i, s in enumerate(SEVERITY_ORDER)}


@dataclass(frozen=True)
class PolicyParams:
    policy: str = "recall"
    k: int = 2
    min_confidence: float = 0.3
    max_unknown_fraction: float = 0.5
    min_answered: int = 2

    @classmethod
    def from_context(cls, ctx: Context) -> PolicyParams:
        return cls(
            policy=ctx.policy,
            k=ctx.k,
            min_confidence=ctx.min_confidence,
            max_unknown_fraction=ctx.max_unknown_fraction,
            min_answered=ctx.budget.min_probes_per_pair,
        )


def vote(verdict: ProbeVerdict | None, min_confidence: float) -> str:
    """One probe answer as a vote: "yes" (credible), "no" or "unknown"."""
    if verdict is None:
        return "unknown"
    if verdict.interacts == "yes":
        return "yes" if verdict.confidence >= min_confidence else "unknown"
    return verdict.interacts


def tally(votes: Iterable[str]) -> Votes:
    c = Counter(votes)
    return Votes(yes=c["yes"], no=c["no"], unknown=c["unknown"])


def is_positive(votes: Votes, params: PolicyParams) -> bool:
    if params.policy == "recall":
        return votes.yes >= 1
    if params.policy == "k_of_n":
        return votes.yes >= params.k
    if params.policy == "majority":
        return votes.yes > 0 and votes.yes > votes.no
    raise ValueError(f"unknown policy {params.policy!r}")


def decide(votes: Votes, params: PolicyParams) -> str:
    """Pair verdict from its votes under the policy: interacts / no_evidence / unresolved."""
    if is_positive(votes, params):
        return "interacts"
    if votes.yes:
        return "unresolved"  # an outvoted credible yes: needs review, never "no interaction"
    total = votes.total
    if total == 0:
        return "unresolved"
    if votes.unknown / total > params.max_unknown_fraction:
        return "unresolved"
    if votes.yes + votes.no < params.min_answered:
        return "unresolved"
    return "no_evidence"


@lru_cache(maxsize=4096)
def _can_change(yes: int, no: int, unknown: int, remaining: int, params: PolicyParams) -> bool:
    now = decide(Votes(yes=yes, no=no, unknown=unknown), params)
    for n in range(1, remaining + 1):
        for y in range(n + 1):
            for u in range(n - y + 1):
                later = Votes(yes=yes + y, no=no + n - y - u, unknown=unknown + u)
                if decide(later, params) != now:
                    return True
    return False


def can_change(votes: Votes, remaining: int, params: PolicyParams) -> bool:
    """True if up to `remaining` more votes could change the pair's verdict."""
    if remaining <= 0:
        return False
    if params.policy == "recall" and votes.yes >= 1:
        return False  # decided: recall never un-flags a credible yes
    return _can_change(votes.yes, votes.no, votes.unknown, min(remaining, 24), params)


def most_severe(severities: Iterable[str]) -> str:
    known = [s for s in severities if s in _SEV_RANK and s != "unknown"]
    return min(known, key=_SEV_RANK.__getitem__) if known else "unknown"


_GUIDANCE = {
    "contraindicated": (
        "Do not take these together; ask the prescriber or a pharmacist for an alternative."
    ),
    "major": (
        "Avoid this combination unless a doctor has decided it is needed and arranges monitoring."
    ),
    "moderate": (
        "Take together only on a doctor's or pharmacist's advice; monitoring or a dose "
        "change may be needed."
    ),
    "minor": "Mention the combination to your pharmacist or doctor.",
    "unknown": "Ask a doctor or pharmacist before taking these together.",
}


def guidance(severity: str) -> str:
    """Plain-English management advice for a severity level."""
    return _GUIDANCE.get(severity, _GUIDANCE["unknown"])


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _first_sentence(text: str) -> str:
    """The first sentence of a model mechanism, without a parenthesised source quote."""
    text = " ".join(text.split())
    text = text.split(" (ANSM", 1)[0]
    for stop in (". ", "; "):
        if stop in text:
            text = text.split(stop, 1)[0] + "."
            break
    return text


def _models_lack_knowledge(results: Sequence[ProbeResult]) -> bool:
    """Every probe was answered, none with a yes, and at least one with "unknown".

    A failed call or a missing probe is a fault, not a lack of knowledge: it keeps the
    pair unresolved."""
    return (
        bool(results)
        and all(r.verdict is not None and r.verdict.interacts in ("no", "unknown") for r in results)
        and any(r.verdict is not None and r.verdict.interacts == "unknown" for r in results)
    )


def summarize_pair(
    pair: tuple[str, str],
    results: Sequence[ProbeResult],
    params: PolicyParams,
    evidence: PairEvidence | None = None,
    *,
    reasons: Sequence[str] = (),
) -> PairOutcome:
    """The outcome of one pair from its evidence-source entries and probe results (pure).

    A listed entry makes the pair ``interacts`` whatever the votes; yes votes add to it.
    Without a listed entry, a ``no_evidence`` vote is kept only when every evidence source
    covers both drugs; otherwise the pair is ``unresolved`` with the source's gap."""
    pair = sorted_pair(*pair)
    votes_list = [vote(r.verdict, params.min_confidence) for r in results]
    votes = tally(votes_list)
    verdict = decide(votes, params)
    yes = [
        r for r, v in zip(results, votes_list, strict=True) if v == "yes" and r.verdict is not None
    ]
    listed = list(evidence.entries) if evidence is not None else []
    notes = list(reasons)
    out_evidence: list[Evidence] = []
    if listed:
        verdict = "interacts"
        notes = []  # decided by evidence: budget notes do not make it unresolved
    elif evidence is not None and not evidence.complete:
        if verdict == "no_evidence":
            verdict = "unresolved"
        if verdict == "unresolved":
            notes.extend(evidence.gaps)
    elif evidence is not None and verdict == "unresolved" and _models_lack_knowledge(results):
        # every source that covers both drugs has looked and found nothing; the models
        # answered but knew nothing either way: the sources' silence decides
        verdict = "no_evidence"
        notes.append(
            f"{votes.unknown} of {votes.total} probes had no answer; decided by "
            f"{', '.join(evidence.consulted)}, which cover both drugs and list nothing"
        )

    severity = "unknown"
    summary = ""
    mechanism = ""
    management = ""
    source_level = ""
    condition = ""
    confidence = 0.0
    if verdict == "interacts":
        severity = most_severe([r.verdict.severity for r in yes] + [e.severity for e in listed])
    if yes:
        best = max(yes, key=lambda r: (r.verdict.confidence, -r.probe.index))
        mechanisms = Counter(r.verdict.mechanism.strip() for r in yes if r.verdict.mechanism)
        top_mechanism = (
            max(mechanisms.items(), key=lambda kv: (kv[1], kv[0]))[0] if mechanisms else ""
        )
        mechanism = top_mechanism
        summary = _first_sentence(top_mechanism)
        confidence = best.verdict.confidence
        by_model: dict[str, list[ProbeResult]] = {}
        for r in yes:
            by_model.setdefault(r.model or "model", []).append(r)
        answered = Counter(r.model or "model" for r in results)
        for model, rs in sorted(by_model.items()):
            example = next((r.verdict.mechanism for r in rs if r.verdict.mechanism), "")
            detail = f"{len(rs)} of {answered[model]} probes answered yes"
            if example:
                detail += f"; e.g. {_clip(example, 200)}"
            out_evidence.append(Evidence(source=f"model:{model}", detail=detail))
    if listed:
        top = listed[0]  # most severe first
        mechanism = top.mechanism or mechanism
        summary = _first_sentence(top.mechanism) if top.mechanism else summary
        management = top.management
        source_level = f"{top.source.split(':', 1)[-1]}: {top.level}"
        condition = top.condition
        confidence = max(confidence, 0.95)
        out_evidence = list(listed[:3]) + out_evidence
    if verdict == "interacts" and not management:
        management = guidance(severity)
    elif verdict == "no_evidence":
        no = [
            r.verdict.confidence
            for r, v in zip(results, votes_list, strict=True)
            if v == "no" and r.verdict is not None
        ]
        answered_fraction = (votes.yes + votes.no) / votes.total if votes.total else 0.0
        confidence = (sum(no) / len(no)) * answered_fraction if no else 0.0
    elif verdict == "unresolved":
        confidence = 0.0
        if votes.yes:
            notes.append(
                f"{votes.yes} credible yes of {votes.total} probes, below the {params.policy} "
                "policy's threshold"
            )
        elif votes.total == 0:
            notes.append("no probe answered")
        elif votes.unknown / votes.total > params.max_unknown_fraction:
            notes.append(f"{votes.unknown} of {votes.total} probes gave no usable answer")
        elif votes.yes + votes.no < params.min_answered:
            notes.append(
                f"only {votes.yes + votes.no} answered probes (minimum {params.min_answered})"
            )
    return PairOutcome(
        pair=pair,
        verdict=verdict,
        votes=votes,
        severity=severity,
        mechanism=_clip(mechanism, 800),
        summary=_clip(summary, 240),
        management=_clip(management, 800),
        source_level=source_level,
        condition=_clip(condition, 600),
        evidence=tuple(out_evidence),
        confidence=round(float(confidence), 4),
        reasons=tuple(dict.fromkeys(notes)),
        probes=votes.total,
    )


def group_results(results: Iterable[ProbeResult]) -> dict[str, list[ProbeResult]]:
    out: dict[str, list[ProbeResult]] = {}
    for r in sorted(results, key=lambda r: (r.probe.round, r.probe.index)):
        out.setdefault(pair_key(r.probe.pair), []).append(r)
    return out
