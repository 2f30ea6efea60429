"""Structured model calls: render a `Prompt`, call the model with a time-out, read the
reply leniently and validate it, retry model faults with deterministic back-off, and read
and write the `ResponseCache`. `call_structured` never raises for model faults, only for
programming errors such as non-JSON data."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel, ValidationError

from pipeline._replies import read_reply
from pipeline.llm._specs import model_params, resolve_model
from pipeline.models._base import PipelineChatModel, estimate_tokens, message_text, model_name
from pipeline.prompts import Prompt, answer_shape, render

if TYPE_CHECKING:
    from pipeline.cache import ResponseCache
    from pipeline.llm._usage import UsageMeter

__all__ = [
    "MAX_RETRY_AFTER",
    "CallResult",
    "cache_key",
    "call_structured",
    "native_structured_output",
    "probe_consistency_check",
]

log = logging.getLogger("pipeline.llm")

MAX_RETRY_AFTER = 60.0


def probe_consistency_check(value: BaseModel) -> str | None:
    """Semantic check for ProbeVerdict: "no" with a real severity is self-contradictory."""
    interacts = getattr(value, "interacts", None)
    severity = getattr(value, "severity", None)
    if interacts == "no" and severity in ("contraindicated", "major", "moderate", "minor"):
        return f"contradictory answer: interacts 'no' with severity {severity!r}"
    return None


@dataclass(frozen=True)
class CallResult:
    """Outcome of one structured call. `value` is None iff the call failed (`error` set).

    attempts = model invocations made (0 for a cache hit); tokens are summed over them.
    """

    value: BaseModel | None
    error: str | None
    attempts: int
    input_tokens: int
    output_tokens: int
    model: str
    prompt_hash: str
    cached: bool
    key: str
    prompt_id: str = ""
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.value is not None


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def cache_key(
    model: BaseChatModel | str,
    prompt: Prompt,
    data: dict[str, Any],
    *,
    seed: int = 0,
    repeat: int = 0,
    params: dict[str, Any] | None = None,
) -> str:
    """sha256 over model name + params + prompt hash + canonical data JSON + seed + repeat."""
    if isinstance(model, str):
        name, params = model, params or {}
    else:
        name = model_name(model)
        params = model_params(model) if params is None else params
    payload = _canonical(
        {
            "model": name,
            "params": params,
            "prompt": prompt.hash,
            "data": data,
            "seed": seed,
            "repeat": repeat,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _retry_after(exc: BaseException) -> float | None:
    value = getattr(exc, "retry_after", None)
    if value is None:
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None)
        if headers is not None:
            try:
                value = headers.get("retry-after")
            except Exception:  # noqa: BLE001 - best effort
                value = None
    try:
        return max(0.0, min(float(value), MAX_RETRY_AFTER)) if value is not None else None
    except (TypeError, ValueError):
        return None


def _usage(message: Any, messages: list[Any], text: str) -> tuple[int, int]:
    usage = getattr(message, "usage_metadata", None)
    if usage:
        try:
            return int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))
        except (TypeError, ValueError, AttributeError):
            pass
    return sum(estimate_tokens(message_text(m)) for m in messages), estimate_tokens(text)


def _jitter(key: str, attempt: int) -> float:
    digest = hashlib.blake2b(f"{key}:{attempt}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


#: provider models that refused native structured output (tool calling) once: their
#: later calls go straight to the text path
_TEXT_ONLY: set[tuple[str, str, str]] = set()
_NATIVE_REFUSED_STATUS = (400, 404, 405, 422, 501)
MAX_QUOTED_REPLY = 2000  # characters of a bad reply quoted back in the repair retry


def _identity(chat: BaseChatModel) -> tuple[str, str, str]:
    base = getattr(chat, "openai_api_base", None) or getattr(chat, "base_url", None) or ""
    return type(chat).__qualname__, model_name(chat), str(base)


def native_structured_output(chat: BaseChatModel) -> bool:
    """Whether calls to `chat` use provider-native structured output (tool calling
    through LangChain's `with_structured_output`): provider models that implement tool
    calling do; the pipeline's own models and plain text models answer in text."""
    if isinstance(chat, PipelineChatModel) or _identity(chat) in _TEXT_ONLY:
        return False
    return type(chat).bind_tools is not BaseChatModel.bind_tools


def _structured_runnable(chat: BaseChatModel, schema: type[BaseModel]) -> Any:
    try:
        return chat.with_structured_output(schema, method="function_calling", include_raw=True)
    except TypeError:  # an integration without the `method` argument
        return chat.with_structured_output(schema, include_raw=True)


def _reply_text(message: Any) -> str:
    """The answer a message carries: the first tool call's arguments as JSON, else text."""
    for call in getattr(message, "tool_calls", None) or []:
        args = call.get("args") if isinstance(call, dict) else None
        if isinstance(args, dict):
            return json.dumps(args, ensure_ascii=False)
    return message_text(message)


def _repair_messages(
    messages: list[BaseMessage], prompt: Prompt, reply: str, error: str
) -> list[BaseMessage]:
    """The original messages plus the bad reply and the validation error quoted back, so
    that a retry asks for a correction instead of repeating the same failure."""
    quoted = reply if len(reply) <= MAX_QUOTED_REPLY else reply[:MAX_QUOTED_REPLY] + " [...]"
    return [
        *messages,
        AIMessage(content=quoted),
        HumanMessage(
            content=(
                f"Your reply could not be used: {error}. Answer again with one JSON object "
                f"only, shaped like {answer_shape(prompt.schema)}."
            )
        ),
    ]


async def _bounded(awaitable: Any, timeout: float) -> Any:
    """Await with a real time limit: a call that ignores cancellation is abandoned (not
    awaited) when its time is up, so it cannot hold the caller past `timeout`."""
    task = asyncio.ensure_future(awaitable)
    try:
        done, _ = await asyncio.wait({task}, timeout=timeout)
    except asyncio.CancelledError:
        task.cancel()
        task.add_done_callback(_discard)
        raise
    if task in done:
        return task.result()
    task.cancel()
    task.add_done_callback(_discard)
    raise TimeoutError


def _discard(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log "never retrieved"


_SYNC_POOL = ThreadPoolExecutor(max_workers=32, thread_name_prefix="ddi-sync-model")


def _invoke(runnable: Any, chat: BaseChatModel, messages: list[BaseMessage]) -> Any:
    """`runnable.ainvoke`, except when `chat` only implements the sync API: then the call
    runs in the pipeline's own thread pool, so a slow model never holds the event loop,
    the default executor or `asyncio.run`'s shutdown."""
    if type(chat)._agenerate is BaseChatModel._agenerate:
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(_SYNC_POOL, runnable.invoke, messages)
    return runnable.ainvoke(messages)


async def call_structured(
    model: BaseChatModel | str | None,
    prompt: Prompt,
    data: dict[str, Any],
    *,
    role: str,
    retries: int = 2,
    timeout: float = 30.0,
    backoff: float = 0.05,
    seed: int = 0,
    repeat: int = 0,
    cache: ResponseCache | None = None,
    check: Callable[[BaseModel], str | None] | None = None,
    meter: UsageMeter | None = None,
    deadline: float | None = None,
) -> CallResult:
    """Ask `model` one prompt and return its validated answer (or the failure).

    Replies are read leniently (`pipeline._replies.read_reply`: JSON anywhere in the
    reply, synonyms and ranges, prose yes). Model faults — exceptions (rate limits honour
    `retry_after`), time-outs, empty replies, refusals, unreadable answers or answers
    failing `check` — are retried up to `retries` times with exponential back-off
    (`backoff * 2**attempt`, deterministic jitter from the cache key); a retry after an
    unusable reply quotes the reply and the error back to the model. Provider models with
    tool calling answer through `with_structured_output`. `deadline` (a `time.time()`
    value: the query's deadline) bounds the whole call. Only successful answers are
    cached. Never raises for model faults. If `meter` is given, the call is recorded
    under `role`.
    """
    if not isinstance(prompt, Prompt):
        raise TypeError(f"prompt must be a pipeline.prompts.Prompt, not {type(prompt)}")
    if retries < 0 or timeout <= 0:
        raise ValueError("retries must be >= 0 and timeout > 0")
    chat = resolve_model(model)
    name = model_name(chat)
    key = cache_key(chat, prompt, data, seed=seed, repeat=repeat)  # TypeError on bad data
    messages = render(prompt, data)
    loop = asyncio.get_running_loop()
    started = loop.time()

    def result(value, error, attempts, tin, tout, cached=False) -> CallResult:
        res = CallResult(
            value=value,
            error=error,
            attempts=attempts,
            input_tokens=tin,
            output_tokens=tout,
            model=name,
            prompt_hash=prompt.hash,
            cached=cached,
            key=key,
            prompt_id=prompt.id,
            elapsed=loop.time() - started,
        )
        if meter is not None:
            meter.record(role, res)
        return res

    if cache is not None:
        try:
            hit = await cache.aget(key)
        except Exception as exc:  # noqa: BLE001 - a broken cache must not fail the call
            log.warning("response cache read failed: %s", exc)
            hit = None
        if hit is not None:
            try:
                return result(prompt.schema.model_validate(hit), None, 0, 0, 0, cached=True)
            except ValidationError:
                log.warning("ignoring invalid cached answer for %s", prompt.id)

    input_tokens = output_tokens = 0
    error = "no attempt made"
    attempts = 0
    asked = messages
    for attempt in range(retries + 1):
        limit = timeout
        if deadline is not None:
            limit = min(limit, deadline - time.time())
            if limit <= 0:
                error = "the query's deadline passed"
                break
        attempts += 1
        wait_hint: float | None = None
        native = native_structured_output(chat)
        runnable = _structured_runnable(chat, prompt.schema) if native else chat
        try:
            message = await _bounded(_invoke(runnable, chat, asked), limit)
        except TimeoutError:
            error = f"timeout after {limit:g}s"
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - model faults are reported, not raised
            wait_hint = _retry_after(exc)
            status = getattr(exc, "status_code", None)
            if native and (
                status in _NATIVE_REFUSED_STATUS or isinstance(exc, NotImplementedError)
            ):
                _TEXT_ONLY.add(_identity(chat))  # no tool calling here: answer in text
                wait_hint = 0.0
            prefix = f"HTTP {status} " if status else ""
            error = f"{prefix}{type(exc).__name__}: {str(exc)[:200]}"
        else:
            if native and isinstance(message, dict):
                parsed, message = message.get("parsed"), message.get("raw")
            else:
                parsed = None
            text = _reply_text(message)
            tin, tout = _usage(message, asked, text)
            input_tokens += tin
            output_tokens += tout
            if isinstance(parsed, prompt.schema) and (check is None or not check(parsed)):
                value, error = parsed, None
            else:
                value, error = read_reply(text, prompt.schema, check)
            if value is not None:
                if cache is not None:
                    meta = {
                        "model": name,
                        "prompt_id": prompt.id,
                        "prompt_hash": prompt.hash,
                        "role": role,
                        "seed": seed,
                        "repeat": repeat,
                    }
                    try:
                        await cache.aput(key, value.model_dump(mode="json"), meta)
                    except Exception as exc:  # noqa: BLE001
                        log.warning("response cache write failed: %s", exc)
                return result(value, None, attempts, input_tokens, output_tokens)
            if text.strip():
                asked = _repair_messages(messages, prompt, text, error)
        if attempt < retries:
            delay = backoff * (2**attempt) * (0.5 + _jitter(key, attempt))
            if wait_hint is not None:
                delay = max(delay, wait_hint)
            if deadline is not None:
                delay = min(delay, max(0.0, deadline - time.time()))
            if delay > 0:
                await asyncio.sleep(delay)
    error = f"{error} (after {attempts} attempt{'s' if attempts != 1 else ''})"
    return result(None, error, attempts, input_tokens, output_tokens)
