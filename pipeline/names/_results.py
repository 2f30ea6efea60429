"""Pydantic models returned by the name layer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pipeline.schemas import MatchKind

__all__ = ["Mention", "Resolution", "ResolvedDrug", "Suggestion", "Synonym"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Suggestion(_Frozen):
    """One "did you mean" entry: a KB name close to the mention, and the drug it names."""

    name: str  # the KB name that matched (as spelled in the KB)
    key: str  # Drug.key it belongs to
    score: float = Field(ge=0.0, le=100.0)


class ResolvedDrug(_Frozen):
    """A mention resolved to one KB drug."""

    mention: str  # what the user wrote (stripped)
    key: str  # Drug.key, e.g. "warfarin"
    name: str  # display name, e.g. "Warfarin"
    drug_id: str  # DrugBank id or "kb:<key>"
    match_kind: MatchKind
    matched_name: str  # the KB name that matched
    score: float = Field(ge=0.0, le=100.0)  # 100 for exact/normalised matches
    kind: str = "drug"  # drug | food | herbal | other
    covered: bool = False  # has interaction data in the KB
    suggestions: tuple[Suggestion, ...] = ()  # other drugs it could mean (ambiguous / fuzzy)


class Resolution(_Frozen):
    """Result of `lookup`: the resolved drug, if any, and ranked alternatives."""

    mention: str
    drug: ResolvedDrug | None = None
    suggestions: list[Suggestion] = Field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return self.drug is not None


class Mention(_Frozen):
    """A drug-like span found in free text; `text == source[start:end]`."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    drug: ResolvedDrug | None = None
    suggestions: list[Suggestion] = Field(default_factory=list)  # when drug is None
    # KB keys knowledge is asked about (a product's ingredients; else the drug's key)
    ingredients: tuple[str, ...] = ()
    reason: str = ""  # why it was read this way (a reviewed entry) or why it is unresolved

    @property
    def resolved(self) -> bool:
        return self.drug is not None


class Synonym(_Frozen):
    """An alternate name of a drug, ranked by how likely a model knows the drug by it."""

    text: str
    kind: str  # generic | international | brand | salt | synonym
    source: str  # drug-ner | unii | ansm | lexicon
    rank: int = Field(ge=0)
