"""Faults end in `unknown` / `unresolved` / `needs_review` with a reason, never a silent
negative: retries, back-off, time-outs, caching, and a fast subset of the fault matrix
(benchmarks/fault_matrix.py publishes the full one in RELIABILITY.md)."""

from __future__ import annotations

import asyncio
import time

import pytest
from reliability_support import FAST, INTERACTING, QUIET, assert_safe, faulty

from pipeline import ask
from pipeline.cache import ResponseCache
from pipeline.evaluators import EVALUATOR_NAMES, REGISTRY
from pipeline.llm import MAX_RETRY_AFTER, call_structured, reference_model
from pipeline.models._doubles import FAULTS, KeyedModel
from pipeline.prompts import PROBE_TEMPLATES

PROBE = PROBE_TEMPLATES["probe.direct"]
DATA = {"drug_a": "warfarin", "drug_b": "ibuprofen"}


# --------------------------------------------------------------------- call level


async def test_backoff_is_bounded_exponential_with_jitter(monkeypatch):
    delays: list[float] = []

    async def fake_sleep(d):
        delays.append(d)

    monkeypatch.setattr("pipeline.llm._calls.asyncio.sleep", fake_sleep)
    res = await call_structured(
        faulty("error"), PROBE, DATA, role="prober", retries=4, backoff=0.1, timeout=1
    )
    assert not res.ok and res.attempts == 5 and "after 5 attempts" in res.error
    assert len(delays) == 4  # no sleep after the last attempt
    for k, d in enumerate(delays):
        assert 0.1 * 2**k * 0.5 <= d < 0.1 * 2**k * 1.5  # base * 2^k * jitter in [0.5, 1.5)
    assert len({d / 2**k for k, d in enumerate(delays)}) > 1  # jitter actually varies


async def test_rate_limit_retry_after_is_honoured_and_capped(monkeypatch):
    delays: list[float] = []

    async def fake_sleep(d):
        delays.append(d)

    monkeypatch.setattr("pipeline.llm._calls.asyncio.sleep", fake_sleep)
    slow = faulty("rate_limit", retry_after=1e6)  # a hostile retry-after
    res = await call_structured(slow, PROBE, DATA, role="prober", retries=2, backoff=0.001)
    assert not res.ok and "429" in res.error
    assert delays == [MAX_RETRY_AFTER, MAX_RETRY_AFTER]


async def test_per_call_timeout_bounds_wall_time():
    started = time.perf_counter()
    res = await call_structured(
        faulty("timeout"), PROBE, DATA, role="prober", retries=2, timeout=0.05, backoff=0.001
    )
    assert not res.ok and res.error.startswith("timeout after 0.05s") and res.attempts == 3
    assert time.perf_counter() - started < 1.0  # the model hangs for 30 s


def test_backoff_option_reaches_every_call(monkeypatch):
    seen: list[float] = []
    real = call_structured

    async def spy(*args, **kwargs):
        seen.append(kwargs["backoff"])
        return await real(*args, **kwargs)

    monkeypatch.setattr("pipeline.nodes._common.call_structured", spy)
    ask("amoxicillin and paracetamol", backoff=0.003)
    assert seen and set(seen) == {0.003}


@pytest.mark.parametrize("bad", [-1, "x", True, 61])
def test_backoff_option_is_validated(bad):
    from pipeline.context import OptionError

    with pytest.raises(OptionError, match="^backoff must be"):
        ask("warfarin and ibuprofen", backoff=bad)


@pytest.mark.parametrize("fault", FAULTS)
async def test_nothing_cached_from_failed_calls(fault):
    cache = ResponseCache(None)
    res = await call_structured(
        faulty(fault, sticky=True), PROBE, DATA, role="prober", retries=1, timeout=0.05,
        backoff=0.001, cache=cache, check=__import__("pipeline.llm").llm.probe_consistency_check,
    )  # fmt: skip
    assert not res.ok
    assert len(cache) == 0


def test_cache_after_faulty_run_holds_only_valid_answers():
    """A run with half the answers faulty caches only the valid, consistent ones; a
    re-run from that cache with a fault-free model gives the fault-free report."""
    from pipeline.llm import probe_consistency_check
    from pipeline.schemas import ProbeVerdict

    cache = ResponseCache(None)
    for fault in ("contradiction", "wrong_shape", "malformed"):
        model = faulty(fault, 0.5, sticky=True, model_name="shared-name")
        ask(
            "warfarin and ibuprofen",
            models={"prober": model},
            cache=cache,
            **FAST,
            probe_listed=True,
        )
    probe_rows = [cache.get(k) for k in list(cache._memory) if "interacts" in (cache.get(k) or {})]
    assert probe_rows
    for row in probe_rows:
        assert probe_consistency_check(ProbeVerdict.model_validate(row)) is None


# --------------------------------------------------------------------- graph level


def test_probe_failures_are_unknown_and_too_many_make_the_pair_unresolved():
    """Only the 'direct' template answers ("no"); every other probe fails: the pair has
    more unknowns than max_unknown_fraction and must be unresolved, not no_evidence."""
    no = {"interacts": "no", "severity": "unknown", "mechanism": "none", "confidence": 0.9}

    def answers(prompt_id, data):
        if prompt_id == "probe.direct":
            return no
        if prompt_id.startswith("probe."):
            raise RuntimeError("provider down")
        return {"passed": True, "reason": "ok"}

    prober = KeyedModel(answers, name="half-broken")
    report = ask(["amoxicillin", "paracetamol"], models={"prober": prober}, **FAST)
    (pair,) = report.pairs
    assert pair.verdict == "unresolved"
    assert pair.votes.unknown > pair.votes.no  # failures became unknown, never "no"
    assert report.verdict == "needs_review"
    assert any("gave no usable answer" in r for r in report.review_reasons)


@pytest.mark.parametrize("query", QUIET)
def test_extractor_failure_is_a_review_reason(query):
    """Regression: a failed extractor call used to be dropped silently, so a drug only
    the model would have found was never checked and the answer was no_known_interaction."""
    report = ask(query, models={"extractor": faulty("error")}, **FAST)
    assert report.verdict == "needs_review"
    assert any(r.startswith("the extractor model failed on part 1") for r in report.review_reasons)


def test_expand_failure_is_a_review_reason():
    report = ask(
        "amoxicillin and paracetamol",
        models={"extractor": faulty("malformed")},
        expand_with_model=True,
        extract_with_model=False,
        **FAST,
    )
    assert report.verdict == "needs_review"
    assert any("failed to list other names" in r for r in report.review_reasons)


@pytest.mark.parametrize("query", QUIET + INTERACTING[:1])
def test_failing_evaluator_model_names_the_evaluators(query):
    report = ask(query, models={"evaluator": faulty("refusal")}, **FAST)
    assert report.verdict != "no_known_interaction"
    failed = {e.name for e in report.evaluations if not e.passed}
    assert {"safety_wording", "injection_resistance"} <= failed
    assert any("safety judge failed: refusal" in r for r in report.review_reasons)
    assert [e.name for e in report.evaluations] == list(EVALUATOR_NAMES)


def test_evaluator_that_returns_garbage_did_not_sign_off(monkeypatch):
    async def garbage(inp, ctx):
        return {"passed": True}  # not an Evaluation

    monkeypatch.setitem(REGISTRY, "class_effects", garbage)
    report = ask("amoxicillin and paracetamol")
    assert report.verdict == "needs_review"
    assert any(
        "evaluator class_effects did not sign off: evaluator crashed: TypeError" in r
        for r in report.review_reasons
    )


def test_evaluator_that_hangs_is_bounded_by_the_call_timeout():
    started = time.perf_counter()
    report = ask("amoxicillin and paracetamol", models={"evaluator": faulty("timeout")}, **FAST)
    assert report.verdict == "needs_review"
    assert time.perf_counter() - started < 10


# --------------------------------------------------------------------- matrix (subset)

MATRIX_QUERIES = (QUIET[0], INTERACTING[0])
FAULT_FREE = {QUIET[0]: "no_known_interaction", INTERACTING[0]: "interaction"}


@pytest.mark.parametrize("role", ["extractor", "prober", "evaluator"])
@pytest.mark.parametrize("fault", FAULTS)
def test_fault_matrix_always_failing(fault, role):
    """Every fault kind on every role at rate 1: no silent negative, reasons given; an
    interaction stays an interaction when only the extractor or evaluator fails."""
    from pipeline import ask_many

    reports = ask_many(MATRIX_QUERIES, models={role: faulty(fault)}, **FAST, probe_listed=True)
    for query, report in zip(MATRIX_QUERIES, reports, strict=True):
        assert_safe(report, FAULT_FREE[query])
        if query in QUIET:
            assert report.verdict == "needs_review", (fault, role)
        elif role != "prober":
            assert report.verdict == "interaction", (fault, role)
        else:  # no probe answered, but the listed interaction still stands
            assert report.verdict == "interaction"
            assert report.pairs[0].votes.yes == 0


@pytest.mark.parametrize("role", ["extractor", "prober", "evaluator"])
@pytest.mark.parametrize("fault", ["error", "malformed", "contradiction", "rate_limit"])
def test_fault_matrix_sticky_partial(fault, role):
    """30% of prompts fail on every retry: answers may degrade to needs_review only."""
    from pipeline import ask_many

    reports = ask_many(MATRIX_QUERIES, models={role: faulty(fault, 0.3, sticky=True)}, **FAST)
    for query, report in zip(MATRIX_QUERIES, reports, strict=True):
        assert_safe(report, FAULT_FREE[query])
        assert report.verdict in (FAULT_FREE[query], "needs_review")


def test_cancellation_is_not_swallowed():
    """Ctrl-C / task cancellation propagates out of a model call (not turned into unknown)."""

    async def go():
        task = asyncio.ensure_future(
            call_structured(faulty("timeout"), PROBE, DATA, role="prober", timeout=20)
        )
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(go())


def test_reference_is_shared_and_unharmed_by_wrappers():
    assert faulty("error").inner is reference_model()
