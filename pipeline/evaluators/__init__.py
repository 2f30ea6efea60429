"""Evaluators: small named checks that must all sign off before a query is answered.

`REGISTRY` maps each evaluator's name to its ``async evaluate(inp, ctx) -> Evaluation``.
The graph adds one node per entry (``eval_<name>``), runs all of them on every query in
parallel and looks the function up at call time, so tests can replace an entry.
"""

from __future__ import annotations

from pipeline.evaluators import (
    answer_completeness,
    class_effects,
    duplicate_therapy,
    false_negative_hunter,
    grounding,
    injection_resistance,
    mechanism_plausibility,
    mentions_resolved,
    permutation_completeness,
    safety_wording,
    severity_consistency,
    synonym_coverage,
    variant_contradictions,
)
from pipeline.evaluators.base import EvalInput, Evaluator

__all__ = ["EVALUATOR_NAMES", "REGISTRY", "EvalInput", "Evaluator"]

_MODULES = (
    mentions_resolved,
    synonym_coverage,
    permutation_completeness,
    variant_contradictions,
    false_negative_hunter,
    class_effects,
    mechanism_plausibility,
    severity_consistency,
    duplicate_therapy,
    grounding,
    answer_completeness,
    safety_wording,
    injection_resistance,
)

REGISTRY: dict[str, Evaluator] = {m.NAME: m.evaluate for m in _MODULES}
EVALUATOR_NAMES: tuple[str, ...] = tuple(REGISTRY)
