"""Typed options of `ask`, `aask`, `ask_many` and `plan_probes`: the fields of
`pipeline.context.Context`, so an editor completes them and a type checker checks them.
Values are validated (with bounds) when the Context is built; a test keeps this list and
the Context fields identical."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal, TypedDict

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from pipeline.cache import ResponseCache
    from pipeline.context import Budget, CallLimiter, Context, RunBudget

__all__ = ["AskManyOptions", "AskOptions"]

Role = Literal["extractor", "prober", "evaluator"]


class AskManyOptions(TypedDict, total=False):
    """Keyword options of every query of an ``ask_many`` run (see `pipeline.context.Context`
    for meanings); ``concurrency`` and ``run_budget`` are ``ask_many``'s own arguments."""

    context: Context
    models: Mapping[Role, BaseChatModel | str | None]
    policy: Literal["recall", "k_of_n", "majority"]
    k: int
    min_confidence: float
    max_unknown_fraction: float
    budget: Budget | Mapping[str, int] | int
    synonyms_per_drug: int
    templates: Sequence[str] | str
    adaptive: bool
    wave_size: int
    revision_rounds: int
    evidence: bool
    sources: Sequence[str] | str
    probe_listed: bool
    seed: int
    retries: int
    timeout: float
    deadline: float
    backoff: float
    cache: ResponseCache | None
    extract_with_model: bool
    expand_with_model: bool
    max_drugs: int
    chunk_chars: int
    trace: bool
    call_limiter: CallLimiter | None


class AskOptions(AskManyOptions, total=False):
    """Keyword options of one run (see `pipeline.context.Context` for meanings)."""

    concurrency: int
    run_budget: RunBudget | int | None


def option_names() -> frozenset[str]:
    """The option names (for the test that they match the Context's fields)."""
    return frozenset(AskOptions.__annotations__) - {"context"}
