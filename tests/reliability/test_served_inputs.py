"""Malformed input to the graph itself (what `langgraph dev` / LangGraph's server hand to
it from an untrusted caller) is rejected in the first step, before the KB is loaded and
before any model call, with one clear error; invalid options fail before the graph runs."""

from __future__ import annotations

import asyncio

import pytest

import pipeline.names._resolver as resolver
from pipeline import ask
from pipeline.context import (
    MAX_QUERY_CHARS,
    Context,
    InputTooLongError,
    InvalidQueryError,
    OptionError,
)
from pipeline.graph import graph
from pipeline.models._doubles import KeyedModel

BAD = [
    (5, InvalidQueryError, "got int"),
    (None, InvalidQueryError, 'needs a "query"'),
    ({"a": 1}, InvalidQueryError, "got dict"),
    (["warfarin", 3], InvalidQueryError, "item 1 has type int"),
    (b"warfarin and aspirin", InvalidQueryError, "got bytes"),
    ("x" * 2_000_000, InputTooLongError, f"the limit is {MAX_QUERY_CHARS:,}"),
    (["warfarin"] * 501, InputTooLongError, "the limit is 500"),
    (["a" * 30_000, "b" * 30_000], InputTooLongError, "the limit is"),
]


@pytest.mark.parametrize(("query", "error", "needle"), BAD)
def test_malformed_served_input_fails_in_the_first_step(monkeypatch, query, error, needle):
    loads: list[int] = []
    real = resolver.aprepare_default

    async def counting_prepare(*a, **k):
        loads.append(1)
        return await real(*a, **k)

    monkeypatch.setattr(resolver, "aprepare_default", counting_prepare)
    model = KeyedModel({})
    ctx = Context(models={"extractor": model, "prober": model, "evaluator": model})
    started: list[str] = []

    async def run():
        async for event in graph.astream({"query": query}, context=ctx, stream_mode="tasks"):
            if "input" in event:
                started.append(event["name"])

    with pytest.raises(error, match=needle):
        asyncio.run(run())
    assert started == ["parse"]  # nothing after the first node ran
    assert loads == []  # rejected before the KB load
    assert model.call_count == 0


def test_missing_query_key_is_a_clear_error():
    with pytest.raises(InvalidQueryError, match='needs a "query"'):
        asyncio.run(graph.ainvoke({}, context=Context()))


@pytest.mark.parametrize(("query", "error", "needle"), BAD[:5])
def test_api_rejects_the_same_inputs_up_front(query, error, needle):
    with pytest.raises(error, match=needle):
        ask(query)
    assert issubclass(InvalidQueryError, OptionError)  # `ddi` maps it to exit 2


def test_served_caller_cannot_set_the_deadline_through_the_input():
    # only `query` is an input channel: a caller's "deadline_at" is dropped, not obeyed
    out = asyncio.run(
        graph.ainvoke({"query": "warfarin and ibuprofen", "deadline_at": 1.0}, context=Context())
    )
    assert out["report"].verdict == "interaction"


@pytest.mark.parametrize(
    "context",
    [{"deadline": 3601}, {"deadline": float("nan")}, {"deadline": 0}, {"retries": 10**9}],
)
def test_served_run_options_are_bounded_before_the_graph_runs(context):
    # the server passes the run's JSON context; it is validated when the run starts
    with pytest.raises(OptionError):
        asyncio.run(graph.ainvoke({"query": "warfarin and ibuprofen"}, context=context))


def test_served_run_is_bounded_by_its_deadline():
    # the JSON context a server client sends: a slow prober, a 1 s deadline
    context = {
        "deadline": 1,
        "models": {"prober": "sim:perfect?latency=0.5"},
        "concurrency": 1,
        "timeout": 5,
        "retries": 0,
    }
    out = asyncio.run(
        graph.ainvoke(
            {"query": "Is amoxicillin fine with paracetamol and cetirizine?"},
            context=context,
            config={"max_concurrency": 1},
        )
    )
    report = out["report"]
    assert report.verdict == "needs_review"
    assert any(p.verdict == "unresolved" for p in report.pairs)
    assert "deadline" in " ".join(report.review_reasons).lower(), report.review_reasons
