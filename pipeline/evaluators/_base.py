"""What every evaluator receives, and small shared helpers.

An evaluator is ``async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation``.
It must look only at `inp` (a read-only snapshot of the run) and may call models through
`judge`, which records usage in ``inp.calls``. The graph wraps every evaluator: an
exception becomes ``passed=False`` with the error, so a crash never signs off.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.nodes._common import call_model
from pipeline.nodes._policy import vote
from pipeline.schemas import Evaluation, UnresolvedMention
from pipeline.state import (
    CallRecord,
    DrugEntry,
    MentionRecord,
    NameVariant,
    PairOutcome,
    ProbeResult,
    pair_key,
)

if TYPE_CHECKING:
    from pipeline.context import Context

__all__ = [
    "EvalInput",
    "Evaluator",
    "failure",
    "flagged",
    "judge",
    "judge_problem",
    "pair_names",
]


@dataclass
class EvalInput:
    query: str | list[str]
    text: str
    is_list: bool
    mentions: list[MentionRecord]
    drugs: list[DrugEntry]
    unresolved: list[UnresolvedMention]
    variants: dict[str, list[NameVariant]]
    pairs: list[tuple[str, str]]
    results: list[ProbeResult]
    outcomes: list[PairOutcome]
    draft: str
    notes: list[str]
    round: int = 0
    listed: frozenset[str] = frozenset()  # pair keys an evidence source lists
    deadline_at: float | None = None  # the query's deadline (State.deadline_at)
    calls: list[CallRecord] = field(default_factory=list)
    _by_pair: dict[str, list[ProbeResult]] | None = field(default=None, repr=False)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> EvalInput:
        return cls(
            query=state.get("query", ""),
            text=state.get("text", ""),
            is_list=bool(state.get("is_list", False)),
            mentions=list(state.get("mentions") or []),
            drugs=list(state.get("drugs") or []),
            unresolved=list(state.get("unresolved") or []),
            variants=dict(state.get("variants") or {}),
            pairs=[tuple(p) for p in state.get("pairs") or []],
            results=sorted(
                state.get("results") or [], key=lambda r: (r.probe.round, r.probe.index)
            ),
            outcomes=list(state.get("outcomes") or []),
            draft=state.get("draft", ""),
            notes=list(state.get("notes") or []),
            round=int(state.get("round", 0)),
            listed=frozenset(pk for pk, ev in (state.get("evidence") or {}).items() if ev.listed),
            deadline_at=state.get("deadline_at"),
        )

    def probed_pairs(self, ctx: Context) -> list[tuple[str, str]]:
        """The pairs meant to be probed: all but those an evidence source decided (unless
        ``probe_listed``)."""
        if ctx.probe_listed:
            return list(self.pairs)
        return [p for p in self.pairs if pair_key(p) not in self.listed]

    def names(self) -> dict[str, str]:
        return {d.key: d.name for d in self.drugs}

    def outcome(self, pair: tuple[str, str]) -> PairOutcome | None:
        pk = pair_key(pair)
        return next((o for o in self.outcomes if pair_key(o.pair) == pk), None)

    def results_for(self, pair: tuple[str, str]) -> list[ProbeResult]:
        """The pair's probe results in probe order (grouped once, on first use)."""
        if self._by_pair is None:
            grouped: dict[str, list[ProbeResult]] = {}
            for r in self.results:
                grouped.setdefault(pair_key(r.probe.pair), []).append(r)
            self._by_pair = grouped
        return list(self._by_pair.get(pair_key(pair), ()))

    def yes_results(self, pair: tuple[str, str], min_confidence: float) -> list[ProbeResult]:
        """The pair's probe results that count as a credible yes vote (see `vote`)."""

        return [r for r in self.results_for(pair) if vote(r.verdict, min_confidence) == "yes"]


Evaluator = Callable[[EvalInput, "Context"], Awaitable[Evaluation]]


def pair_names(inp: EvalInput, pair: tuple[str, str]) -> tuple[str, str]:
    names = inp.names()
    return names.get(pair[0], pair[0]), names.get(pair[1], pair[1])


async def judge(inp: EvalInput, ctx: Context, prompt: Any, data: dict[str, Any], **kwargs: Any):
    """Ask the evaluator model; usage is recorded in ``inp.calls``. Returns the CallResult."""

    kwargs.setdefault("deadline", inp.deadline_at)
    result, record = await call_model(ctx, "evaluator", prompt, data, **kwargs)
    inp.calls.append(record)
    return result


def flagged(pairs: Iterable[Any]) -> list[tuple[str, str]]:
    """Sorted, de-duplicated list of pairs for `Evaluation.flagged_pairs`."""
    return sorted({tuple(p) for p in pairs})


def judge_problem(label: str, result: Any) -> str | None:
    """What a judge's answer says is wrong: its failure, or its reason for not passing
    (None when it passed). A failed judge call is a problem, never a sign-off."""
    if result.value is None:
        return f"{label} judge failed: {result.error}"
    if not result.value.passed:
        return f"{label} judge: {result.value.reason}"
    return None


def failure(
    name: str,
    problems: list[str],
    pairs: Iterable[Any] = (),
    *,
    shown: int = 5,
    prefix: str = "",
    model: str = "rule",
    prompt_hash: str | None = None,
) -> Evaluation:
    """A failed evaluation: `prefix` + the first `shown` problems (and how many more), and
    the pairs to revise. `model`/`prompt_hash` name the judge when one was asked."""
    more = len(problems) - shown
    return Evaluation(
        name=name,
        passed=False,
        reason=prefix + "; ".join(problems[:shown]) + (f" (and {more} more)" if more > 0 else ""),
        model=model,
        prompt_hash=prompt_hash,
        flagged_pairs=flagged(pairs),
    )
