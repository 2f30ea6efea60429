"""In-process chat models: the KB-backed reference model, deterministic test doubles and
the cascade study's simulated models with knowledge of their own (`KnowledgeModel`).

All are real `langchain_core` `BaseChatModel` subclasses, so they pass through
`pipeline.llm.resolve_model` and graph code unchanged. Imports are lazy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "FaultyModel",
    "InjectionObeyingModel",
    "KeyedModel",
    "KnowledgeModel",
    "ReferenceModel",
    "SimulatedModel",
]

if TYPE_CHECKING:
    from pipeline.models.doubles import (
        FaultyModel,
        InjectionObeyingModel,
        KeyedModel,
        SimulatedModel,
    )
    from pipeline.models.reference import ReferenceModel
    from pipeline.models.simulated_knowledge import KnowledgeModel


def __getattr__(name: str) -> Any:
    if name == "ReferenceModel":
        from pipeline.models.reference import ReferenceModel

        return ReferenceModel
    if name == "KnowledgeModel":
        from pipeline.models.simulated_knowledge import KnowledgeModel

        return KnowledgeModel
    if name in {"FaultyModel", "InjectionObeyingModel", "KeyedModel", "SimulatedModel"}:
        from pipeline.models import doubles

        return getattr(doubles, name)
    raise AttributeError(name)
