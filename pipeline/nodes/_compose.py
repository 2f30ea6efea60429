"""compose: the public `Report` (verdict, pairs, evaluations, answer, models, usage, trace).

Query verdict: ``interaction`` if any pair interacts (review reasons still listed);
``no_known_interaction`` only if every pair is no_evidence, nothing is unresolved, no
review note was raised and every evaluator signed off; otherwise ``needs_review``.

A no_evidence pair that an evaluator which did not sign off flagged is reported (and
worded in the answer) as unresolved: the report never says "nothing found" for a pair
its own checks doubt.
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from pipeline._answer import did_you_mean, draft_answer, final_answer
from pipeline.context import Context
from pipeline.evaluators import EVALUATOR_NAMES
from pipeline.kb._text import normalise
from pipeline.llm import UsageMeter
from pipeline.nodes._gate import failed_evaluations, flagged_by
from pipeline.schemas import DrugReport, Evaluation, GateRound, PairReport, ProbeTrace, Report
from pipeline.state import PairOutcome, State

__all__ = ["compose", "query_verdict"]

REFERENCE_NAME = "reference-kb"


def query_verdict(
    pair_verdicts: list[str], *, signed_off: bool, unresolved_mentions: int, notes: int
) -> str:
    if "interacts" in pair_verdicts:
        return "interaction"
    if (
        pair_verdicts
        and all(v == "no_evidence" for v in pair_verdicts)
        and signed_off
        and unresolved_mentions == 0
        and notes == 0
    ):
        return "no_known_interaction"
    return "needs_review"


def doubted_outcomes(
    outcomes: list[PairOutcome], failed: list[Evaluation]
) -> tuple[list[PairOutcome], bool]:
    """The outcomes with every no_evidence pair a failed evaluator flagged made
    unresolved (the evaluator named as the reason), and whether any changed."""
    flagged = flagged_by(failed)
    out, changed = [], False
    for o in outcomes:
        names = flagged.get(o.pair)
        if o.verdict == "no_evidence" and names:
            why = f"flagged by the {', '.join(names)} evaluator{'s' if len(names) > 1 else ''}"
            o = o.model_copy(update={"verdict": "unresolved", "confidence": 0.0, "reasons": (why,)})
            changed = True
        out.append(o)
    return out, changed


def _usage(calls):

    meter = UsageMeter()
    for c in calls:
        meter.add(
            c.role,
            calls=c.attempts,
            failed_calls=0 if c.ok else 1,
            input_tokens=c.input_tokens,
            output_tokens=c.output_tokens,
        )
    return meter.usage()


async def compose(state: State, runtime: Runtime[Context]) -> dict:

    ctx = runtime.context
    drugs = state.get("drugs") or []
    outcomes = sorted(state.get("outcomes") or [], key=lambda o: o.pair)
    unresolved = state.get("unresolved") or []
    results = sorted(state.get("results") or [], key=lambda r: (r.probe.round, r.probe.index))
    notes = list(dict.fromkeys(state.get("notes") or []))
    evaluations = state.get("evaluations") or {}
    failed = failed_evaluations(state)
    outcomes, doubted = doubted_outcomes(outcomes, failed)
    draft = state.get("draft", "")
    if doubted:
        draft = draft_answer(drugs, outcomes, unresolved)

    verdict = query_verdict(
        [o.verdict for o in outcomes],
        signed_off=not failed,
        unresolved_mentions=len(unresolved),
        notes=len(notes),
    )
    reasons: list[str] = list(notes)
    for u in unresolved:
        reasons.append(f"unresolved mention {u.mention!r}: {u.reason}{did_you_mean(u.suggestions)}")
    for o in outcomes:
        if o.verdict == "unresolved":
            why = "; ".join(o.reasons) or "inconclusive probes"
            reasons.append(f"pair {o.pair[0]} + {o.pair[1]} unresolved: {why}")
    for ev in failed:
        reasons.append(f"evaluator {ev.name} did not sign off: {ev.reason}")
    history = state.get("history") or []
    revised = [h for h in history if h.get("revise_pairs")]
    if revised and (failed or verdict != "no_known_interaction"):
        pairs = ", ".join("+".join(p) for h in revised for p in h["revise_pairs"])
        reasons.append(f"a revision round re-probed {pairs}")
    reasons = list(dict.fromkeys(reasons))

    names_used: dict[str, list[str]] = {}  # per drug, first spelling of each name, in order
    seen_norms: dict[str, set[str]] = {}
    for r in results:
        a, b = r.probe.pair
        for key, name in ((a, r.probe.name_a), (b, r.probe.name_b)):
            norm = normalise(name)
            seen = seen_norms.setdefault(key, set())
            if norm not in seen:
                seen.add(norm)
                names_used.setdefault(key, []).append(name)
    drug_reports = [
        DrugReport(
            mention=d.mentions[0] if d.mentions else d.name,
            canonical=d.key,
            drug_id=d.drug_id,
            match_kind=d.match_kind,
            score=d.score,
            synonyms_used=names_used.get(d.key, []),
            mentions=list(d.mentions),
        )
        for d in drugs
    ]
    pair_reports = [
        PairReport(
            drug_a=o.pair[0],
            drug_b=o.pair[1],
            verdict=o.verdict,
            severity=o.severity,
            mechanism=o.mechanism,
            management=o.management,
            source_level=o.source_level,
            condition=o.condition,
            evidence=list(o.evidence),
            votes=o.votes,
            confidence=o.confidence,
        )
        for o in outcomes
    ]
    ordered_evals = [
        evaluations.get(n) or Evaluation(name=n, passed=False, reason="did not report")
        for n in EVALUATOR_NAMES
    ]
    ordered_evals += [ev for n, ev in sorted(evaluations.items()) if n not in EVALUATOR_NAMES]
    trace = None
    if ctx.trace:
        trace = [
            ProbeTrace(
                pair=r.probe.pair,
                name_a=r.probe.name_a,
                name_b=r.probe.name_b,
                template=r.probe.template,
                prompt_hash=r.prompt_hash,
                model=r.model,
                round=r.probe.round,
                order=r.probe.order,
                role=r.probe.role,
                cached=r.cached,
                verdict=r.verdict,
                error=r.error,
            )
            for r in results
        ]
    models = {role: ctx.model_label(role) for role in ("extractor", "prober", "evaluator")}
    report = Report(
        query=state["query"],
        verdict=verdict,
        drugs=drug_reports,
        unresolved=list(unresolved),
        pairs=pair_reports,
        evaluations=ordered_evals,
        review_reasons=reasons,
        answer=final_answer(draft, verdict, outcomes, reasons),
        usage=_usage(state.get("calls") or []),
        models=models,
        policy=ctx.policy,
        seed=ctx.seed,
        gate=[
            GateRound(
                round=h["round"],
                failed=list(h.get("failed") or []),
                revised_pairs=[tuple(p) for p in h.get("revise_pairs") or []],
            )
            for h in history
        ],
        trace=trace,
    )
    return {"report": report}
