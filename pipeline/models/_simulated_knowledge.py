"""Simulated models with knowledge of their own: the cascade study's prober and judge.

`KnowledgeModel` is a chat model that knows some interactions and some names, and not
others, the way a real model does, with errors that the cascade's orchestration may or may
not be able to undo. What it knows is drawn from its seed, once, independently of the
gold labels; the gold then scores it.

**The gold is computed separately and this model never sees it.** The gold labels
(``data/evals/*.jsonl``, read by `pipeline.evals._suites`; written by `tools.kb.gold`)
are never opened here. What the model may read is the world it lives in, through its own
noise:

* **Names.** Its vocabulary is a table built from the KB's name data (what each name
  string denotes, ``KnowledgeBase.name_index``): that is the model's knowledge of names.
  Each name string (generic, international, brand, salt, synonym) is in the vocabulary
  or not by a seeded draw, at a rate per name kind (`name_rates`); a string absent from
  the KB's names (a misspelling, a made-up name) is never in it. An unknown name gets
  "unknown", never "no". Brand-blindness is therefore the model's own vocabulary, not
  the pipeline's resolver.
* **Interactions.** The model *believes* a pair of ingredients (the canonical keys it
  believes the two names denote) interacts by a pair-level draw keyed on the unordered
  pair of keys: a truly interacting pair (the KB lists it) is believed with probability
  `know_rate` (its miss rate is ``1 - know_rate``), a non-interacting pair with
  probability `false_belief_rate`. Its belief is an imperfect copy of the truth with
  pair-level errors: a pair it does not know is missed under every name and template
  when probes are fully correlated.
* **Correlation between probes of one pair** (`rho` in [0, 1]): each probe (pair, the two
  name strings in their order, template) uses the pair-level draw with probability
  ``sqrt(rho)`` and a draw of its own otherwise, so two probes of a pair answer with
  correlation ``rho`` (exactly, when their templates have equal effects). ``rho = 1``:
  the pair-level belief decides every probe; ``rho = 0``: every probe is an independent
  coin flip at the same rates.
* **Templates** shift the rates: ``template_effects[t] = (recall offset, false-alarm
  offset)`` is added to `know_rate` / `false_belief_rate` for probes with template ``t``
  (a template that leans towards yes finds more and flags more).

Every draw is a keyed hash of (seed, `identity`, ...) (`pipeline.models._base.uniform`), so
answers depend on the prompt content and the seed only, never on call order, and two
models with different identities or seeds know independently.

Prompts other than probes: ``judge.mechanism`` is answered from the same belief (the
claimed interaction passes when the model believes the pair interacts, under the
template ``"judge.mechanism"``); extraction, name expansion, and the answer-wording and
injection judges (text checks that need no knowledge of interactions) are answered like
the reference model.

`own_knowledge_for_evaluators` makes the evaluators that read the KB's interactions
(directly, like ``class_effects``, or through the evidence sources) read the evaluator
model's own belief instead while they run, and silences the curated evidence list: in
the study the KB *is* the truth the gold is made from, so an evaluator reading it would
be an oracle that flags exactly the pairs the models missed.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from langchain_core.messages import BaseMessage
from pydantic import Field, PrivateAttr

from pipeline.evaluators import REGISTRY
from pipeline.evidence._curated import CuratedList
from pipeline.evidence._onc import OncHighPriority
from pipeline.evidence._rules_source import PharmacologyRules
from pipeline.kb import Interaction, KnowledgeBase, load_kb
from pipeline.kb._text import normalise
from pipeline.models._base import PipelineChatModel, uniform
from pipeline.models._reference import NOT_A_PIPELINE_PROMPT, _mechanism_text, get_oracle
from pipeline.prompts import parse_prompt

__all__ = [
    "DEFAULT_NAME_RATES",
    "DEFAULT_TEMPLATE_EFFECTS",
    "KnowledgeModel",
    "own_knowledge_for_evaluators",
]

#: (recall offset, false-alarm offset) per probe template, added to the model's rates.
#: Assumptions of the simulation, not measurements: "risks" ("any risk ... counts as
#: yes") leans towards yes; "clinician" a little; "fewshot" anchors on its examples.
DEFAULT_TEMPLATE_EFFECTS: dict[str, tuple[float, float]] = {
    "direct": (0.0, 0.0),
    "clinician": (0.03, 0.01),
    "risks": (0.06, 0.04),
    "fewshot": (0.02, 0.0),
}
#: Probability that a name string of each kind (`pipeline.kb.NAME_KINDS`) is in the
#: model's vocabulary (assumptions: generic names are nearly always known, brands and
#: rare synonyms much less).
DEFAULT_NAME_RATES: dict[str, float] = {
    "generic": 0.98,
    "international": 0.85,
    "salt": 0.9,
    "brand": 0.7,
    "synonym": 0.6,
}

#: captured before any patching: the model's (and the evaluator view's) access to the truth
_TRUE_INTERACTIONS = KnowledgeBase.interactions
_TRUE_PARTNERS = KnowledgeBase.interacting_partners
_TRUE_PAIRS = KnowledgeBase.pairs
_TRUE_ENTRY = KnowledgeBase.entry
_JUDGE_MECHANISM = "judge.mechanism"


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, x))


def _fmt(x: float) -> str:
    return f"{x:g}"


def _table(d: Mapping[str, Any]) -> str:
    def one(v: Any) -> str:
        if isinstance(v, list | tuple):
            return "/".join(_fmt(float(x)) for x in v)
        return _fmt(float(v))

    return ",".join(f"{k}:{one(v)}" for k, v in sorted(d.items()))


class KnowledgeModel(PipelineChatModel):
    """A simulated model with its own knowledge of names and interactions (see the
    module docstring). It never reads the gold labels."""

    know_rate: float = Field(default=0.7, ge=0.0, le=1.0)
    false_belief_rate: float = Field(default=0.05, ge=0.0, le=1.0)
    rho: float = Field(default=1.0, ge=0.0, le=1.0)
    template_effects: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: dict(DEFAULT_TEMPLATE_EFFECTS)
    )
    name_rates: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_NAME_RATES))
    seed: int = 0
    identity: str = "prober"
    latency: float = Field(default=0.0, ge=0.0)
    model_name: str = ""
    _lock: Any = PrivateAttr(default_factory=threading.Lock)
    _vocab: dict[str, str | None] = PrivateAttr(default_factory=dict)
    _partners: dict[str, frozenset[str]] = PrivateAttr(default_factory=dict)
    _kb: Any = PrivateAttr(default=None)
    _params: Any = PrivateAttr(default=None)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not self.model_name:
            self.model_name = self.describe()

    # ------------------------------------------------------------------ identity
    def describe(self) -> str:
        return (
            f"knowledge-{self.identity}(know={_fmt(self.know_rate)},"
            f"fa={_fmt(self.false_belief_rate)},rho={_fmt(self.rho)},seed={self.seed})"
        )

    def with_seed(self, seed: int) -> KnowledgeModel:
        """The same kind of model with another seed: fresh, independent knowledge."""
        fields = self.model_dump(exclude={"model_name", "seed"})
        return type(self)(**fields, seed=seed)

    def with_rho(self, rho: float) -> KnowledgeModel:
        fields = self.model_dump(exclude={"model_name", "rho"})
        return type(self)(**fields, rho=rho)

    @property
    def _identifying_params(self) -> dict[str, Any]:
        if self._params is None:  # read for every probe's cache key: computed once
            self._params = self._compute_params()
        return dict(self._params)

    def _compute_params(self) -> dict[str, Any]:
        return {
            **super()._identifying_params,
            "know_rate": self.know_rate,
            "false_belief_rate": self.false_belief_rate,
            "rho": self.rho,
            "template_effects": _table(self.template_effects),
            "name_rates": _table(self.name_rates),
            "seed": self.seed,
            "identity": self.identity,
        }

    @property
    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            self._kb = load_kb()
        return self._kb

    # ------------------------------------------------------------------ names
    def vocabulary(self, name: str) -> str | None:
        """The ingredient key this model believes `name` denotes, or None when the name is
        not in its vocabulary. Built from the KB's name table (the name's most common
        sense: the KB lists generic names first), filtered by a seeded draw per name
        string at the rate of its kind."""
        norm = normalise(name) if isinstance(name, str) else ""
        if not norm:
            return None
        with self._lock:
            if norm in self._vocab:
                return self._vocab[norm]
        entries = self.kb.name_index().get(norm) or []
        key = None
        if entries:
            entry = entries[0]
            rate = self.name_rates.get(entry.kind, 0.0)
            if uniform(self.seed, self.identity, "name", norm) < rate:
                key = entry.drug
        with self._lock:
            self._vocab[norm] = key
        return key

    # ------------------------------------------------------------------ interactions
    def truth(self, a: str, b: str) -> list[Interaction]:
        """What the world (the KB) says about two ingredient keys; only used through the
        noisy draws below."""
        return _TRUE_INTERACTIONS(self.kb, a, b)

    def _rate(self, interacts: bool, template: str | None) -> float:
        recall_offset, fa_offset = (0.0, 0.0)
        if template is not None:
            recall_offset, fa_offset = self.template_effects.get(template, (0.0, 0.0))
        if interacts:
            return _clamp(self.know_rate + recall_offset)
        return _clamp(self.false_belief_rate + fa_offset)

    def _draw(self, pair: str, probe: tuple[str, ...] | None) -> float:
        u_pair = uniform(self.seed, self.identity, "pair", pair)
        if probe is None or self.rho >= 1.0:
            return u_pair
        own = uniform(self.seed, self.identity, "probe", pair, *probe)
        if self.rho <= 0.0:
            return own
        shared = uniform(self.seed, self.identity, "share", pair, *probe) < math.sqrt(self.rho)
        return u_pair if shared else own

    def believes(
        self, a: str, b: str, *, template: str | None = None, names: tuple[str, str] = ("", "")
    ) -> bool:
        """Whether the model says keys `a` and `b` interact: the pair-level belief when
        `template` is None, else the answer of a probe under that template and names."""
        if a == b:
            return False
        pair = "|".join(sorted((a, b)))
        truly = bool(self.truth(a, b))
        probe = None if template is None else (template, normalise(names[0]), normalise(names[1]))
        return self._draw(pair, probe) < self._rate(truly, template)

    def believed_interactions(self, a: str, b: str) -> list[Interaction]:
        """The model's belief in the KB's shape (for `own_knowledge_for_evaluators`): the
        true entries when it believes a true interaction, a made-up moderate one when it
        believes a false one, nothing otherwise."""
        if a == b or not self.believes(a, b):
            return []
        truth = self.truth(a, b)
        if truth:
            return truth
        lo, hi = sorted((a, b))
        return [
            Interaction(
                drug_a=lo,
                drug_b=hi,
                severity="moderate",
                severity_least="moderate",
                level_fr="",
                mechanism_fr="",
                management_fr="",
                categories=("other",),
                via_class_a=None,
                via_class_b=None,
                entry_id=-1,
                source=f"belief of {self.model_name}",
            )
        ]

    def believed_partners(self, key: str) -> frozenset[str]:
        """The covered drugs this model believes interact with `key` (pair-level)."""
        with self._lock:
            if key in self._partners:
                return self._partners[key]
        kb = self.kb
        true_partners = _TRUE_PARTNERS(kb, key)
        out = set()
        for other in _covered_keys(kb):
            if other == key:
                continue
            pair = "|".join(sorted((key, other)))
            rate = self.know_rate if other in true_partners else self.false_belief_rate
            if uniform(self.seed, self.identity, "pair", pair) < rate:
                out.add(other)
        result = frozenset(out)
        with self._lock:
            self._partners[key] = result
        return result

    # ------------------------------------------------------------------ answers
    def _probe(self, template: str, data: Mapping[str, Any]) -> dict[str, Any]:
        name_a, name_b = str(data.get("drug_a", "")), str(data.get("drug_b", ""))
        keys = []
        for name in (name_a, name_b):
            key = self.vocabulary(name)
            if key is None:
                return _unknown(f"{name} is not a medicine I recognise.")
            keys.append(key)
        a, b = keys
        if a == b:
            return _unknown(f"{name_a} and {name_b} are the same substance.")
        if not self.believes(a, b, template=template, names=(name_a, name_b)):
            return {
                "interacts": "no",
                "severity": "unknown",
                "mechanism": "No clinically relevant interaction known.",
                "confidence": 0.7,
            }
        truth = self.truth(a, b)
        if truth:
            return {
                "interacts": "yes",
                "severity": truth[0].severity,
                "mechanism": _mechanism_text(truth),
                "confidence": 0.85,
            }
        return {
            "interacts": "yes",
            "severity": "moderate",
            "mechanism": "Possible additive effects; monitor the combination.",
            "confidence": 0.7,
        }

    def _judge_mechanism(self, data: Mapping[str, Any]) -> dict[str, Any]:
        name_a, name_b = str(data.get("drug_a", "")), str(data.get("drug_b", ""))
        a, b = self.vocabulary(name_a), self.vocabulary(name_b)
        if a is None or b is None:
            unknown = name_a if a is None else name_b
            return {"passed": False, "reason": f"cannot verify: I do not know {unknown}."}
        if self.believes(a, b, template=_JUDGE_MECHANISM, names=(name_a, name_b)):
            return {"passed": True, "reason": f"{name_a} and {name_b} do interact."}
        return {
            "passed": False,
            "reason": f"I know of no interaction between {name_a} and {name_b}.",
        }

    def answer(self, prompt_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        if prompt_id.startswith("probe."):
            return self._probe(prompt_id.removeprefix("probe."), data)
        if prompt_id == _JUDGE_MECHANISM:
            return self._judge_mechanism(data)

        return get_oracle().answer(prompt_id, dict(data))  # extraction, text-only judges

    def _reply(self, messages: list[BaseMessage]) -> str:

        parsed = parse_prompt(messages)
        if parsed is None:
            return json.dumps(NOT_A_PIPELINE_PROMPT)
        return json.dumps(self.answer(*parsed), ensure_ascii=False)

    async def _areply(self, messages: list[BaseMessage]) -> str:
        if self.latency:
            import asyncio

            await asyncio.sleep(self.latency)
        return self._reply(messages)


def _unknown(reason: str) -> dict[str, Any]:
    return {"interacts": "unknown", "severity": "unknown", "mechanism": reason, "confidence": 0.0}


_COVERED: dict[int, tuple[str, ...]] = {}


def _covered_keys(kb: KnowledgeBase) -> tuple[str, ...]:
    keys = _COVERED.get(id(kb))
    if keys is None:
        keys = _COVERED[id(kb)] = tuple(sorted(k for k in kb.drugs if kb.is_covered(k)))
    return keys


# ----------------------------------------------------------------------------- evaluators

#: the evaluator model whose belief the running evaluator sees instead of the KB's truth
_VIEW: contextvars.ContextVar[KnowledgeModel | None] = contextvars.ContextVar(
    "ddi_evaluator_knowledge", default=None
)


def _viewed(true_method: Any, believed: str):
    def method(self: KnowledgeBase, *args: Any) -> Any:
        view = _VIEW.get()
        if view is None:
            return true_method(self, *args)
        return getattr(view, believed)(*args)

    method.__wrapped__ = true_method  # type: ignore[attr-defined]
    method.__name__ = true_method.__name__
    return method


def _entry(self: KnowledgeBase, entry_id: int) -> dict:
    if entry_id < 0 and _VIEW.get() is not None:  # a made-up belief has no ANSM entry
        return {**_TRUE_ENTRY(self, 0), "main_fr": "(belief of", "plus_fr": "the judge)"}
    return _TRUE_ENTRY(self, entry_id)


def _silent(true_lookup: Any):
    def lookup(self: Any, a: str, b: str) -> list:
        return [] if _VIEW.get() is not None else true_lookup(self, a, b)

    lookup.__wrapped__ = true_lookup  # type: ignore[attr-defined]
    return lookup


def _no_enumeration(self: KnowledgeBase) -> Iterator[tuple[str, str]]:
    if _VIEW.get() is not None:
        raise RuntimeError(
            "an evaluator enumerated the KB's interacting pairs: in the cascade study that "
            "is the truth the gold is made from"
        )
    return _TRUE_PAIRS(self)


@contextlib.contextmanager
def own_knowledge_for_evaluators() -> Iterator[None]:
    """While active, every evaluator in `pipeline.evaluators.REGISTRY` that runs with a
    `KnowledgeModel` as its evaluator model reads that model's own belief wherever it
    reads the KB's interactions (``KnowledgeBase.interactions``, ``interacting_partners``,
    hence also the ANSM evidence source; enumerating ``pairs`` raises), and the curated
    list, the ONC list and the pharmacology rules are silent (evidence sources are off in
    the study, and evaluators must read only the judge's own knowledge). Outside evaluators,
    and for other evaluator models, nothing changes. Restores everything on exit (not
    re-entrant)."""

    originals = dict(REGISTRY)
    saved = {
        (cls, name): cls.__dict__[name]
        for cls, names in (
            (KnowledgeBase, ("interactions", "interacting_partners", "pairs", "entry")),
            (CuratedList, ("lookup",)),
            (PharmacologyRules, ("lookup",)),
            (OncHighPriority, ("lookup",)),
        )
        for name in names
    }

    def wrap(fn):
        async def evaluate(inp, ctx):
            model = ctx.model("evaluator")
            token = _VIEW.set(model if isinstance(model, KnowledgeModel) else None)
            try:
                return await fn(inp, ctx)
            finally:
                _VIEW.reset(token)

        evaluate.__wrapped__ = fn  # type: ignore[attr-defined]
        return evaluate

    KnowledgeBase.interactions = _viewed(_TRUE_INTERACTIONS, "believed_interactions")
    KnowledgeBase.interacting_partners = _viewed(_TRUE_PARTNERS, "believed_partners")
    KnowledgeBase.pairs = _no_enumeration
    KnowledgeBase.entry = _entry
    for source in (CuratedList, PharmacologyRules, OncHighPriority):
        source.lookup = _silent(saved[(source, "lookup")])
    for name, fn in originals.items():
        REGISTRY[name] = wrap(fn)
    try:
        yield
    finally:
        REGISTRY.update(originals)
        for (cls, name), method in saved.items():
            setattr(cls, name, method)
