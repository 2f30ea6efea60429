"""Public API: options, validation, event-loop behaviour, ask_many ordering."""

from __future__ import annotations

import asyncio

import pytest

from pipeline import aask, ask, ask_many
from pipeline.api import aask_many, plan_probes
from pipeline.context import Budget, Context, OptionError
from pipeline.schemas import Report


def test_ask_returns_report():
    report = ask("warfarin and ibuprofen")
    assert isinstance(report, Report)
    assert report.policy == "recall" and report.seed == 0
    assert report.trace is None


def test_trace_option_records_every_probe():
    report = ask("warfarin and ibuprofen", trace=True, probe_listed=True)
    assert report.trace
    assert len(report.trace) == sum(p.votes.total for p in report.pairs)
    assert all(t.prompt_hash and t.model == "reference-kb" for t in report.trace)


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"polcy": "recall"}, "polcy"),
        ({"policy": "best"}, "policy"),
        ({"k": 0}, "k"),
        ({"min_confidence": 2}, "min_confidence"),
        ({"budget": {"calls": 3}}, "budget"),
        ({"budget": {"calls_per_pair": 0}}, "calls_per_pair"),
        ({"models": {"judge": None}}, "models"),
        ({"models": {"prober": "sim:nope"}}, "models.prober"),
        ({"templates": ["direct", "odd"]}, "templates"),
        ({"concurrency": 0}, "concurrency"),
    ],
)
def test_bad_options_name_the_option(options, needle):
    with pytest.raises(OptionError, match=needle):
        ask("warfarin and ibuprofen", **options)


def test_option_error_is_value_error():
    assert issubclass(OptionError, ValueError)


def test_budget_forms():
    assert Budget.coerce(50).calls_per_query == 50
    assert Budget.coerce({"calls_per_pair": 4}).calls_per_pair == 4
    assert Context(budget={"calls_per_query": 9}).budget.calls_per_query == 9


def test_model_specs_and_policy_options():
    report = ask(
        "warfarin and ibuprofen",
        models={"prober": "sim:noisy?seed=1"},
        policy="k_of_n",
        k=2,
        seed=1,
    )
    assert report.models["prober"].startswith("sim")
    assert report.models["evaluator"] == "reference-kb"
    assert report.policy == "k_of_n" and report.seed == 1


def test_ask_inside_running_loop_raises_clear_error():
    async def inner():
        with pytest.raises(RuntimeError, match="aask"):
            ask("warfarin and ibuprofen")
        return await aask("warfarin and ibuprofen")

    assert asyncio.run(inner()).verdict == "interaction"


def test_ask_many_preserves_order():
    queries = ["amoxicillin and paracetamol", "warfarin and ibuprofen", ["warfarin"]]
    reports = ask_many(queries, concurrency=2)
    assert [r.verdict for r in reports] == ["no_known_interaction", "interaction", "needs_review"]
    assert [r.query for r in reports] == queries


def test_aask_many_bad_concurrency():
    with pytest.raises(OptionError, match="concurrency"):
        asyncio.run(aask_many(["warfarin and ibuprofen"], concurrency=0))


def test_bad_query_type():
    with pytest.raises(OptionError, match="query"):
        ask(42)  # type: ignore[arg-type]


def test_plan_probes_calls_no_model():
    from pipeline.models._doubles import KeyedModel

    model = KeyedModel({})
    plan = plan_probes(
        ["warfarin", "ibuprofen", "aspirin"],
        models={r: model for r in ("extractor", "prober", "evaluator")},
        probe_listed=True,
    )
    assert plan["pairs"] == 3 and plan["planned_probes"] == 36
    assert model.call_count == 0


def test_response_cache_serves_repeat_queries():
    from pipeline.cache import ResponseCache

    cache = ResponseCache(None)
    first = ask("warfarin and ibuprofen", cache=cache, probe_listed=True)
    second = ask("warfarin and ibuprofen", cache=cache, probe_listed=True)
    assert first.usage.by_role["prober"].calls > 0
    assert second.usage.by_role["prober"].calls == 0  # every probe answered from the cache
    assert [p.verdict for p in first.pairs] == [p.verdict for p in second.pairs]


def test_model_of_wrong_type_is_option_error():
    with pytest.raises(OptionError, match="models.prober"):
        ask("warfarin and ibuprofen", models={"prober": 3})


def test_a_pair_the_profiles_cover_and_nothing_links_is_no_known_interaction():
    """Cetirizine + ibuprofen: outside the thesaurus, the reference prober answers
    "unknown"; the pharmacology profiles cover both and share no mechanism, so the
    sources decide (not proof of safety, and the answer says so)."""
    r = ask("cetirizine and ibuprofen")
    assert r.verdict == "no_known_interaction"
    assert r.pairs[0].verdict == "no_evidence"
    assert "not proof of safety" in r.answer


def test_a_pair_an_evaluator_doubts_is_never_worded_as_nothing_found():
    """Lisinopril + tizanidine share a blood-pressure effect below the rules' threshold:
    class_effects does not sign off, and the pair is reported and worded as unresolved."""
    r = ask("lisinopril and tizanidine")
    assert r.verdict == "needs_review"
    assert r.pairs[0].verdict == "unresolved"
    assert "no interaction found" not in r.answer
    assert any("both lower blood pressure" in x for x in r.review_reasons)
