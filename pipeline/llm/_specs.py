"""Provider access: a model spec string (or object) to a chat model.

`resolve_model` reads "reference", "provider:model?params" and "sim:..." specs (the
last handed to `pipeline.models`, which owns its test doubles). Provider packages are
imported when first asked for: they are optional dependencies.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from langchain_core.language_models import BaseChatModel

from pipeline.models._base import PipelineChatModel
from pipeline.models._specs import ModelSpecError, reference_model, sim_model

__all__ = [
    "PROVIDERS",
    "PROVIDER_PARAMS",
    "ModelSpecError",
    "ProviderNotInstalledError",
    "model_params",
    "redact_spec",
    "reference_model",
    "resolve_model",
]

PROVIDERS: dict[str, tuple[str, str]] = {
    "openai": ("langchain_openai", "ChatOpenAI"),
    "anthropic": ("langchain_anthropic", "ChatAnthropic"),
    "ollama": ("langchain_ollama", "ChatOllama"),
}
VALID_PROVIDERS = ("reference", "sim", *PROVIDERS)


class ProviderNotInstalledError(ImportError):
    """A provider model was requested but its LangChain integration is not installed."""


def _coerce(value: str) -> Any:
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def _parse_spec_query(spec: str, query: str) -> dict[str, Any]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError as exc:
        raise ModelSpecError(f"bad parameters in model spec {spec!r}: {exc}") from None
    return {k: _coerce(v) for k, v in pairs}


#: the only keyword arguments a provider spec string may set, with their bounds
PROVIDER_PARAMS: dict[str, tuple[type, float, float]] = {
    "temperature": (float, 0.0, 2.0),
    "top_p": (float, 0.0, 1.0),
    "max_tokens": (int, 1, 32768),
    "seed": (int, 0, 2**31 - 1),
}


def redact_spec(spec: str) -> str:
    """The spec with every parameter value replaced by ``***`` (specs may carry secrets)."""
    name, sep, query = spec.partition("?")
    if not sep:
        return spec
    keys = [part.split("=", 1)[0] for part in query.split("&") if part]
    return name + "?" + "&".join(f"{k}=***" for k in keys)


def _provider_params(shown: str, params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key not in PROVIDER_PARAMS:
            raise ModelSpecError(
                f"parameter {key!r} is not allowed in model spec {shown!r} (allowed: "
                f"{', '.join(PROVIDER_PARAMS)}); endpoints and keys come from the server's "
                "environment, e.g. OPENAI_BASE_URL and OPENAI_API_KEY"
            )
        kind, low, high = PROVIDER_PARAMS[key]
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and kind is int:
            ok = isinstance(value, int)
        if not ok or not low <= value <= high:  # NaN fails both comparisons
            raise ModelSpecError(
                f"parameter {key!r} in model spec {shown!r} must be a number in [{low}, {high}]"
            )
        out[key] = value
    return out


def resolve_model(spec: BaseChatModel | str | None = None) -> BaseChatModel:
    """A chat model from a spec.

    None / "reference" -> the shared reference model; a BaseChatModel passes through;
    "openai:gpt-4o-mini", "anthropic:<model>", "ollama:llama3.1" (optional
    "?temperature=0.2&..." keyword arguments; temperature defaults to 0);
    "sim:noisy?miss=0.3&false_alarm=0.05&brand_blind=0.5&seed=1" (presets perfect, noisy,
    weak; also "sim:injection" and "sim:faulty?fault=error&rate=0.2").

    A spec string may come from an untrusted caller (a served graph's run context): it can
    only set the sampling parameters in `PROVIDER_PARAMS`, never an endpoint, key, header
    or other constructor argument. Endpoints and keys come from the server's environment
    (``OPENAI_BASE_URL``, ``OPENAI_API_KEY``, ...) or from a model object built in code.
    """
    if spec is None:
        return reference_model()
    if isinstance(spec, BaseChatModel):
        return spec
    if not isinstance(spec, str):
        raise TypeError(f"model spec must be a BaseChatModel, str or None, not {type(spec)}")
    text = spec.strip()
    shown = redact_spec(text)  # a spec's parameter values never reach an error message
    if text.lower() in ("reference", "reference-kb", "sim:reference-kb"):
        return reference_model()
    provider, sep, rest = text.partition(":")
    provider = provider.lower()
    name, _, query = rest.partition("?")
    if not sep or not name:
        raise ModelSpecError(
            f"bad model spec {shown!r}: expected 'reference' or 'provider:model'; "
            f"valid providers: {', '.join(VALID_PROVIDERS)}"
        )
    params = _parse_spec_query(shown, query)
    if provider == "sim":
        return sim_model(shown, name, params)
    if provider not in PROVIDERS:
        raise ModelSpecError(
            f"unknown model provider {provider!r} in {shown!r}; valid providers: "
            f"{', '.join(VALID_PROVIDERS)}"
        )
    kwargs = {"temperature": 0.0, **_provider_params(shown, params)}
    module_name, class_name = PROVIDERS[provider]
    try:
        module = __import__(module_name, fromlist=[class_name])
    except ImportError as exc:
        raise ProviderNotInstalledError(
            f"model {shown!r} needs the {module_name} package: "
            'pip install "ddi-pipeline[providers]"'
        ) from exc
    if provider in ("openai", "anthropic"):
        kwargs["max_retries"] = 0  # the pipeline's retry policy is the only one
    try:
        return getattr(module, class_name)(model=name, **kwargs)
    except Exception as exc:  # noqa: BLE001 - e.g. a missing API key: a usage error
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelSpecError(f"cannot create model {shown!r}: {first}") from None


_PARAM_ATTRS = (
    "temperature",
    "top_p",
    "top_k",
    "max_tokens",
    "num_predict",
    "seed",
    "n",
    "presence_penalty",
    "frequency_penalty",
    "reasoning_effort",
)


def model_params(model: BaseChatModel) -> dict[str, Any]:
    """Sampling parameters that change answers (for cache keys); JSON scalars only."""
    out: dict[str, Any] = {}
    for attr in _PARAM_ATTRS:
        value = getattr(model, attr, None)
        if isinstance(value, bool | int | float | str) and not callable(value):
            out[attr] = value
    if isinstance(model, PipelineChatModel):
        for k, v in model._identifying_params.items():
            if isinstance(v, bool | int | float | str):
                out[k] = v
    return out
