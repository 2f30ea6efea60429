"""Shared pieces of the reliability tests: fast fault options, query pool, safety check.

Imported by name (conftest.py puts this folder on sys.path; tests run in importlib mode)."""

from __future__ import annotations

from pipeline.llm import reference_model
from pipeline.models._doubles import FaultyModel

# small retries / time-outs / back-offs: faults must not make the suite slow
FAST = {"retries": 1, "timeout": 0.2, "backoff": 0.001}

INTERACTING = ("warfarin and ibuprofen", "simvastatin with clarithromycin")
QUIET = ("amoxicillin and paracetamol", "metformin and paracetamol")

# (list query, fault-free verdict): pairs drawn by the property tests
POOL = {
    ("warfarin", "ibuprofen"): "interaction",
    ("simvastatin", "clarithromycin"): "interaction",
    ("sertraline", "tramadol"): "interaction",
    ("amoxicillin", "paracetamol"): "no_known_interaction",
    ("omeprazole", "amoxicillin"): "no_known_interaction",
    ("metformin", "paracetamol"): "no_known_interaction",
}
SYNONYMS = {
    "warfarin": "Coumadin",
    "ibuprofen": "Advil",
    "simvastatin": "Zocor",
    "clarithromycin": "Biaxin",
    "amoxicillin": "Amoxil",
    "paracetamol": "Tylenol",
}


def faulty(fault: str, rate: float = 1.0, seed: int = 0, **kwargs) -> FaultyModel:
    """The reference model with one kind of fault (hangs far past FAST's time-out)."""
    return FaultyModel(reference_model(), fault, rate, seed=seed, hang=30.0, **kwargs)


def gap_free(report) -> bool:
    """Every pair answered, every evaluator signed off, no extractor failure, no review
    reason: the only state in which no_known_interaction is allowed."""
    extractor = report.usage.by_role.get("extractor")
    return (
        bool(report.pairs)
        and all(p.verdict == "no_evidence" for p in report.pairs)
        and all(e.passed for e in report.evaluations)
        and not (extractor and extractor.failed_calls)
        and not report.review_reasons
        and not report.unresolved
    )


def assert_safe(report, fault_free_verdict: str | None = None) -> None:
    """No silent negative: no_known_interaction only when gap-free and matching the
    fault-free answer; needs_review always carries a reason."""
    if report.verdict == "no_known_interaction":
        assert gap_free(report), report.review_reasons
        if fault_free_verdict is not None:
            assert fault_free_verdict == "no_known_interaction"
    if report.verdict == "needs_review":
        assert report.review_reasons, "needs_review without a reason"
