"""Model access: the only provider-aware package.

* `resolve_model(spec)` turns None / "reference" / "provider:model" / "sim:..." / a
  `BaseChatModel` into a chat model (`_specs`; provider packages imported lazily).
* `call_structured(model, prompt, data, role=...)` renders a `Prompt`, calls the model
  with a time-out, extracts and validates the JSON answer, retries model faults with
  deterministic back-off, reads/writes the `ResponseCache`, and returns a `CallResult`
  (`_calls`). It never raises for model faults.
* `UsageMeter` accumulates calls and tokens per role into `pipeline.schemas.Usage`
  (`_usage`).
"""

from pipeline.llm._calls import (
    MAX_RETRY_AFTER,
    CallResult,
    cache_key,
    call_structured,
    native_structured_output,
    probe_consistency_check,
)
from pipeline.llm._specs import (
    PROVIDERS,
    ModelSpecError,
    ProviderNotInstalledError,
    model_params,
    redact_spec,
    reference_model,
    resolve_model,
)
from pipeline.llm._usage import UsageMeter
from pipeline.models._base import model_name

__all__ = [
    "MAX_RETRY_AFTER",
    "PROVIDERS",
    "CallResult",
    "ModelSpecError",
    "ProviderNotInstalledError",
    "UsageMeter",
    "cache_key",
    "call_structured",
    "model_name",
    "model_params",
    "native_structured_output",
    "probe_consistency_check",
    "redact_spec",
    "reference_model",
    "resolve_model",
]
