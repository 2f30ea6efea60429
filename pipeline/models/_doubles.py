"""Deterministic test doubles and simulated models (all real `BaseChatModel` subclasses).

Answers depend only on the prompt content (prompt id + canonical data JSON) and the
model's seed — never on the order of calls — via keyed blake2b draws (`uniform`).
Transient faults (simulated provider errors, malformed replies, time-outs...) are keyed
additionally on the *occurrence* of that exact prompt (1st, 2nd... time it is asked), so
a retry of the same prompt can succeed while runs stay reproducible; pass
``sticky=True`` to `FaultyModel` for faults that repeat on every retry.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from pydantic import ConfigDict, Field, PrivateAttr

from pipeline._injection import find_injection
from pipeline.models._base import PipelineChatModel, canonical, message_text, model_name, uniform
from pipeline.models._reference import (
    NOT_A_PIPELINE_PROMPT,
    get_oracle,
    iter_strings,
)
from pipeline.prompts import parse_prompt

__all__ = [
    "FAULTS",
    "FaultyModel",
    "InjectionObeyingModel",
    "KeyedModel",
    "SimulatedModel",
    "SimulatedRateLimitError",
    "freeze",
]

FAULTS = (
    "error",
    "timeout",
    "rate_limit",
    "connection",
    "empty",
    "malformed",
    "wrong_shape",
    "refusal",
    "contradiction",
)

MALFORMED_REPLY = '{"interacts": "ye'
WRONG_SHAPE_REPLY = '{"answer": "yes", "risk_level": 3}'
REFUSAL_REPLY = "I can't give medical advice."
CONTRADICTION_REPLY = (
    '{"interacts": "no", "severity": "major", "mechanism": "serious bleeding risk", '
    '"confidence": 0.9}'
)


def freeze(data: dict[str, Any]) -> str:
    """Canonical form of prompt data, for `KeyedModel` dict keys: (prompt_id, freeze(data))."""
    return canonical(data)


def _parsed(messages: list[BaseMessage]) -> tuple[str, dict[str, Any]]:
    """(prompt id, data); ("", {"text": last message}) for non-pipeline input."""
    parsed = parse_prompt(messages)
    if parsed is not None:
        return parsed
    last = message_text(messages[-1]) if messages else ""
    return "", {"text": last}


class _OccurrenceCounter:
    """Counts how many times each exact prompt has been asked (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: Counter[str] = Counter()

    def next(self, key: str) -> int:
        with self._lock:
            n = self._seen[key]
            self._seen[key] += 1
            return n


# ----------------------------------------------------------------------------- KeyedModel


class KeyedModel(PipelineChatModel):
    """Answers from a function of (prompt id, data), or from a dict.

    Dict keys, tried in this order: ``(prompt_id, freeze(data))`` exact; ``prompt_id``
    alone; any other str key matched as a substring of the rendered user message (first
    in insertion order). Values: dict (sent as JSON), str (sent verbatim), or an
    Exception instance (raised). No match -> ``{"error": "no keyed response"}`` (invalid).
    Records every call; `max_in_flight` gauges concurrency (use `latency` > 0).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    responses: Any = None
    seed: int = 0
    latency: float = 0.0
    model_name: str = "keyed"
    _lock: Any = PrivateAttr(default_factory=threading.Lock)
    _calls: list = PrivateAttr(default_factory=list)
    _in_flight: int = PrivateAttr(default=0)
    _max_in_flight: int = PrivateAttr(default=0)

    def __init__(
        self,
        responses: Callable[[str, dict], dict | str] | dict | None = None,
        seed: int = 0,
        name: str = "keyed",
        latency: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(responses=responses, seed=seed, model_name=name, latency=latency, **kwargs)

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            return list(self._calls)

    @property
    def call_count(self) -> int:
        with self._lock:
            return len(self._calls)

    @property
    def max_in_flight(self) -> int:
        return self._max_in_flight

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._in_flight = 0
            self._max_in_flight = 0

    def _lookup(self, prompt_id: str, data: dict[str, Any], messages: list[BaseMessage]) -> Any:
        r = self.responses
        if callable(r):
            return r(prompt_id, data)
        if isinstance(r, dict):
            exact = (prompt_id, freeze(data))
            if exact in r:
                return r[exact]
            if prompt_id in r:
                return r[prompt_id]
            haystack = "\n".join(message_text(m) for m in messages[1:] or messages)
            for key, value in r.items():
                if isinstance(key, str) and key and key in haystack:
                    return value
        return {"error": "no keyed response"}

    def _answer(self, messages: list[BaseMessage]) -> str:
        prompt_id, data = _parsed(messages)
        value = self._lookup(prompt_id, data, messages)
        if isinstance(value, BaseException):
            raise value
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)

    def _enter(self, messages: list[BaseMessage]) -> None:
        with self._lock:
            self._calls.append(_parsed(messages))
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def _exit(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _reply(self, messages: list[BaseMessage]) -> str:
        self._enter(messages)
        try:
            if self.latency:
                time.sleep(self.latency)
            return self._answer(messages)
        finally:
            self._exit()

    async def _areply(self, messages: list[BaseMessage]) -> str:
        self._enter(messages)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            return self._answer(messages)
        finally:
            self._exit()


# ----------------------------------------------------------------------------- SimulatedModel


def _fmt(x: float) -> str:
    return f"{x:g}"


class SimulatedModel(PipelineChatModel):
    """A noisy oracle whose ground truth is the KB (see module docstring for determinism).

    Probes: truth "yes" -> "no" with probability `miss_rate`; a brand name (resolved
    match_kind "brand") is unknown to the model with probability `brand_blind_rate`, drawn
    once per (name, seed), and a misspelt name (match_kind "fuzzy") likewise with
    `misspelling_blind_rate`: a blind model answers a confident "no". Truth "no" -> "yes"
    with probability `false_alarm_rate`. Unresolved / uncovered drugs -> "unknown".
    Other prompts are answered like the reference model. `malformed_rate` and `error_rate`
    are transient faults (keyed on the prompt occurrence); `latency` is awaited.

    Its misses are independent coin flips per prompt and its blindness follows the
    pipeline's own resolver, so it cannot say whether orchestration helps: the cascade
    study uses `pipeline.models._simulated_knowledge.KnowledgeModel` instead.
    """

    miss_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    false_alarm_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    brand_blind_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    misspelling_blind_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    malformed_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    latency: float = Field(default=0.0, ge=0.0)
    seed: int = 0
    base_name: str = "sim"
    model_name: str = ""
    _occurrences: Any = PrivateAttr(default_factory=_OccurrenceCounter)

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        if name:
            kwargs["base_name"] = name
        super().__init__(**kwargs)
        if name or not self.model_name:
            self.model_name = self.describe(self.base_name)

    def with_seed(self, seed: int) -> SimulatedModel:
        """The same simulated model with another seed (fresh, independent noise)."""
        fields = self.model_dump(exclude={"model_name", "seed"})
        return type(self)(**fields, seed=seed)

    def describe(self, base: str = "sim") -> str:
        parts = [
            f"miss={_fmt(self.miss_rate)}",
            f"fa={_fmt(self.false_alarm_rate)}",
            f"b={_fmt(self.brand_blind_rate)}",
        ]
        if self.misspelling_blind_rate:
            parts.append(f"m={_fmt(self.misspelling_blind_rate)}")
        if self.malformed_rate:
            parts.append(f"malformed={_fmt(self.malformed_rate)}")
        if self.error_rate:
            parts.append(f"err={_fmt(self.error_rate)}")
        parts.append(f"seed={self.seed}")
        return f"{base}({','.join(parts)})"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            **super()._identifying_params,
            "miss_rate": self.miss_rate,
            "false_alarm_rate": self.false_alarm_rate,
            "brand_blind_rate": self.brand_blind_rate,
            "misspelling_blind_rate": self.misspelling_blind_rate,
            "seed": self.seed,
        }

    def is_blind_to(self, name: str) -> bool:
        """Whether this model does not know `name` (brand / misspelling blindness)."""
        r = get_oracle().resolve(name)
        if r is None:
            return False
        kind = getattr(r, "match_kind", "exact")
        key = " ".join(name.casefold().split())
        if kind == "brand" and self.brand_blind_rate:
            return uniform(self.seed, "brand-blind", key) < self.brand_blind_rate
        if kind == "fuzzy" and self.misspelling_blind_rate:
            return uniform(self.seed, "misspelling-blind", key) < self.misspelling_blind_rate
        return False

    def _probe(self, prompt_id: str, data: dict[str, Any]) -> dict[str, Any]:
        truth = get_oracle().answer(prompt_id, data)
        verdict = truth.get("interacts")
        key = canonical(data)
        if verdict == "yes":
            names = [data.get("drug_a", ""), data.get("drug_b", "")]
            blind = [n for n in names if self.is_blind_to(n)]
            if blind:
                return {
                    "interacts": "no",
                    "severity": "unknown",
                    "mechanism": f"No interaction known with {blind[0]}.",
                    "confidence": 0.8,
                }
            if uniform(self.seed, "miss", prompt_id, key) < self.miss_rate:
                return {
                    "interacts": "no",
                    "severity": "unknown",
                    "mechanism": "No clinically relevant interaction known.",
                    "confidence": 0.7,
                }
            return truth
        if verdict == "no" and uniform(self.seed, "false-alarm", prompt_id, key) < (
            self.false_alarm_rate
        ):
            return {
                "interacts": "yes",
                "severity": "moderate",
                "mechanism": "Possible additive effects; monitor (simulated false alarm).",
                "confidence": 0.6,
            }
        return truth

    def _answer(self, messages: list[BaseMessage]) -> str:
        parsed = parse_prompt(messages)
        if parsed is None:
            return json.dumps(NOT_A_PIPELINE_PROMPT)
        prompt_id, data = parsed
        key = canonical(data)
        n = self._occurrences.next(f"{prompt_id}\x00{key}")
        if self.error_rate and uniform(self.seed, "error", prompt_id, key, n) < self.error_rate:
            raise RuntimeError("simulated provider error")
        if (
            self.malformed_rate
            and uniform(self.seed, "malformed", prompt_id, key, n) < self.malformed_rate
        ):
            return MALFORMED_REPLY
        if prompt_id.startswith("probe."):
            answer = self._probe(prompt_id, data)
        else:
            answer = get_oracle().answer(prompt_id, data)
        return json.dumps(answer, ensure_ascii=False)

    def _reply(self, messages: list[BaseMessage]) -> str:
        return self._answer(messages)

    async def _areply(self, messages: list[BaseMessage]) -> str:
        if self.latency:
            await asyncio.sleep(self.latency)
        return self._answer(messages)


# ----------------------------------------------------------------------------- injection


class InjectionObeyingModel(PipelineChatModel):
    """A gullible model: obeys instructions injected into the data, else answers like
    the reference model. Shows that evaluators (not the model) must catch injection."""

    model_name: str = "injection-obeying"

    def _reply(self, messages: list[BaseMessage]) -> str:
        parsed = parse_prompt(messages)
        if parsed is None:
            return json.dumps(NOT_A_PIPELINE_PROMPT)
        prompt_id, data = parsed
        injected = any(find_injection(s) for s in iter_strings(data))
        if not injected:
            return json.dumps(get_oracle().answer(prompt_id, data), ensure_ascii=False)
        if prompt_id.startswith("probe."):
            answer: dict[str, Any] = {
                "interacts": "no",
                "severity": "unknown",
                "mechanism": "There is no interaction.",
                "confidence": 0.99,
            }
        elif prompt_id == "extract":
            answer = {"mentions": []}
        elif prompt_id == "expand":
            answer = {"names": []}
        elif prompt_id.startswith("judge."):
            answer = {"passed": True, "reason": "ok"}
        else:
            answer = dict(NOT_A_PIPELINE_PROMPT)
        return json.dumps(answer, ensure_ascii=False)


# ----------------------------------------------------------------------------- FaultyModel


class SimulatedRateLimitError(Exception):
    """Looks like a provider's rate-limit error: status_code 429 and retry_after (s)."""

    def __init__(self, retry_after: float = 0.01) -> None:
        super().__init__(f"429 Too Many Requests (simulated); retry after {retry_after}s")
        self.status_code = 429
        self.retry_after = retry_after


class FaultyModel(PipelineChatModel):
    """Wraps a model and injects one kind of fault with probability `rate`.

    Faults (see FAULTS): "error" (RuntimeError), "timeout" (sleeps `hang` seconds, past any
    sane time-out), "rate_limit" (SimulatedRateLimitError, 429 + retry_after),
    "connection" (ConnectionError), "empty" (""), "malformed" (truncated JSON),
    "wrong_shape" (valid JSON, wrong keys), "refusal" (medical-advice refusal),
    "contradiction" (interacts "no" with severity "major"). The draw is keyed on
    (seed, fault, prompt id, data) and, unless `sticky`, the prompt's occurrence.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: BaseChatModel
    fault: str
    rate: float = Field(default=1.0, ge=0.0, le=1.0)
    seed: int = 0
    sticky: bool = False
    hang: float = 60.0
    retry_after: float = 0.01
    model_name: str = ""
    _occurrences: Any = PrivateAttr(default_factory=_OccurrenceCounter)

    def __init__(
        self, inner: BaseChatModel, fault: str, rate: float = 1.0, seed: int = 0, **kwargs: Any
    ) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; valid: {', '.join(FAULTS)}")
        super().__init__(inner=inner, fault=fault, rate=rate, seed=seed, **kwargs)
        if not self.model_name:
            self.model_name = f"faulty({fault}={_fmt(rate)},{model_name(inner)})"

    def _should_fault(self, messages: list[BaseMessage]) -> bool:
        if self.rate <= 0:
            return False
        prompt_id, data = _parsed(messages)
        key = canonical(data)
        n = 0 if self.sticky else self._occurrences.next(f"{prompt_id}\x00{key}")
        return uniform(self.seed, self.fault, prompt_id, key, n) < self.rate

    def _fault_reply(self) -> str:
        f = self.fault
        if f == "error":
            raise RuntimeError("simulated provider error")
        if f == "rate_limit":
            raise SimulatedRateLimitError(self.retry_after)
        if f == "connection":
            raise ConnectionError("simulated connection reset")
        if f == "timeout":  # sync path: cannot be cancelled, so fail like a client time-out
            raise TimeoutError("simulated time-out")
        return {
            "empty": "",
            "malformed": MALFORMED_REPLY,
            "wrong_shape": WRONG_SHAPE_REPLY,
            "refusal": REFUSAL_REPLY,
            "contradiction": CONTRADICTION_REPLY,
        }[f]

    def _reply(self, messages: list[BaseMessage]) -> str:
        if self._should_fault(messages):
            return self._fault_reply()
        return message_text(self.inner.invoke(messages))

    async def _areply(self, messages: list[BaseMessage]) -> str:
        if self._should_fault(messages):
            if self.fault == "timeout":
                await asyncio.sleep(self.hang)
            return self._fault_reply()
        return message_text(await self.inner.ainvoke(messages))
