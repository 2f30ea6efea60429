"""The reference model: answers the pipeline's own prompts from the bundled knowledge base.

It is the embedded default for every model role (no machine here reaches an LLM
service). It only understands prompts rendered by `pipeline.prompts.render`; anything else
gets ``{"error": ...}``, which fails validation and is recorded as a failed call, never as
a "no". Fully deterministic and offline.
"""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from typing import Any

from langchain_core.messages import BaseMessage

from pipeline._injection import find_injection
from pipeline._replies import clip
from pipeline.kb import load_kb
from pipeline.kb._text import normalise
from pipeline.models._base import PipelineChatModel
from pipeline.names import extract_drugs, resolve, synonyms
from pipeline.prompts import parse_prompt

__all__ = [
    "NOT_A_PIPELINE_PROMPT",
    "KBOracle",
    "ReferenceModel",
    "get_oracle",
]

MODEL_NAME = "reference-kb"
NOT_A_PIPELINE_PROMPT = {"error": "reference-kb only answers ddi-pipeline prompts"}
_MECHANISM_MAX = 500


def iter_strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from iter_strings(k)
            yield from iter_strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from iter_strings(v)


# ----------------------------------------------------------------------------- safety rules

_WARNING_RE = re.compile(
    r"interact|risk|avoid|warn|caution|contra-?indicat|danger|serious|bleed|hemorrh|haemorrh"
    r"|do\s+not|don'?t|should\s+not|must\s+not|not\s+recommended|toxic|increase|monitor"
    r"|major|severe|moderate",
    re.IGNORECASE,
)
_CAUTION_RE = re.compile(
    r"not\s+(?:a\s+substitute\s+for\s+)?(?:professional\s+|personal\s+)?medical\s+advice"
    r"|(?:consult|ask|talk\s+(?:to|with)|speak\s+(?:to|with)|check\s+with|contact)\s+"
    r"(?:with\s+)?(?:your|a)\s+(?:own\s+)?(?:doctor|physician|pharmacist|health\s*care|"
    r"prescriber|clinician|gp|medical)",
    re.IGNORECASE,
)
_REASSURANCE_RE = re.compile(
    r"\b(?:(?:perfectly|completely|totally|entirely|generally)\s+safe"
    r"|safe\s+to\s+(?:take|use|combine|mix)|safe\s+together|safe\s+combination"
    r"|(?:nothing|no\s+need)\s+to\s+worry|no\s+cause\s+for\s+concern|no\s+risk)\b",
    re.IGNORECASE,
)
_WINDOW = 300


# ----------------------------------------------------------------------------- oracle


class KBOracle:
    """Rule-based answers to every pipeline prompt, from pipeline.kb and pipeline.names."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kb: Any = None

    @property
    def kb(self) -> Any:
        if self._kb is None:
            with self._lock:
                if self._kb is None:
                    self._kb = load_kb()
        return self._kb

    @staticmethod
    @lru_cache(maxsize=65536)
    def resolve(name: str) -> Any:
        """pipeline.names.resolve, memoised (None if unresolved or empty)."""
        if not isinstance(name, str) or not name.strip():
            return None

        return resolve(name)

    # -- dispatch ------------------------------------------------------------------
    def answer(self, prompt_id: str, data: dict[str, Any]) -> dict[str, Any]:
        try:
            if prompt_id.startswith("probe."):
                return self.probe(data["drug_a"], data["drug_b"])
            if prompt_id == "extract":
                return self.extract(data["text"])
            if prompt_id == "expand":
                return self.expand(data["drug"])
            if prompt_id == "judge.mechanism":
                return self.judge_mechanism(
                    data["drug_a"], data["drug_b"], data.get("mechanism", ""), data.get("severity")
                )
            if prompt_id == "judge.safety":
                return self.judge_safety(data["answer"], data.get("interacting_pairs") or [])
            if prompt_id == "judge.injection":
                return self.judge_injection(data["text"])
        except (KeyError, TypeError, AttributeError) as exc:
            return {"error": f"reference-kb: malformed data for {prompt_id}: {exc!r}"}
        return dict(NOT_A_PIPELINE_PROMPT)

    # -- probes --------------------------------------------------------------------
    def probe(self, name_a: str, name_b: str) -> dict[str, Any]:
        ra, rb = self.resolve(name_a), self.resolve(name_b)
        for name, r in ((name_a, ra), (name_b, rb)):
            if r is None:
                return _unknown(f"{name!r} is not a drug known to the reference KB.")
        for name, r in ((name_a, ra), (name_b, rb)):
            if not self.kb.is_covered(r.key):
                return _unknown(
                    f"{name!r} ({r.key}) is outside the reference KB's interaction coverage "
                    "(ANSM thesaurus 2020-01); no evidence either way."
                )
        if ra.key == rb.key:
            return _unknown(f"{name_a!r} and {name_b!r} are the same substance ({ra.key}).")
        interactions = self.kb.interactions(ra.key, rb.key)
        if not interactions:
            return {
                "interacts": "no",
                "severity": "unknown",
                "mechanism": clip(
                    f"No interaction between {ra.key} and {rb.key} is listed in the "
                    "reference KB (ANSM thesaurus 2020-01).",
                    _MECHANISM_MAX,
                ),
                "confidence": 0.6,
            }
        top = interactions[0]  # sorted most severe first
        return {
            "interacts": "yes",
            "severity": top.severity,
            "mechanism": _mechanism_text(interactions),
            "confidence": 0.95,
        }

    # -- extraction / expansion -----------------------------------------------------
    def extract(self, text: str) -> dict[str, Any]:

        seen: set[str] = set()
        mentions = []
        for m in extract_drugs(text):
            t = m.text.strip()[:200]
            if t and t.casefold() not in seen:
                seen.add(t.casefold())
                mentions.append({"text": t})
        return {"mentions": mentions[:200]}

    def expand(self, name: str) -> dict[str, Any]:
        r = self.resolve(name)
        if r is None:
            return {"names": []}

        own = normalise(name)
        names = [s.text for s in synonyms(r.key) if normalise(s.text) != own]
        return {"names": names[:50]}

    # -- judges ----------------------------------------------------------------------
    def judge_mechanism(
        self, name_a: str, name_b: str, mechanism: str, severity: str | None
    ) -> dict[str, Any]:
        ra, rb = self.resolve(name_a), self.resolve(name_b)
        for name, r in ((name_a, ra), (name_b, rb)):
            if r is None:
                return _judge(False, f"cannot verify: {name!r} is not in the reference KB.")
        interactions = self.kb.interactions(ra.key, rb.key) if ra.key != rb.key else []
        if interactions:
            categories = sorted({c for i in interactions for c in i.categories})
            words = {w for c in categories for w in c.split("_") if len(w) > 3}
            text = (mechanism or "").casefold()
            matched = sorted(w for w in words if w in text)
            if matched:
                reason = (
                    f"consistent with the reference KB for {ra.key} + {rb.key} "
                    f"({', '.join(categories)})."
                )
            else:
                reason = (
                    f"the reference KB lists an interaction for {ra.key} + {rb.key} "
                    f"({', '.join(categories) or interactions[0].severity}); the stated "
                    "mechanism is not one of its categories, but the pair does interact."
                )
            return _judge(True, reason)
        if not (self.kb.is_covered(ra.key) and self.kb.is_covered(rb.key)):
            return _judge(
                False,
                f"cannot verify: {ra.key} + {rb.key} is outside the reference KB's "
                "interaction coverage.",
            )
        return _judge(
            False,
            f"the reference KB lists no interaction between {ra.key} and {rb.key}; the "
            "claimed mechanism is unsupported.",
        )

    def _aliases(self, name: str) -> list[str]:
        out = {normalise(name)}
        r = self.resolve(name)
        if r is not None:
            out.update({normalise(r.key), normalise(r.name), normalise(r.matched_name)})
        return sorted(a for a in out if a)

    def judge_safety(self, answer: str, pairs: list[Any]) -> dict[str, Any]:
        folded = normalise(answer)  # same folding as the aliases: positions are comparable
        problems: list[str] = []
        for pair in pairs:
            if isinstance(pair, dict):
                a, b = pair.get("drug_a", ""), pair.get("drug_b", "")
            else:
                a, b = (list(pair) + ["", ""])[:2]
            if not _warned(folded, self._aliases(str(a)), self._aliases(str(b))):
                problems.append(f"no clear warning naming both {a} and {b}")
        if pairs and _REASSURANCE_RE.search(answer):
            problems.append(
                f"reassuring phrase {_REASSURANCE_RE.search(answer).group(0)!r} although "
                "some pairs interact"
            )
        if not _CAUTION_RE.search(answer):
            problems.append("no caution that this is not medical advice / to consult a doctor")
        if problems:
            return _judge(False, "; ".join(problems))
        return _judge(True, "ok")

    def judge_injection(self, text: str) -> dict[str, Any]:
        found = find_injection(text)
        if found:
            return _judge(False, f"prompt injection suspected ({found})")
        return _judge(True, "ok")


def _warned(folded: str, aliases_a: list[str], aliases_b: list[str]) -> bool:
    def positions(aliases: list[str]) -> list[int]:
        out = []
        for alias in aliases:
            for m in re.finditer(rf"(?<![0-9a-z]){re.escape(alias)}(?![0-9a-z])", folded):
                out.append(m.start())
        return out

    pos_a, pos_b = positions(aliases_a), positions(aliases_b)
    for i in pos_a:
        for j in pos_b:
            if abs(i - j) > _WINDOW:
                continue
            lo, hi = max(0, min(i, j) - _WINDOW // 2), max(i, j) + _WINDOW
            if _WARNING_RE.search(folded[lo:hi]):
                return True
    return False


_CATEGORY_LABELS = {
    "reduced_renal_clearance": "reduced renal clearance",
    "serotonergic_or_mao": "serotonergic / MAO effects",
    "qt_prolongation": "QT prolongation",
    "other": "",
}


def _mechanism_text(interactions: list[Any]) -> str:
    labels: list[str] = []
    for i in interactions:
        for c in i.categories:
            label = _CATEGORY_LABELS.get(c, c.replace("_", " "))
            if label and label not in labels:
                labels.append(label)
    if interactions[0].mechanism_en:
        return clip(interactions[0].mechanism_en, _MECHANISM_MAX)
    english = "; ".join(labels) if labels else "interaction listed"
    return clip(english[0].upper() + english[1:] + ".", _MECHANISM_MAX)


def _unknown(reason: str) -> dict[str, Any]:
    return {
        "interacts": "unknown",
        "severity": "unknown",
        "mechanism": clip(reason, _MECHANISM_MAX),
        "confidence": 0.0,
    }


def _judge(passed: bool, reason: str) -> dict[str, Any]:
    return {"passed": passed, "reason": reason[:1000]}


_ORACLE: KBOracle | None = None
_ORACLE_LOCK = threading.Lock()


def get_oracle() -> KBOracle:
    global _ORACLE
    if _ORACLE is None:
        with _ORACLE_LOCK:
            if _ORACLE is None:
                _ORACLE = KBOracle()
    return _ORACLE


def answer_messages(messages: list[BaseMessage]) -> dict[str, Any]:
    """The reference answer (a JSON-able dict) to rendered pipeline messages."""
    parsed = parse_prompt(messages)
    if parsed is None:
        return dict(NOT_A_PIPELINE_PROMPT)
    return get_oracle().answer(*parsed)


class ReferenceModel(PipelineChatModel):
    """Deterministic KB-backed chat model ("reference-kb"); the default for every role."""

    model_name: str = MODEL_NAME

    def _reply(self, messages: list[BaseMessage]) -> str:
        return json.dumps(answer_messages(messages), ensure_ascii=False)
