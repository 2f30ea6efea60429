"""In-process chat models: the KB-backed reference model and deterministic test doubles.

All are real `langchain_core` `BaseChatModel` subclasses, so they pass through
`pipeline.llm.resolve_model` and graph code unchanged. Imports are lazy. The cascade
study's models with knowledge of their own live in `pipeline.models._simulated_knowledge`
(not re-exported here: they read the evaluators, which read the models).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "FaultyModel",
    "InjectionObeyingModel",
    "KeyedModel",
    "ReferenceModel",
    "SimulatedModel",
]

if TYPE_CHECKING:
    from pipeline.models._doubles import (
        FaultyModel,
        InjectionObeyingModel,
        KeyedModel,
        SimulatedModel,
    )
    from pipeline.models._reference import ReferenceModel


def __getattr__(name: str) -> Any:
    if name == "ReferenceModel":
        from pipeline.models._reference import ReferenceModel

        return ReferenceModel
    if name in {"FaultyModel", "InjectionObeyingModel", "KeyedModel", "SimulatedModel"}:
        from pipeline.models import _doubles

        return getattr(_doubles, name)
    raise AttributeError(name)
