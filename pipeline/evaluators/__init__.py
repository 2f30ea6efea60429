"""Evaluators: small named checks that must all sign off before a query is answered.

Each one can catch a real error class of a run (a silent negative, an understated
severity, a wrong drug, a dropped mention, an obeyed injection, an unsupported mechanism,
a name-dependent contradiction, a missing pair, a hallucinated interaction): it checks
the run against knowledge the run did not produce (the evidence sources looked up again,
the KB name table and classes, the evaluator model) or against the question itself.
`benchmarks/evaluator_efficacy.py` measures which evaluator catches which class.
Properties the pipeline's own code guarantees (every outcome has an answer line, the
caution is appended, both probe orders are asked, ...) are asserted by tests instead
(tests/evaluators/test_pipeline_invariants.py).

`REGISTRY` maps each evaluator's name to its ``async evaluate(inp, ctx) -> Evaluation``.
The graph adds one node per entry (``eval_<name>``), runs all of them on every query in
parallel and looks the function up at call time, so tests can replace an entry.
"""

from __future__ import annotations

from pipeline.evaluators import (
    _answer_completeness,
    _class_effects,
    _false_negative_hunter,
    _grounding,
    _injection_resistance,
    _interaction_recheck,
    _mechanism_plausibility,
    _mention_coverage,
    _name_resolution,
    _safety_wording,
    _severity_consistency,
    _variant_contradictions,
)
from pipeline.evaluators._base import EvalInput, Evaluator

__all__ = ["EVALUATOR_NAMES", "REGISTRY", "EvalInput", "Evaluator"]

_MODULES = (
    _mention_coverage,
    _name_resolution,
    _variant_contradictions,
    _false_negative_hunter,
    _class_effects,
    _interaction_recheck,
    _mechanism_plausibility,
    _severity_consistency,
    _grounding,
    _answer_completeness,
    _safety_wording,
    _injection_resistance,
)

REGISTRY: dict[str, Evaluator] = {m.NAME: m.evaluate for m in _MODULES}
EVALUATOR_NAMES: tuple[str, ...] = tuple(REGISTRY)
