"""call_structured, JSON extraction, model specs and usage metering (no KB needed)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from pipeline._replies import extract_json
from pipeline.cache import ResponseCache
from pipeline.llm import (
    CallResult,
    ModelSpecError,
    ProviderNotInstalledError,
    UsageMeter,
    cache_key,
    call_structured,
    model_name,
    model_params,
    probe_consistency_check,
    resolve_model,
)
from pipeline.models._doubles import FaultyModel, KeyedModel, SimulatedModel
from pipeline.models._reference import ReferenceModel
from pipeline.prompts import EXTRACT, PROBE_TEMPLATES
from pipeline.schemas import ProbeVerdict, Usage

PROBE = PROBE_TEMPLATES["probe.direct"]
PAIR = {"drug_a": "Coumadin", "drug_b": "Advil"}
YES = {"interacts": "yes", "severity": "major", "mechanism": "bleeding", "confidence": 0.9}


def keyed(**kwargs: Any) -> KeyedModel:
    return KeyedModel({"probe.direct": YES, "extract": {"mentions": [{"text": "x"}]}}, **kwargs)


def sequence_model(replies: list[Any]) -> KeyedModel:
    """Replies from a list in call order (order-dependent on purpose: retry tests only)."""
    lock = threading.Lock()
    it = iter(replies)

    def respond(prompt_id: str, data: dict) -> Any:
        with lock:
            return next(it)

    return KeyedModel(respond, name="sequence")


class BareModel(BaseChatModel):
    """A provider-like model without usage metadata."""

    reply: str = json.dumps(YES)

    @property
    def _llm_type(self) -> str:
        return "bare"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self.reply))])


# --------------------------------------------------------------------------- extract_json

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
    max_leaves=10,
)
json_objects = st.dictionaries(st.text(max_size=10), json_values, max_size=5)
prose = st.text(
    alphabet=st.characters(blacklist_characters="{}`", blacklist_categories=("Cs",)),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(
    obj=json_objects,
    before=prose,
    after=prose,
    style=st.sampled_from(["bare", "fence", "fence-json", "inline"]),
    indent=st.sampled_from([None, 2]),
    ascii_only=st.booleans(),
)
def test_extract_json_recovers_embedded_object(obj, before, after, style, indent, ascii_only):
    body = json.dumps(obj, indent=indent, ensure_ascii=ascii_only)
    if style == "bare":
        text = body
    elif style == "fence":
        text = f"{before}\n```\n{body}\n```\n{after}"
    elif style == "fence-json":
        text = f"{before}\n```json\n{body}\n```{after}"
    else:
        text = f"{before} {body} {after}"
    assert extract_json(text) == obj


@pytest.mark.parametrize(
    "text,expected",
    [
        ("", None),
        ("   ", None),
        ("no json here", None),
        ('{"interacts": "ye', None),
        ("[1, 2]", None),
        ('Sure! {"a": 1} and {"b": 2}', {"a": 1}),
        ('{"a": "}"} trailing', {"a": "}"}),
        ('prose {not json} then {"a": {"b": [1, {"c": 2}]}}', {"a": {"b": [1, {"c": 2}]}}),
    ],
)
def test_extract_json_cases(text, expected):
    assert extract_json(text) == expected


# --------------------------------------------------------------------------- call_structured


async def test_success_and_usage():
    meter = UsageMeter()
    res = await call_structured(keyed(), PROBE, PAIR, role="prober", meter=meter)
    assert isinstance(res, CallResult) and res.ok
    assert res.value == ProbeVerdict(**YES)
    assert (res.attempts, res.cached, res.error) == (1, False, None)
    assert res.model == "keyed" and res.prompt_hash == PROBE.hash and len(res.key) == 64
    assert res.input_tokens > 0 and res.output_tokens > 0
    usage = meter.usage()
    assert isinstance(usage, Usage)
    assert usage.by_role["prober"].calls == 1
    assert usage.by_role["prober"].failed_calls == 0
    assert usage.by_role["prober"].input_tokens == res.input_tokens


async def test_retry_then_success():
    model = sequence_model(["garbage", {"interacts": "banana"}, YES])
    meter = UsageMeter()
    res = await call_structured(model, PROBE, PAIR, role="prober", backoff=0.001, meter=meter)
    assert res.ok and res.attempts == 3 and model.call_count == 3
    assert meter.usage().by_role["prober"].calls == 3
    assert meter.usage().by_role["prober"].failed_calls == 0


@pytest.mark.parametrize("retries", [0, 1, 3])
async def test_always_malformed_fails_after_retries(retries):
    model = FaultyModel(keyed(), "malformed", 1.0)
    res = await call_structured(model, PROBE, PAIR, role="prober", retries=retries, backoff=0)
    assert not res.ok and res.value is None
    assert res.attempts == retries + 1
    assert "no JSON object" in res.error


@pytest.mark.parametrize(
    "fault,needle",
    [
        ("error", "simulated provider error"),
        ("connection", "ConnectionError"),
        ("empty", "empty reply"),
        ("wrong_shape", "invalid ProbeVerdict"),
        ("refusal", "refusal"),
    ],
)
async def test_faults_become_failures(fault, needle):
    meter = UsageMeter()
    model = FaultyModel(keyed(), fault, 1.0)
    res = await call_structured(model, PROBE, PAIR, role="prober", backoff=0, meter=meter)
    assert not res.ok and needle in res.error and res.attempts == 3
    assert meter.usage().by_role["prober"].failed_calls == 1


async def test_timeout_is_a_failure():
    model = FaultyModel(keyed(), "timeout", 1.0, hang=30)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    res = await call_structured(model, PROBE, PAIR, role="prober", timeout=0.05, retries=1)
    assert not res.ok and "timeout" in res.error and res.attempts == 2
    assert loop.time() - t0 < 2


async def test_rate_limit_honours_retry_after():
    model = FaultyModel(keyed(), "rate_limit", 1.0, retry_after=0.15)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    res = await call_structured(model, PROBE, PAIR, role="prober", retries=1, backoff=0.001)
    elapsed = loop.time() - t0
    assert not res.ok and "429" in res.error and res.attempts == 2
    assert 0.15 <= elapsed < 2


async def test_transient_rate_limit_recovers():
    # not sticky: each occurrence of the prompt draws anew, so some retry succeeds
    model = FaultyModel(keyed(), "rate_limit", 0.5, seed=3, retry_after=0.001)
    results = await asyncio.gather(
        *(
            call_structured(model, PROBE, {"drug_a": f"d{i}", "drug_b": "x"}, role="p", retries=4)
            for i in range(20)
        )
    )
    assert sum(r.ok for r in results) >= 18
    assert any(r.attempts > 1 for r in results)


async def test_sticky_fault_never_recovers():
    model = FaultyModel(keyed(), "error", 1.0, sticky=True)
    res = await call_structured(model, PROBE, PAIR, role="prober", backoff=0)
    assert not res.ok and res.attempts == 3


async def test_contradiction_check():
    model = FaultyModel(keyed(), "contradiction", 1.0)
    loose = await call_structured(model, PROBE, PAIR, role="prober", backoff=0)
    assert loose.ok and loose.value.interacts == "no"
    strict = await call_structured(
        model, PROBE, PAIR, role="prober", backoff=0, check=probe_consistency_check
    )
    assert not strict.ok and "contradictory" in strict.error and strict.attempts == 3


def test_probe_consistency_check():
    assert probe_consistency_check(ProbeVerdict(interacts="no", severity="major")) is not None
    assert probe_consistency_check(ProbeVerdict(interacts="no")) is None
    assert probe_consistency_check(ProbeVerdict(interacts="yes", severity="minor")) is None


async def test_model_error_reply_is_failure():
    res = await call_structured(keyed(), PROBE_TEMPLATES["probe.risks"], PAIR, role="p", backoff=0)
    assert not res.ok and "no keyed response" in res.error


async def test_cache_hit_makes_no_model_call():
    cache = ResponseCache(None)
    model = keyed()
    meter = UsageMeter()
    first = await call_structured(model, PROBE, PAIR, role="prober", cache=cache, meter=meter)
    second = await call_structured(model, PROBE, PAIR, role="prober", cache=cache, meter=meter)
    assert model.call_count == 1
    assert second.cached and second.attempts == 0 and second.value == first.value
    assert second.key == first.key
    assert meter.usage().by_role["prober"].calls == 1 and meter.cache_hits == {"prober": 1}
    # seed / repeat / data / model are part of the key
    await call_structured(model, PROBE, PAIR, role="prober", cache=cache, repeat=1)
    await call_structured(model, PROBE, PAIR, role="prober", cache=cache, seed=7)
    await call_structured(keyed(name="other"), PROBE, PAIR, role="prober", cache=cache)
    assert model.call_count == 3 and len(cache) == 4


async def test_failures_are_not_cached():
    cache = ResponseCache(None)
    model = FaultyModel(keyed(), "malformed", 1.0, sticky=True)
    res = await call_structured(model, PROBE, PAIR, role="prober", cache=cache, backoff=0)
    assert not res.ok and len(cache) == 0
    good = keyed()
    again = await call_structured(good, PROBE, PAIR, role="prober", cache=cache)
    assert again.ok and not again.cached and good.call_count == 1


async def test_prompt_edit_invalidates_cache():
    cache = ResponseCache(None)
    model = keyed()
    await call_structured(model, PROBE, PAIR, role="prober", cache=cache)
    edited = dataclasses.replace(PROBE, system=PROBE.system + " Be brief.")
    res = await call_structured(model, edited, PAIR, role="prober", cache=cache)
    assert not res.cached and model.call_count == 2
    assert res.prompt_hash != PROBE.hash


async def test_tokens_estimated_without_usage_metadata():
    res = await call_structured(BareModel(), PROBE, PAIR, role="prober")
    assert res.ok and res.model == "BareModel"
    assert res.output_tokens == (len(json.dumps(YES)) + 3) // 4
    assert res.input_tokens > 100


async def test_programming_errors_raise():
    with pytest.raises(TypeError):
        await call_structured(keyed(), PROBE, {"drug_a": object()}, role="prober")
    with pytest.raises(TypeError):
        await call_structured(keyed(), "probe.direct", PAIR, role="prober")  # type: ignore[arg-type]


async def test_concurrent_calls_overlap():
    model = keyed(latency=0.05)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    results = await asyncio.gather(
        *(
            call_structured(model, PROBE, {"drug_a": str(i), "drug_b": "b"}, role="p")
            for i in range(40)
        )
    )
    assert all(r.ok for r in results)
    assert model.max_in_flight == 40
    assert loop.time() - t0 < 1.0


async def test_jitter_is_deterministic():
    # same key -> same schedule: two identical failing runs take about the same time
    async def run() -> float:
        model = FaultyModel(keyed(), "error", 1.0)
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        await call_structured(model, PROBE, PAIR, role="p", retries=2, backoff=0.02)
        return loop.time() - t0

    a, b = await run(), await run()
    assert abs(a - b) < 0.05


# --------------------------------------------------------------------------- model specs


def test_resolve_model_reference_and_passthrough():
    ref = resolve_model(None)
    assert isinstance(ref, ReferenceModel)
    assert resolve_model("reference") is ref and resolve_model(None) is ref
    model = keyed()
    assert resolve_model(model) is model
    assert model_name(ref) == "reference-kb"


def test_resolve_model_sim_specs():
    sim = resolve_model("sim:noisy?miss=0.3&false_alarm=0.05&brand_blind=0.5&seed=1")
    assert isinstance(sim, SimulatedModel)
    assert (sim.miss_rate, sim.false_alarm_rate, sim.brand_blind_rate, sim.seed) == (
        0.3,
        0.05,
        0.5,
        1,
    )
    assert model_name(sim) == "sim-noisy(miss=0.3,fa=0.05,b=0.5,seed=1)"
    assert resolve_model("sim:perfect").miss_rate == 0
    assert isinstance(resolve_model("sim:faulty?fault=timeout&rate=0.5"), FaultyModel)
    assert model_name(resolve_model("sim:injection")) == "injection-obeying"


@pytest.mark.parametrize(
    "spec",
    ["foo:bar", "gpt-4o", "openai:", "sim:unknown", "sim:noisy?zz=1", "sim:noisy?miss=2"],
)
def test_bad_specs_are_one_line_value_errors(spec):
    with pytest.raises(ValueError) as err:
        resolve_model(spec)
    message = str(err.value)
    assert "\n" not in message and spec.split("?")[0].split(":")[0] in message


def test_unknown_provider_lists_valid_ones():
    with pytest.raises(ModelSpecError, match="openai, anthropic, ollama"):
        resolve_model("mistral:large")


@pytest.mark.parametrize(
    "spec,module",
    [
        ("openai:gpt-4o-mini", "langchain_openai"),
        ("anthropic:claude-3-5-haiku-latest", "langchain_anthropic"),
        ("ollama:llama3.1", "langchain_ollama"),
    ],
)
def test_provider_specs(spec, module, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    try:
        __import__(module)
    except ImportError:
        with pytest.raises(ProviderNotInstalledError, match=r"ddi-pipeline\[providers\]"):
            resolve_model(spec)
    else:  # pragma: no cover - only where the providers extra is installed
        model = resolve_model(spec)
        assert model_name(model) == spec.split(":", 1)[1]
        assert model_params(model)["temperature"] == 0


def test_missing_provider_key_is_a_one_line_usage_error(monkeypatch):
    pytest.importorskip("langchain_openai")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ModelSpecError, match="OPENAI_API_KEY") as info:
        resolve_model("openai:gpt-4o-mini")
    assert "\n" not in str(info.value)


def test_model_params():
    assert model_params(BareModel()) == {}
    sim = SimulatedModel(miss_rate=0.1, seed=4)
    params = model_params(sim)
    assert params["miss_rate"] == 0.1 and params["seed"] == 4
    assert cache_key(sim, PROBE, PAIR) != cache_key(SimulatedModel(seed=4), PROBE, PAIR)
    assert cache_key("m", PROBE, PAIR) == cache_key("m", PROBE, dict(reversed(PAIR.items())))


# --------------------------------------------------------------------------- usage meter


def test_usage_meter_threads_and_merge():
    meter = UsageMeter()

    def work() -> None:
        for _ in range(1000):
            meter.add("prober", calls=1, input_tokens=2, output_tokens=1)
            meter.add("evaluator", failed_calls=1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    usage = meter.usage()
    assert usage.by_role["prober"].calls == 4000
    assert usage.by_role["prober"].input_tokens == 8000
    assert usage.by_role["evaluator"].failed_calls == 4000
    assert usage.calls == 4000
    other = UsageMeter()
    other.merge(meter)
    other.merge(usage)
    assert other.usage().by_role["prober"].calls == 8000


async def test_extract_prompt_roundtrip_with_keyed_model():
    res = await call_structured(keyed(), EXTRACT, {"text": "Coumadin and Advil"}, role="ex")
    assert res.ok and [m.text for m in res.value.mentions] == ["x"]


def test_kb_answering_models_key_their_cache_on_the_kb_version():
    from pipeline.kb import load_kb
    from pipeline.llm import model_params, resolve_model

    version = load_kb().version
    assert model_params(resolve_model(None))["kb_version"] == version
    assert model_params(resolve_model("sim:noisy"))["kb_version"] == version
