"""KnowledgeModel: a simulated model with its own knowledge (the cascade study's prober and
judge). Properties of the simulation only; nothing here asserts what the study finds."""

from __future__ import annotations

import json
import statistics

import pytest

from pipeline.kb import load_kb
from pipeline.models._simulated_knowledge import KnowledgeModel, own_knowledge_for_evaluators
from pipeline.prompts import PROBE_TEMPLATES, render

NO_EFFECTS = {t: (0.0, 0.0) for t in ("direct", "clinician", "risks", "fewshot")}


@pytest.fixture(scope="module")
def positives() -> list[tuple[str, str]]:
    """Interacting pairs of covered drugs with known generic names."""
    kb = load_kb()
    return [p for p in kb.pairs() if p[0] != p[1]][::97][:400]


def ask(model: KnowledgeModel, a: str, b: str, template: str = "direct") -> dict:
    messages = render(PROBE_TEMPLATES[f"probe.{template}"], {"drug_a": a, "drug_b": b})
    return json.loads(model.invoke(messages).content)


def says_yes(model, a, b, template="direct", names=None):
    return model.believes(a, b, template=template, names=names or (a, b))


@pytest.mark.parametrize("rho", [0.0, 0.5, 1.0])
def test_rho_is_the_correlation_between_two_probes_of_a_pair(positives, rho):
    model = KnowledgeModel(rho=rho, seed=3, template_effects=NO_EFFECTS)
    x = [says_yes(model, a, b, "direct") for a, b in positives]
    y = [says_yes(model, a, b, "clinician") for a, b in positives]
    corr = statistics.correlation([float(v) for v in x], [float(v) for v in y])
    assert abs(corr - rho) < 0.12
    # the marginal rate does not depend on rho
    assert abs(statistics.fmean(x) - model.know_rate) < 0.08


def test_rho_one_means_the_pair_belief_decides_every_probe(positives):
    model = KnowledgeModel(rho=1.0, seed=5, template_effects=NO_EFFECTS)
    for a, b in positives[:100]:
        belief = model.believes(a, b)
        for t in NO_EFFECTS:
            assert model.believes(a, b, template=t, names=(b.upper(), a)) == belief


def test_template_effects_shift_the_rates(positives):
    effects = {**NO_EFFECTS, "risks": (0.2, 0.0)}
    model = KnowledgeModel(rho=0.0, seed=7, template_effects=effects, know_rate=0.5)
    direct = statistics.fmean(says_yes(model, a, b, "direct") for a, b in positives)
    risks = statistics.fmean(says_yes(model, a, b, "risks") for a, b in positives)
    assert abs(direct - 0.5) < 0.08 and abs(risks - 0.7) < 0.08


def test_false_beliefs_on_non_interacting_pairs():
    kb = load_kb()
    keys = sorted(k for k in kb.drugs if kb.is_covered(k))[:60]
    negatives = [
        (a, b) for i, a in enumerate(keys) for b in keys[i + 1 :] if not kb.interactions(a, b)
    ]
    model = KnowledgeModel(rho=1.0, seed=2, false_belief_rate=0.2, template_effects=NO_EFFECTS)
    rate = statistics.fmean(model.believes(a, b) for a, b in negatives[:800])
    assert abs(rate - 0.2) < 0.05


def test_knowledge_is_its_own_seeds_and_identities(positives):
    a = KnowledgeModel(seed=1, identity="prober")
    b = KnowledgeModel(seed=1, identity="judge")
    c = KnowledgeModel(seed=2, identity="prober")
    beliefs = {
        name: [m.believes(x, y) for x, y in positives] for name, m in (("a", a), ("b", b), ("c", c))
    }
    assert beliefs["a"] != beliefs["b"] and beliefs["a"] != beliefs["c"]
    assert beliefs["a"] == [a.with_seed(1).believes(x, y) for x, y in positives]
    assert a.with_seed(5).seed == 5 and a.with_seed(5).model_name != a.model_name


def test_vocabulary_is_the_models_own_and_an_unknown_name_is_unknown_not_no():
    kb = load_kb()
    model = KnowledgeModel(seed=1, name_rates={"brand": 0.5, "generic": 1.0})
    brands = [n.text for n in kb.names("citalopram") if n.kind == "brand"]
    brands += [n.text for k in ("warfarin", "ibuprofen", "amiodarone") for n in kb.names(k)]
    known = {name: model.vocabulary(name) for name in brands}
    assert None in known.values() and any(v for v in known.values())
    unknown = next(name for name, key in known.items() if key is None)
    reply = ask(model, unknown, "warfarin")
    assert reply["interacts"] == "unknown" and reply["confidence"] == 0.0
    assert model.vocabulary("Citaopram") is None  # a misspelling is in no vocabulary
    assert ask(model, "Citaopram", "warfarin")["interacts"] == "unknown"
    # a name of another kind than the rates list is never known
    assert KnowledgeModel(name_rates={"generic": 1.0}).vocabulary("Celexa") is None


def test_the_model_answers_from_its_belief_in_the_prompt_shape():
    model = KnowledgeModel(seed=1, rho=1.0, know_rate=1.0, name_rates={"generic": 1.0})
    reply = ask(model, "Citalopram", "Disopyramide")
    assert reply["interacts"] == "yes" and reply["severity"] == "contraindicated"
    blind = KnowledgeModel(seed=1, rho=1.0, know_rate=0.0, name_rates={"generic": 1.0})
    assert ask(blind, "Citalopram", "Disopyramide")["interacts"] == "no"


def test_evaluators_see_the_judges_belief_only_inside_evaluators():
    from pipeline.kb import KnowledgeBase

    kb = load_kb()
    before = KnowledgeBase.interactions
    with own_knowledge_for_evaluators():
        # outside an evaluator the KB is untouched
        assert kb.interactions("citalopram", "disopyramide")
        assert list(kb.pairs())
    assert KnowledgeBase.interactions is before
