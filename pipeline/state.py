"""Graph state of the cascade and the records that flow through it.

Lists that several tasks write to in one step (probe results, model mentions, call usage)
use an ``operator.add`` reducer; evaluator results are merged by evaluator name (a later
round replaces an earlier one). Everything else is written by exactly one node per step.
Pairs are unordered and always stored as ``(a, b)`` with ``a < b`` (drug keys); dict keys
use `pair_key` ("a|b").
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from pipeline.evidence import PairEvidence
from pipeline.schemas import (
    Evaluation,
    Evidence,
    MatchKind,
    PairVerdict,
    ProbeVerdict,
    Report,
    Severity,
    UnresolvedMention,
    Votes,
)

__all__ = [
    "CallRecord",
    "checked_pairs",
    "co_ingredients",
    "DrugEntry",
    "InputState",
    "MentionRecord",
    "NameVariant",
    "OutputState",
    "PairOutcome",
    "Probe",
    "ProbeResult",
    "ProbeTask",
    "State",
    "merge_evaluations",
    "pair_key",
    "sorted_pair",
]


def sorted_pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def co_ingredients(a: DrugEntry, b: DrugEntry) -> bool:
    """Both drugs come from one combination product the user named ("Paxlovid" ->
    nirmatrelvir + ritonavir): the product is the intended combination, so the pair is
    not a drug-drug interaction question."""
    return a.match_kind == b.match_kind == "product" and bool(set(a.mentions) & set(b.mentions))


def checked_pairs(drugs: Sequence[DrugEntry]) -> list[tuple[str, str]]:
    """Every unordered pair of distinct drugs of the query, sorted, except co-ingredients
    of one product (the pairs every node and evaluator must answer)."""
    by_key = {d.key: d for d in drugs}
    keys = sorted(by_key)
    return [
        (a, b)
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if not co_ingredients(by_key[a], by_key[b])
    ]


def pair_key(pair: tuple[str, str]) -> str:
    a, b = sorted_pair(*pair)
    return f"{a}|{b}"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class MentionRecord(_Record):
    """A drug-like span of the query, from the dictionary, the extractor model or a list."""

    text: str
    source: Literal["dictionary", "model", "list"]
    key: str | None = None  # resolved Drug.key
    match_kind: MatchKind | None = None
    score: float = 0.0
    start: int | None = None
    suggestions: tuple[str, ...] = ()
    reason: str = ""  # why it is unresolved
    ingredients: tuple[str, ...] = ()  # a product's ingredient keys (knowledge is per key)


class DrugEntry(_Record):
    key: str
    name: str
    drug_id: str
    match_kind: MatchKind
    score: float
    mentions: tuple[str, ...]  # every distinct way the query named it, first first
    covered: bool = False
    classes: tuple[str, ...] = ()


class NameVariant(_Record):
    text: str
    kind: str  # canonical | mention | generic | international | brand | salt | synonym | model
    source: str = ""


class Probe(_Record):
    """One planned prober call."""

    pair: tuple[str, str]
    name_a: str  # variant of pair[0]
    name_b: str  # variant of pair[1]
    template: str  # short id: direct | clinician | risks | fewshot
    order: Literal["ab", "ba"] = "ab"  # "ba": pair[1]'s name is sent as drug_a
    role: Literal["prober", "evaluator"] = "prober"  # which role's model answers
    round: int = 0  # 0 = first pass, 1.. = revision rounds
    wave: int = 0
    index: int = 0  # position in the query's probe sequence (stable ordering)
    key: str = ""  # stable cache/dedup key (model id + params + prompt hash + data)

    @property
    def data(self) -> dict[str, str]:
        if self.order == "ab":
            return {"drug_a": self.name_a, "drug_b": self.name_b}
        return {"drug_a": self.name_b, "drug_b": self.name_a}


class ProbeResult(_Record):
    probe: Probe
    verdict: ProbeVerdict | None = None
    error: str | None = None
    model: str = ""
    prompt_hash: str = ""
    cached: bool = False

    @property
    def answer(self) -> str:
        return self.verdict.interacts if self.verdict is not None else "unknown"


class CallRecord(_Record):
    """Usage of one model call (or one cached answer)."""

    role: str
    ok: bool
    attempts: int = 1
    input_tokens: int = 0
    output_tokens: int = 0
    cached: bool = False
    model: str = ""


class PairOutcome(_Record):
    pair: tuple[str, str]
    verdict: PairVerdict
    votes: Votes = Field(default_factory=Votes)
    severity: Severity = "unknown"
    mechanism: str = ""
    summary: str = ""  # short plain-English risk for the answer
    management: str = ""
    evidence: tuple[Evidence, ...] = ()
    confidence: float = 0.0
    source_level: str = ""  # the listing source and its own level
    condition: str = ""  # when the level depends on a condition
    reasons: tuple[str, ...] = ()  # why unresolved, budget notes
    probes: int = 0  # probes answered or failed for this pair


class ProbeTask(TypedDict):
    """Payload of one `Send("probe", ...)`."""

    probe: Probe
    probes: NotRequired[list[Probe]]  # a batch (one pair's probes of a wave), probe first
    deadline_at: NotRequired[float | None]  # the query's deadline (State.deadline_at)


def merge_evaluations(
    left: dict[str, Evaluation] | None, right: dict[str, Evaluation] | None
) -> dict[str, Evaluation]:
    """Reducer: evaluations keyed by evaluator name; a later write replaces an earlier one."""
    out = dict(left or {})
    out.update(right or {})
    return out


class InputState(TypedDict):
    query: str | list[str]


class OutputState(TypedDict, total=False):
    report: Report


class State(TypedDict, total=False):
    query: str | list[str]
    # parse / resolve
    text: str  # the user's text (a list input joined with ", ")
    is_list: bool
    chunks: list[str]
    mentions: Annotated[list[MentionRecord], operator.add]
    drugs: list[DrugEntry]
    unresolved: list[UnresolvedMention]
    notes: Annotated[list[str], operator.add]  # review reasons found along the way
    # expand / plan
    variants: dict[str, list[NameVariant]]
    pairs: list[tuple[str, str]]
    evidence: dict[str, PairEvidence]  # pair key -> what the evidence sources say
    schedule: dict[str, list[Probe]]  # pair key -> remaining candidate probes, best first
    wave: list[Probe]  # probes of the current wave
    wave_no: int
    round: int  # 0 first pass, then revision rounds
    spent: int  # probes issued so far
    deadline_at: float  # wall-clock time (time.time()) when the query's model calls stop
    # probe / aggregate
    results: Annotated[list[ProbeResult], operator.add]
    outcomes: list[PairOutcome]
    # evaluate / gate
    draft: str
    evaluations: Annotated[dict[str, Evaluation], merge_evaluations]
    history: Annotated[list[dict[str, Any]], operator.add]  # one entry per gate decision
    revise_pairs: list[tuple[str, str]]
    calls: Annotated[list[CallRecord], operator.add]
    report: Report
