"""The `sim:` model specs of the in-process test doubles, and the shared reference model.

`pipeline.llm.resolve_model` hands a ``sim:<kind>?<params>`` spec here: the doubles'
own package decides what their specs mean. `ModelSpecError` is raised for any spec that
cannot be understood (one-line message; `pipeline.llm` re-exports it).
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import ValidationError

from pipeline.models._reference import ReferenceModel

__all__ = ["SIM_KINDS", "ModelSpecError", "reference_model", "sim_model"]


class ModelSpecError(ValueError):
    """A model spec string that cannot be understood (one-line message)."""


_reference_lock = threading.Lock()
_reference: BaseChatModel | None = None


def reference_model() -> BaseChatModel:
    """The shared ReferenceModel instance."""
    global _reference
    if _reference is None:
        with _reference_lock:
            if _reference is None:
                _reference = ReferenceModel()
    return _reference


_SIM_PRESETS: dict[str, dict[str, Any]] = {
    "perfect": {},
    "reference": {},
    "noisy": {"miss_rate": 0.3, "false_alarm_rate": 0.05, "brand_blind_rate": 0.5},
    "weak": {
        "miss_rate": 0.5,
        "false_alarm_rate": 0.1,
        "brand_blind_rate": 0.8,
        "misspelling_blind_rate": 0.8,
    },
}
_SIM_PARAMS = {
    "miss": "miss_rate",
    "miss_rate": "miss_rate",
    "false_alarm": "false_alarm_rate",
    "fa": "false_alarm_rate",
    "false_alarm_rate": "false_alarm_rate",
    "brand_blind": "brand_blind_rate",
    "b": "brand_blind_rate",
    "brand_blind_rate": "brand_blind_rate",
    "misspelling_blind": "misspelling_blind_rate",
    "m": "misspelling_blind_rate",
    "misspelling_blind_rate": "misspelling_blind_rate",
    "malformed": "malformed_rate",
    "malformed_rate": "malformed_rate",
    "error": "error_rate",
    "error_rate": "error_rate",
    "latency": "latency",
    "seed": "seed",
}
SIM_KINDS = (*_SIM_PRESETS, "injection", "faulty")
#: the doubles' module (four chat-model classes, ~25 ms to import) loads only when a
#: ``sim:`` spec asks for one, as a provider's package loads only for its specs
DOUBLES_MODULE = "pipeline.models._doubles"


def sim_model(spec: str, name: str, params: dict[str, Any]) -> BaseChatModel:
    """The double a ``sim:`` spec names (``spec`` as shown in errors: redacted)."""
    doubles = importlib.import_module(DOUBLES_MODULE)
    if name in ("injection", "gullible"):
        if params:
            raise ModelSpecError(f"{spec!r}: sim:injection takes no parameters")
        return doubles.InjectionObeyingModel()
    if name == "faulty":
        fault = params.pop("fault", "error")
        if fault not in doubles.FAULTS:
            raise ModelSpecError(
                f"{spec!r}: unknown fault {fault!r}; valid: {', '.join(doubles.FAULTS)}"
            )
        rate = float(params.pop("rate", 0.2))
        seed = int(params.pop("seed", 0))
        if params:
            raise ModelSpecError(f"{spec!r}: unknown parameters {', '.join(params)}")
        return doubles.FaultyModel(reference_model(), fault, rate, seed=seed)
    if name not in _SIM_PRESETS:
        raise ModelSpecError(
            f"unknown simulated model {name!r} in {spec!r}; valid: {', '.join(SIM_KINDS)}"
        )
    kwargs = dict(_SIM_PRESETS[name])
    for key, value in params.items():
        if key not in _SIM_PARAMS:
            raise ModelSpecError(
                f"unknown parameter {key!r} in {spec!r}; valid: "
                "miss, false_alarm, brand_blind, misspelling_blind, malformed, error, "
                "latency, seed"
            )
        kwargs[_SIM_PARAMS[key]] = value
    try:
        return doubles.SimulatedModel(name=f"sim-{name}", **kwargs)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ModelSpecError(f"bad parameter in {spec!r}: {first['loc']}: {first['msg']}") from None
