"""Issue 16, items 6-7: time-outs that bound the call, a real per-query deadline, and
hostile replies (deeply nested, multi-megabyte) that fail one call, never the query."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from pipeline import ask
from pipeline.context import Context, OptionError
from pipeline.llm import call_structured
from pipeline.models._doubles import KeyedModel
from pipeline.prompts import EXTRACT, PROBE_TEMPLATES

PROBE = PROBE_TEMPLATES["probe.direct"]
PAIR = {"drug_a": "warfarin", "drug_b": "fluconazole"}
YES = json.dumps({"interacts": "yes", "severity": "major", "mechanism": "x", "confidence": 0.9})


class SleepySyncModel(BaseChatModel):
    """A provider-like model with only the sync API, sleeping on every call."""

    seconds: float = 5.0

    @property
    def _llm_type(self) -> str:
        return "sleepy-sync"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        time.sleep(self.seconds)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=YES))])


class StubbornModel(BaseChatModel):
    """An async model that swallows cancellation and keeps going."""

    seconds: float = 5.0

    @property
    def _llm_type(self) -> str:
        return "stubborn"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):  # pragma: no cover
        raise NotImplementedError

    async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):
        end = time.monotonic() + self.seconds
        while time.monotonic() < end:
            try:
                await asyncio.sleep(0.05)
            except asyncio.CancelledError:
                continue  # ignores being cancelled
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=YES))])


@pytest.mark.parametrize("model", [SleepySyncModel(), StubbornModel()], ids=["sync", "stubborn"])
async def test_timeout_bounds_every_kind_of_model(model):
    started = time.monotonic()
    res = await call_structured(model, PROBE, PAIR, role="prober", retries=1, timeout=0.3)
    elapsed = time.monotonic() - started
    assert not res.ok and "timeout" in res.error and res.attempts == 2
    assert elapsed < 1.5, elapsed


def test_sync_model_does_not_hold_ask_after_its_timeout():
    started = time.monotonic()
    report = ask(
        ["warfarin", "fluconazole"],
        models={"prober": SleepySyncModel(seconds=4)},
        probe_listed=True,
        timeout=0.3,
        retries=0,
    )
    assert time.monotonic() - started < 3.5  # not the model's 4 s per call
    assert report.pairs[0].verdict == "interacts"  # listed: evidence decides regardless


def test_the_query_deadline_is_real():
    no = {"interacts": "no", "severity": "unknown", "mechanism": "", "confidence": 0.9}
    slow = KeyedModel(lambda prompt_id, data: no, latency=0.5)
    started = time.monotonic()
    report = ask(
        "Is amoxicillin fine with paracetamol and cetirizine?",
        models={"prober": slow},
        deadline=1.0,
        timeout=5,
        retries=0,
        concurrency=1,
    )
    assert time.monotonic() - started < 6
    assert report.verdict == "needs_review"
    assert any(p.verdict == "unresolved" for p in report.pairs)
    assert "deadline" in " ".join(report.review_reasons).lower(), report.review_reasons


@pytest.mark.parametrize("bad", [float("nan"), 0, -1, 1e9, True, "10"])
def test_deadline_option_is_bounded(bad):
    with pytest.raises(OptionError, match="deadline"):
        Context(deadline=bad)


async def test_deeply_nested_extractor_reply_is_a_failed_call():
    nested = '{"mentions": ' + "[" * 50_000 + "]" * 50_000 + "}"
    model = KeyedModel(lambda prompt_id, data: nested)
    res = await call_structured(model, EXTRACT, {"text": "warfarin"}, role="extractor", retries=0)
    assert not res.ok  # no RecursionError out of call_structured


async def test_multi_megabyte_reply_is_refused_quickly():
    huge = "{" + " " * 2_400_000 + '"interacts": "yes"}'
    model = KeyedModel(lambda prompt_id, data: huge)
    started = time.monotonic()
    res = await call_structured(model, PROBE, PAIR, role="prober", retries=0)
    assert not res.ok and "too long" in res.error
    assert time.monotonic() - started < 2


def test_nested_extractor_reply_does_not_abort_a_query():
    nested = '{"mentions": ' + "[" * 50_000 + "]" * 50_000 + "}"
    report = ask(
        "Can I take warfarin with aspirin?",
        models={"extractor": KeyedModel(lambda prompt_id, data: nested)},
    )
    assert report.verdict in ("interaction", "needs_review")


def test_extractor_calls_count_in_the_query_budget():
    """Issue 16 item 14: a long text costs extractor calls, and they come out of the
    query's budget instead of being free."""
    text = " ".join(f"Note {i}: patient takes warfarin and aspirin daily." for i in range(60))
    report = ask(text, budget={"calls_per_query": 4, "min_probes_per_pair": 1}, chunk_chars=200)
    assert report.usage.by_role["extractor"].calls <= 4
    assert any("extractor model read only the first 4" in r for r in report.review_reasons)
    assert report.verdict != "no_known_interaction"
