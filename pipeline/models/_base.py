"""Shared base for the in-process chat models (reference model and test doubles).

Subclasses implement `_reply(messages) -> str` (and optionally `_areply`). The base turns
the text into an `AIMessage` with `usage_metadata` (token estimates) and
`response_metadata["model_name"]`, so LangChain usage callbacks and `call_structured`
see them like any provider model. `with_structured_output` parses the JSON reply into the
given schema; tool calling is not supported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda

from pipeline._replies import extract_json
from pipeline.kb import load_kb

__all__ = [
    "PipelineChatModel",
    "canonical",
    "estimate_tokens",
    "message_text",
    "model_name",
    "uniform",
]


def model_name(model: BaseChatModel) -> str:
    """A stable display / cache name: "reference-kb", "gpt-4o-mini", ... or the class name."""
    for attr in ("model_name", "model", "model_id"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__


def message_text(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            b if isinstance(b, str) else str(b.get("text", "")) if isinstance(b, dict) else ""
            for b in content
        )
    return str(content)


def estimate_tokens(text: str) -> int:
    """Cheap token estimate: ~4 characters per token, at least 1 for non-empty text."""
    return (len(text) + 3) // 4


def canonical(value: Any) -> str:
    """Canonical JSON (sorted keys, no whitespace) used for keyed draws and lookups."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def uniform(*parts: Any) -> float:
    """A deterministic uniform draw in [0, 1) from the parts (blake2b; no global RNG)."""
    digest = hashlib.blake2b(canonical(list(parts)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class PipelineChatModel(BaseChatModel):
    """A deterministic in-process chat model answering the pipeline's own prompts."""

    model_name: str = "pipeline-model"

    @property
    def _llm_type(self) -> str:
        return self.model_name

    @property
    def _identifying_params(self) -> dict[str, Any]:
        """Its answers come from the bundled KB, so the KB's data version is a parameter:
        rebuilt data invalidates cached answers and eval journals."""

        return {"model_name": self.model_name, "kb_version": load_kb().version}

    # -- subclass hooks --------------------------------------------------------------
    def _reply(self, messages: list[BaseMessage]) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    async def _areply(self, messages: list[BaseMessage]) -> str:
        return self._reply(messages)

    # -- BaseChatModel ---------------------------------------------------------------
    def _result(self, messages: Sequence[BaseMessage], text: str) -> ChatResult:
        input_tokens = sum(estimate_tokens(message_text(m)) for m in messages)
        output_tokens = estimate_tokens(text)
        message = AIMessage(
            content=text,
            usage_metadata={
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "total_tokens": input_tokens + output_tokens,
            },
            response_metadata={"model_name": self.model_name},
        )
        return ChatResult(
            generations=[ChatGeneration(message=message)],
            llm_output={"model_name": self.model_name},
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._result(messages, self._reply(messages))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._result(messages, await self._areply(messages))

    # -- structured output / tools ---------------------------------------------------
    def with_structured_output(
        self, schema: Any, *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable:
        """Runnable: messages -> `schema` instance parsed from the model's JSON reply.

        `schema` is a pydantic model class (validated instance returned) or a JSON-schema
        dict (the parsed dict is returned). With include_raw, returns
        {"raw": AIMessage, "parsed": ..., "parsing_error": ...} instead of raising.
        """

        def parse(message: BaseMessage) -> Any:
            obj = extract_json(message_text(message))
            if obj is None:
                raise ValueError(f"{self.model_name}: reply holds no JSON object")
            if isinstance(schema, type) and hasattr(schema, "model_validate"):
                return schema.model_validate(obj)
            return obj

        if not include_raw:
            return self | RunnableLambda(parse)

        def parse_raw(message: BaseMessage) -> dict[str, Any]:
            try:
                return {"raw": message, "parsed": parse(message), "parsing_error": None}
            except Exception as exc:  # noqa: BLE001 - reported to the caller
                return {"raw": message, "parsed": None, "parsing_error": exc}

        return self | RunnableLambda(parse_raw)

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable:
        raise NotImplementedError(
            f"{self.model_name} does not support tool calling; use "
            "pipeline.llm.call_structured or .with_structured_output(schema) instead"
        )
