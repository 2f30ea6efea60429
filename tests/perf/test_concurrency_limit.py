"""Never more than `concurrency` model calls in flight (KeyedModel gauge), with probes
batched per pair, in full fan-out and adaptive modes; the limit is also reached."""

from __future__ import annotations

import pytest

from pipeline.api import ask
from pipeline.models.doubles import KeyedModel

NO = {"interacts": "no", "severity": "unknown", "mechanism": "none known", "confidence": 0.6}
DRUGS = ["warfarin", "ibuprofen", "aspirin", "amoxicillin", "metformin"]


def answers(prompt_id: str, data: dict) -> dict:
    if prompt_id.startswith("probe."):
        return NO
    if prompt_id == "extract":
        return {"mentions": []}
    if prompt_id == "expand":
        return {"names": []}
    return {"passed": True, "reason": "ok"}


@pytest.mark.parametrize("adaptive", [False, True])
@pytest.mark.parametrize("concurrency", [1, 2, 7])
def test_in_flight_never_exceeds_concurrency(concurrency, adaptive):
    model = KeyedModel(answers, latency=0.005, name="keyed")
    report = ask(
        DRUGS,
        models={"extractor": model, "prober": model, "evaluator": model},
        concurrency=concurrency,
        adaptive=adaptive,
        revision_rounds=0,
    )
    assert report.usage.by_role["prober"].calls >= 40  # 10 pairs: plenty of parallel work
    assert model.max_in_flight <= concurrency
    assert model.max_in_flight == concurrency  # and the limit is used: latency is hidden


def test_one_pair_batch_respects_limit():
    model = KeyedModel(answers, latency=0.005, name="keyed")
    ask(
        ["warfarin", "ibuprofen"],
        models={"prober": model},
        concurrency=3,
        adaptive=False,
        budget={"calls_per_pair": 12},
    )
    assert model.call_count >= 12
    assert model.max_in_flight == 3
