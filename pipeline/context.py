"""Run-time configuration of the cascade: the LangGraph ``context_schema``.

One `Context` per query (``graph.ainvoke(..., context=Context(...))``); nodes receive it
as ``runtime.context``. Every option is validated in ``__post_init__`` and a bad value
raises `OptionError` (a ``ValueError``) whose message names the option, in one line.

Models may be given as `BaseChatModel` instances or as spec strings (``"reference"``,
``"sim:..."``, ``"provider:model"``); they are resolved lazily with
`pipeline.llm.resolve_model`, so a LangGraph server can pass plain JSON context.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from dataclasses import dataclass, field, fields
from typing import Any

from pipeline.evidence._lookup import SOURCE_NAMES
from pipeline.llm import model_name, resolve_model

__all__ = [
    "POLICIES",
    "ROLES",
    "RunBudget",
    "TEMPLATES",
    "Budget",
    "Context",
    "InputTooLongError",
    "InvalidQueryError",
    "OptionError",
    "check_int",
    "check_query",
    "context_from_options",
]

POLICIES = ("recall", "k_of_n", "majority")
ROLES = ("extractor", "prober", "evaluator")
TEMPLATES = ("direct", "clinician", "risks", "fewshot")


class InputTooLongError(ValueError):
    """The question is longer than `MAX_QUERY_CHARS` (or has more than `MAX_LIST_ITEMS`)."""


#: longest question accepted (about 8,000 words): work per query stays bounded
MAX_QUERY_CHARS = 50_000
MAX_LIST_ITEMS = 500


def check_query_size(query: str | list[str]) -> None:
    """Refuse an oversized query up front, with a one-line message."""
    if isinstance(query, str):
        if len(query) > MAX_QUERY_CHARS:
            raise InputTooLongError(
                f"the question is {len(query):,} characters long; the limit is "
                f"{MAX_QUERY_CHARS:,} (split it into several questions)"
            )
        return
    if len(query) > MAX_LIST_ITEMS:
        raise InputTooLongError(f"the list has {len(query)} items; the limit is {MAX_LIST_ITEMS}")
    total = sum(len(q) for q in query)
    if total > MAX_QUERY_CHARS:
        raise InputTooLongError(
            f"the list is {total:,} characters long; the limit is {MAX_QUERY_CHARS:,}"
        )


class OptionError(ValueError):
    """An invalid option; the message names the option."""


class InvalidQueryError(OptionError):
    """The input is not a question: ``query`` must be a string or a list of strings."""


def check_query(query: Any) -> str | list[str]:
    """Validate a query where it enters (the API, and the served graph's first node),
    before any work: its type (`InvalidQueryError`), then its size
    (`InputTooLongError`). A tuple of strings is returned as a list."""
    if isinstance(query, str):
        check_query_size(query)
        return query
    if isinstance(query, list | tuple):
        for i, item in enumerate(query):
            if not isinstance(item, str):
                raise InvalidQueryError(
                    f"query must be a string or a list of strings; item {i} has type "
                    f"{type(item).__name__}"
                )
        check_query_size(list(query))
        return list(query)
    if query is None:
        raise InvalidQueryError(
            'the input needs a "query": a string or a list of strings, '
            'e.g. {"query": "warfarin and ibuprofen"}'
        )
    raise InvalidQueryError(
        f"query must be a string or a list of strings, got {type(query).__name__}"
    )


@dataclass(frozen=True, kw_only=True)
class Budget:
    """Model-call budget of a query. ``calls_per_query`` counts probes and extractor calls
    (text chunks, alternate names); evaluator judges do not count."""

    calls_per_pair: int = 12
    calls_per_query: int = 600
    min_probes_per_pair: int = 2

    def __post_init__(self) -> None:
        for name in ("calls_per_pair", "calls_per_query", "min_probes_per_pair"):
            check_int(f"budget.{name}", getattr(self, name), 1)
        if self.min_probes_per_pair > self.calls_per_pair:
            raise OptionError(
                f"budget.min_probes_per_pair ({self.min_probes_per_pair}) exceeds "
                f"budget.calls_per_pair ({self.calls_per_pair})"
            )

    @classmethod
    def coerce(cls, value: Any) -> Budget:
        """Budget from a Budget, a dict of its fields, or an int (= calls_per_query)."""
        if isinstance(value, Budget):
            return value
        if value is None:
            return cls()
        if isinstance(value, bool):
            raise OptionError(f"budget must be a Budget, a dict or an int, got {value!r}")
        if isinstance(value, int):
            return cls(calls_per_query=value)
        if isinstance(value, dict):
            known = {f.name for f in fields(cls)}
            unknown = sorted(set(value) - known)
            if unknown:
                raise OptionError(
                    f"budget: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})"
                )
            return cls(**value)
        raise OptionError(f"budget must be a Budget, a dict or an int, got {type(value).__name__}")


class RunBudget:
    """A probe budget shared by every query of a run (``ask_many(..., run_budget=N)``).

    Thread- and task-safe counter of prober calls. Queries reserve probes wave by wave;
    once it is spent, the probes still planned are not asked: their pairs end
    ``unresolved`` and the query ``needs_review`` (never ``no_known_interaction``), with
    the reason. Like `Budget`, it counts probes only (not extraction or judges).
    """

    def __init__(self, calls: int) -> None:
        if not isinstance(calls, int) or isinstance(calls, bool) or calls < 0:
            raise OptionError(f"run_budget must be an integer >= 0, got {calls!r}")
        self.total = calls
        self._used = 0
        self._lock = threading.Lock()

    @property
    def used(self) -> int:
        return self._used

    @property
    def remaining(self) -> int:
        with self._lock:
            return self.total - self._used

    def take(self, n: int) -> int:
        """Reserve up to `n` probes; returns how many were granted."""
        with self._lock:
            granted = max(0, min(n, self.total - self._used))
            self._used += granted
            return granted

    @classmethod
    def coerce(cls, value: Any) -> RunBudget | None:
        if value is None or isinstance(value, RunBudget):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        raise OptionError(f"run_budget must be an integer or a RunBudget, got {value!r}")

    def __repr__(self) -> str:
        return f"RunBudget({self.total}, used={self._used})"


def check_int(name: str, value: Any, minimum: int, maximum: int | None = None) -> None:
    """Raise `OptionError` naming the option unless `value` is an int in its bounds."""
    high = OPTION_MAXIMA.get(name) if maximum is None else maximum
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise OptionError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if high is not None and value > high:
        raise OptionError(f"{name} must be an integer <= {high}, got {value!r}")


#: upper bounds of the integer options: every caller (including a served graph's clients)
#: gets bounded work
OPTION_MAXIMA: dict[str, int] = {
    "k": 100,
    "synonyms_per_drug": 20,
    "wave_size": 64,
    "revision_rounds": 5,
    "concurrency": 256,
    "call_concurrency": 256,
    "seed": 2**31 - 1,
    "retries": 10,
    "max_drugs": 200,
    "chunk_chars": 20_000,
    "budget.calls_per_pair": 200,
    "budget.calls_per_query": 20_000,
    "budget.min_probes_per_pair": 200,
}
MAX_TIMEOUT = 600.0  # seconds per model call attempt
MAX_DEADLINE = 3600.0  # seconds per query


def _check_seconds(name: str, value: Any, maximum: float) -> None:
    """Raise `OptionError` unless `value` is a number of seconds in (0, maximum]."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value <= maximum  # NaN fails this too
    ):
        raise OptionError(f"{name} must be a number of seconds in (0, {maximum:g}], got {value!r}")


def _check_fraction(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise OptionError(f"{name} must be a number between 0 and 1, got {value!r}")


_RESOLVE_LOCK = threading.Lock()


class CallLimiter:
    """Bounds the model calls in flight (probes, extraction, judges) of one query, or of a
    whole ``ask_many`` run when shared. Holds one `asyncio.Semaphore` per event loop, so
    a Context can be reused across ``asyncio.run`` calls."""

    def __init__(self, limit: int) -> None:
        check_int("concurrency", limit, 1)
        self.limit = limit
        self._lock = threading.Lock()
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._by_loop = weakref.WeakKeyDictionary()

    def slot(self) -> asyncio.Semaphore:
        """The semaphore of the running loop (``async with limiter.slot(): ...``)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            sem = self._by_loop.get(loop)
            if sem is None:
                sem = self._by_loop[loop] = asyncio.Semaphore(self.limit)
            return sem

    def __repr__(self) -> str:
        return f"CallLimiter({self.limit})"


@dataclass(kw_only=True, frozen=True)
class Context:
    """Options of one run of the cascade (all have safe defaults: reference model, recall).

    Immutable, as LangGraph intends runtime context to be: options are validated and
    normalised once, models resolved once; per-query state lives in the graph state and
    shared counters (`RunBudget`, `CallLimiter`) are objects the context only refers to.
    """

    models: dict[str, Any] = field(default_factory=dict)
    """role -> BaseChatModel | spec string | None (None: reference model "reference-kb")."""
    policy: str = "recall"
    """Pair aggregation: "recall" (any credible yes), "k_of_n" (>= k yes), "majority"."""
    k: int = 2
    """Yes votes needed under the k_of_n policy."""
    min_confidence: float = 0.3
    """A yes vote counts only with at least this confidence."""
    max_unknown_fraction: float = 0.5
    """A pair with more unknown answers than this fraction ends unresolved."""
    budget: Budget = field(default_factory=Budget)
    run_budget: RunBudget | None = None
    """Probe budget shared with other queries of the run (set by ``ask_many``)."""
    synonyms_per_drug: int = 3
    """Name variants per drug besides the canonical name."""
    templates: tuple[str, ...] = TEMPLATES
    adaptive: bool = True
    """Probe in waves and stop probing pairs whose verdict can no longer change."""
    wave_size: int = 4
    """Probes per open pair and wave (adaptive mode)."""
    revision_rounds: int = 1
    evidence: bool = True
    """Consult the evidence sources. Off only to study the models alone (the cascade
    study): pairs are then decided by the probes' votes."""
    sources: tuple[str, ...] = SOURCE_NAMES
    """The evidence sources to consult, by name (``ansm``, ``pharm``, ``onc``, ``us-hp``;
    a comma-separated string is accepted). Fewer only to measure what a source adds."""
    probe_listed: bool = False
    """Also probe pairs that an evidence source lists (to compare models); they interact
    whatever the probes say."""
    concurrency: int = 16
    """Maximum model calls in flight (also the run's max_concurrency)."""
    seed: int = 0
    retries: int = 2
    """Retries of a failed model call (time-out, error, invalid answer)."""
    timeout: float = 30.0
    """Seconds allowed for one model call attempt."""
    deadline: float = 600.0
    """Seconds allowed for the whole query: model calls stop when it passes, and pairs
    left unanswered are "needs review" (never "no interaction")."""
    backoff: float = 0.05
    """Base back-off in seconds between retries (doubles per attempt, with jitter; a
    rate limit's retry-after is honoured when longer)."""
    cache: Any = None
    """pipeline.cache.ResponseCache or None."""
    extract_with_model: bool = True
    """Also extract mentions with the extractor model (merged with the dictionary)."""
    expand_with_model: bool = False
    """Ask the extractor model for alternate names (kept only if they resolve back)."""
    max_drugs: int = 30
    chunk_chars: int = 1500
    """Long text is sent to the extractor in chunks of about this many characters."""
    trace: bool = False
    call_limiter: CallLimiter | None = field(default=None, repr=False, compare=False)
    """Shared limiter of model calls (``ask_many(call_concurrency=N)``); None: one per
    context, of ``concurrency`` calls."""

    _resolved: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        models = self.models
        if models is None:
            models = {}
        if not isinstance(models, dict):
            raise OptionError(
                f"models must be a dict of role -> model, got {type(models).__name__}"
            )
        for role in models:
            if role not in ROLES:
                raise OptionError(f"models: unknown role {role!r} (roles: {', '.join(ROLES)})")
        object.__setattr__(self, "models", dict(models))
        if self.policy not in POLICIES:
            raise OptionError(f"policy must be one of {', '.join(POLICIES)}, got {self.policy!r}")
        check_int("k", self.k, 1)
        _check_fraction("min_confidence", self.min_confidence)
        _check_fraction("max_unknown_fraction", self.max_unknown_fraction)
        object.__setattr__(self, "budget", Budget.coerce(self.budget))
        object.__setattr__(self, "run_budget", RunBudget.coerce(self.run_budget))
        check_int("synonyms_per_drug", self.synonyms_per_drug, 0)
        templates = self.templates
        if isinstance(templates, str):
            templates = tuple(t.strip() for t in templates.split(",") if t.strip())
        templates = tuple(t.removeprefix("probe.") for t in templates)
        object.__setattr__(self, "templates", templates)
        if not self.templates:
            raise OptionError("templates must name at least one probe template")
        for t in self.templates:
            if t not in TEMPLATES:
                raise OptionError(
                    f"templates: unknown template {t!r} (known: {', '.join(TEMPLATES)})"
                )
        if len(set(self.templates)) != len(self.templates):
            raise OptionError("templates must not repeat a template")
        sources = self.sources
        if isinstance(sources, str):
            sources = tuple(t.strip() for t in sources.split(",") if t.strip())
        if not isinstance(sources, tuple | list) or not sources:
            raise OptionError("sources must name at least one evidence source")
        unknown = [x for x in sources if x not in SOURCE_NAMES]
        if unknown or len(set(sources)) != len(sources):
            raise OptionError(
                f"sources: unknown or repeated source in {list(sources)!r} "
                f"(known: {', '.join(SOURCE_NAMES)})"
            )
        object.__setattr__(self, "sources", tuple(sources))
        check_int("wave_size", self.wave_size, 1)
        check_int("revision_rounds", self.revision_rounds, 0)
        check_int("concurrency", self.concurrency, 1)
        if self.call_limiter is None:
            object.__setattr__(self, "call_limiter", CallLimiter(self.concurrency))
        elif not isinstance(self.call_limiter, CallLimiter):
            raise OptionError(
                f"call_limiter must be a pipeline.context.CallLimiter, got "
                f"{type(self.call_limiter).__name__}"
            )
        check_int("seed", self.seed, 0)
        check_int("retries", self.retries, 0)
        check_int("max_drugs", self.max_drugs, 2)
        check_int("chunk_chars", self.chunk_chars, 200)
        _check_seconds("timeout", self.timeout, MAX_TIMEOUT)
        _check_seconds("deadline", self.deadline, MAX_DEADLINE)
        if (
            isinstance(self.backoff, bool)
            or not isinstance(self.backoff, int | float)
            or not 0 <= self.backoff <= 60
        ):
            raise OptionError(
                f"backoff must be a number of seconds in [0, 60], got {self.backoff!r}"
            )
        for name in (
            "adaptive",
            "extract_with_model",
            "expand_with_model",
            "trace",
            "probe_listed",
            "evidence",
        ):
            if not isinstance(getattr(self, name), bool):
                raise OptionError(f"{name} must be true or false, got {getattr(self, name)!r}")

    # ------------------------------------------------------------------ helpers
    def model(self, role: str):
        """The resolved chat model of a role (resolved once, when first asked for)."""
        if role not in ROLES:
            raise OptionError(f"unknown model role {role!r}")
        with _RESOLVE_LOCK:
            if role not in self._resolved:
                try:
                    self._resolved[role] = resolve_model(self.models.get(role))
                except OptionError:
                    raise
                except (ValueError, KeyError, ImportError, TypeError) as exc:
                    raise OptionError(f"models.{role}: {exc}") from exc
            return self._resolved[role]

    def model_label(self, role: str) -> str:

        return model_name(self.model(role))

    def resolve_models(self) -> None:
        """Resolve every role now (so that a bad model spec fails before the run)."""
        for role in ROLES:
            self.model(role)

    def limiter(self) -> asyncio.Semaphore:
        """The semaphore bounding this query's model calls on the running loop."""
        return self.call_limiter.slot()  # type: ignore[union-attr] - set in __post_init__


_FIELD_NAMES = tuple(f.name for f in fields(Context) if f.init)


def context_from_options(options: dict[str, Any]) -> Context:
    """Build a Context from ``ask(**options)``; unknown options raise OptionError."""
    unknown = sorted(set(options) - set(_FIELD_NAMES))
    if unknown:
        raise OptionError(
            f"unknown option {unknown[0]!r} (known: {', '.join(sorted(_FIELD_NAMES))})"
        )
    return Context(**options)
