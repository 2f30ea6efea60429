"""Never more than `concurrency` model calls in flight (KeyedModel gauge), with probes
batched per pair, in full fan-out and adaptive modes; the limit is also reached."""

from __future__ import annotations

import pytest

from pipeline.api import ask

DRUGS = ["warfarin", "ibuprofen", "aspirin", "amoxicillin", "metformin"]


@pytest.mark.parametrize("adaptive", [False, True])
@pytest.mark.parametrize("concurrency", [1, 2, 7])
def test_in_flight_never_exceeds_concurrency(concurrency, adaptive, keyed_model):
    model = keyed_model(latency=0.005, name="keyed")
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


def test_one_pair_batch_respects_limit(keyed_model):
    model = keyed_model(latency=0.005, name="keyed")
    ask(
        ["warfarin", "ibuprofen"],
        models={"prober": model},
        concurrency=3,
        adaptive=False,
        budget={"calls_per_pair": 12},
        probe_listed=True,
    )
    assert model.call_count >= 12
    assert model.max_in_flight == 3


def test_ask_many_call_concurrency_caps_calls_across_queries(keyed_model):
    from pipeline.api import ask_many

    model = keyed_model(latency=0.005, name="keyed")
    queries = [["warfarin", "ibuprofen"], ["aspirin", "amoxicillin"], ["metformin", "warfarin"]]
    models = {"extractor": model, "prober": model, "evaluator": model}
    ask_many(queries, concurrency=3, call_concurrency=2, models=models, revision_rounds=0)
    assert model.max_in_flight == 2
    # without the shared limiter, three queries run their calls side by side
    model = keyed_model(latency=0.005, name="keyed")
    models = {"extractor": model, "prober": model, "evaluator": model}
    ask_many(queries, concurrency=3, models=models, revision_rounds=0)
    assert model.max_in_flight > 2


def test_ask_many_rejects_bad_call_concurrency():
    from pipeline.api import ask_many
    from pipeline.context import OptionError

    with pytest.raises(OptionError, match="call_concurrency"):
        ask_many([["warfarin", "ibuprofen"]], call_concurrency=0)
