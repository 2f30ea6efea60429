"""Response cache through the whole cascade: an identical second run makes zero model
calls, also after a restart (a new cache object on the same file); keys cover model id,
params, prompt hash, seed and repeat index."""

from __future__ import annotations

import dataclasses

from pipeline.api import ask
from pipeline.cache import ResponseCache
from pipeline.llm import cache_key
from pipeline.models._doubles import SimulatedModel
from pipeline.prompts import PROBE_TEMPLATES

PROBE = PROBE_TEMPLATES["probe.direct"]
PAIR = {"drug_a": "warfarin", "drug_b": "ibuprofen"}


def test_second_identical_run_makes_zero_model_calls_across_restart(tmp_path, keyed_model):
    path = tmp_path / "responses.sqlite"
    query = "Can I take warfarin with aspirin and simvastatin?"
    model = keyed_model(name="keyed")
    roles = {"extractor": model, "prober": model, "evaluator": model}
    with ResponseCache(path) as cache:
        first = ask(query, models=roles, cache=cache)
    calls = model.call_count
    assert calls > 0
    with ResponseCache(path) as cache:  # "restart": a fresh connection to the same file
        second = ask(query, models=roles, cache=cache)
        assert cache.stats()["misses"] == 0
    assert model.call_count == calls  # zero model calls in the second run
    assert second.usage.calls == 0
    assert [(p.drug_a, p.drug_b, p.verdict) for p in second.pairs] == [
        (p.drug_a, p.drug_b, p.verdict) for p in first.pairs
    ]


def test_changed_seed_or_model_misses(tmp_path, keyed_model):
    with ResponseCache(tmp_path / "c.sqlite") as cache:
        m1 = keyed_model(name="keyed")
        ask(
            ["warfarin", "aspirin"],
            models={"prober": m1},
            cache=cache,
            revision_rounds=0,
            probe_listed=True,
        )
        m2 = keyed_model(name="keyed-2")  # another model id: nothing cached for it
        ask(
            ["warfarin", "aspirin"],
            models={"prober": m2},
            cache=cache,
            revision_rounds=0,
            probe_listed=True,
        )
        assert m2.call_count == m1.call_count > 0
        m1.reset()
        ask(["warfarin", "aspirin"], models={"prober": m1}, cache=cache, seed=1, probe_listed=True)
        assert m1.call_count > 0  # the seed is part of the key


def test_key_covers_model_params_prompt_and_repeat():
    base = cache_key(SimulatedModel(seed=1), PROBE, PAIR)
    assert base == cache_key(SimulatedModel(seed=1), PROBE, PAIR)
    assert base != cache_key(SimulatedModel(seed=2), PROBE, PAIR)  # params
    assert base != cache_key(SimulatedModel(seed=1, miss_rate=0.5), PROBE, PAIR)
    assert base != cache_key(SimulatedModel("other", seed=1), PROBE, PAIR)  # model id
    edited = dataclasses.replace(PROBE, user=PROBE.user + " ")
    assert edited.hash != PROBE.hash
    assert base != cache_key(SimulatedModel(seed=1), edited, PAIR)  # prompt hash
    assert base != cache_key(SimulatedModel(seed=1), PROBE, PAIR, repeat=1)  # repeat index
    assert base != cache_key(SimulatedModel(seed=1), PROBE, PAIR, seed=3)  # run seed
