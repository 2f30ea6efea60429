"""Public data contracts: what models must answer and what the pipeline reports.

Every model answer is parsed into one of the `*Verdict`/`Extracted*` models below and
validated; the `Report` is the stable public output of `ask`/`aask`/`ask_many` and
`ddi ask --json`. Change these only deliberately, with tests and docs together.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["contraindicated", "major", "moderate", "minor", "unknown"]
TriState = Literal["yes", "no", "unknown"]
MatchKind = Literal[
    "exact", "synonym", "brand", "salt", "international", "fuzzy", "product"
]  # product: an ingredient of a combination, formulation or everyday name
PairVerdict = Literal["interacts", "no_evidence", "unresolved"]
QueryVerdict = Literal["interaction", "no_known_interaction", "needs_review"]
Role = Literal["extractor", "prober", "evaluator"]

SEVERITY_ORDER: tuple[str, ...] = ("contraindicated", "major", "moderate", "minor", "unknown")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- model answers


class ProbeVerdict(_Strict):
    """One prober answer about one pair under one pair of names and one template."""

    interacts: TriState = Field(description="yes / no / unknown; unknown is never a no")
    severity: Severity = "unknown"
    mechanism: str = Field(default="", max_length=500)
    confidence: float = Field(default=0.5, ge=0.0, le=1.0)


class ExtractedMention(_Strict):
    text: str = Field(min_length=1, max_length=200)


class ExtractedMentions(_Strict):
    """Extractor answer: the drug, food or herb mentions found in one chunk of user text."""

    mentions: list[ExtractedMention] = Field(default_factory=list, max_length=200)


class AlternateNames(_Strict):
    """Expander answer: other names a drug is known by (kept only if they resolve back)."""

    names: list[str] = Field(default_factory=list, max_length=50)


class JudgeVerdict(_Strict):
    """Model-judged evaluator answer."""

    passed: bool
    reason: str = Field(default="", max_length=1000)


# --------------------------------------------------------------------------- report


class DrugReport(BaseModel):
    mention: str
    canonical: str
    drug_id: str
    match_kind: MatchKind
    score: float
    synonyms_used: list[str] = Field(default_factory=list)
    mentions: list[str] = Field(default_factory=list)  # every way the query named it


class UnresolvedMention(BaseModel):
    mention: str
    reason: str
    suggestions: list[str] = Field(default_factory=list)


class Votes(BaseModel):
    yes: int = 0
    no: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return self.yes + self.no + self.unknown


class Evidence(BaseModel):
    """One piece of evidence for a pair: a source's listed entry or a model's votes."""

    source: str  # "ansm:ANSM Thésaurus 2020-01" (an evidence source) or "model:<name>"
    detail: str = ""
    # set for evidence-source entries
    edition: str = ""
    level: str = ""  # the source's own level, e.g. "association déconseillée (avoid)"
    severity: Severity = "unknown"  # display severity of the levels that apply to the pair
    severity_least: Severity = "unknown"  # differs when the level depends on a condition
    mechanism: str = ""  # English
    management: str = ""  # English, specific to the pair
    condition: str = ""  # English: when each level applies (conditional entries)
    citation: str = ""
    inferred: bool = False  # True for mechanism-based (not listed) interactions
    original: dict[str, str] = Field(default_factory=dict)  # the source's own text (French)


class PairReport(BaseModel):
    drug_a: str
    drug_b: str
    verdict: PairVerdict
    severity: Severity = "unknown"
    mechanism: str = ""
    management: str = ""
    source_level: str = ""  # e.g. "ANSM Thésaurus 2020-01: association déconseillée (avoid)"
    condition: str = ""  # when the severity depends on a condition (dose, indication, ...)
    evidence: list[Evidence] = Field(default_factory=list)
    votes: Votes = Field(default_factory=Votes)
    confidence: float = 0.0


class Evaluation(BaseModel):
    name: str
    passed: bool
    reason: str = ""
    model: str = "rule"
    prompt_hash: str | None = None
    flagged_pairs: list[tuple[str, str]] = Field(default_factory=list)


class RoleUsage(BaseModel):
    calls: int = 0
    failed_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0


class Usage(BaseModel):
    by_role: dict[str, RoleUsage] = Field(default_factory=dict)

    @property
    def calls(self) -> int:
        return sum(u.calls for u in self.by_role.values())


class ProbeTrace(BaseModel):
    """One probe as asked: `name_a` names `pair[0]`, `name_b` names `pair[1]`; `order` "ba"
    means pair[1]'s name was sent first in the prompt."""

    pair: tuple[str, str]
    name_a: str
    name_b: str
    template: str
    prompt_hash: str
    model: str
    round: int = 0
    order: Literal["ab", "ba"] = "ab"
    role: Role = "prober"
    cached: bool = False
    verdict: ProbeVerdict | None = None
    error: str | None = None


class GateRound(BaseModel):
    """One gate decision: which evaluators had not signed off, and which pairs were re-probed."""

    round: int
    failed: list[str] = Field(default_factory=list)
    revised_pairs: list[tuple[str, str]] = Field(default_factory=list)


class Report(BaseModel):
    """The pipeline's answer to one query. Field meanings are documented in README.md."""

    query: str | list[str]
    verdict: QueryVerdict
    drugs: list[DrugReport] = Field(default_factory=list)
    unresolved: list[UnresolvedMention] = Field(default_factory=list)
    pairs: list[PairReport] = Field(default_factory=list)
    evaluations: list[Evaluation] = Field(default_factory=list)
    review_reasons: list[str] = Field(default_factory=list)
    answer: str = ""
    usage: Usage = Field(default_factory=Usage)
    models: dict[str, str] = Field(default_factory=dict)
    policy: str = "recall"
    seed: int = 0
    gate: list[GateRound] = Field(default_factory=list)
    trace: list[ProbeTrace] | None = None
