"""Shared test fixtures: a keyed double answering every pipeline prompt (probes "no",
extraction and expansion empty, evaluators pass), so tests exercise the plumbing, not a model."""

from __future__ import annotations

import pytest

from pipeline.models._doubles import KeyedModel

NO = {"interacts": "no", "severity": "unknown", "mechanism": "none known", "confidence": 0.6}


def keyed_answers(prompt_id: str, data: dict) -> dict:
    if prompt_id.startswith("probe."):
        return NO
    if prompt_id == "extract":
        return {"mentions": []}
    if prompt_id == "expand":
        return {"names": []}
    return {"passed": True, "reason": "ok"}


@pytest.fixture
def keyed_model():
    def make(latency: float = 0.0, name: str = "keyed") -> KeyedModel:
        return KeyedModel(keyed_answers, latency=latency, name=name)

    return make
