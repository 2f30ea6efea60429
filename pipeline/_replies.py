"""Reading model replies: messy text in, a validated answer (or a one-line reason) out.

Real chat models rarely answer in exactly the requested shape: they fence their JSON,
capitalise values ("Yes", "Major"), add keys ("reasoning"), hedge ("probably", "moderate
to major", confidence 85) or answer in prose ("Yes — taking these together ...").
For a recall-first product a clear yes must never be thrown away over formatting, so a
reply is read in three steps:

1. `extract_json` finds the JSON object (whole text, code fence, or first balanced
   ``{...}``), bounded in size and nesting so a hostile reply cannot stall or crash us;
2. `normalise_answer` maps it leniently onto the schema (case, synonyms, severity words
   and ranges read at their most severe, percent confidences, extra keys dropped);
3. if there is no JSON, `read_prose` reads an unambiguous leading yes (or an explicit
   "no known interaction") from the prose, at a lower confidence.

The result is then validated by the pydantic schema; failures come back as a reason
string (used in the repair retry that quotes the error back to the model).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from pipeline.schemas import (
    SEVERITY_ORDER,
    AlternateNames,
    ExtractedMentions,
    JudgeVerdict,
    ProbeVerdict,
)

__all__ = [
    "MAX_REPLY_CHARS",
    "clip",
    "extract_json",
    "normalise_answer",
    "read_prose",
    "read_reply",
]

#: replies longer than this are refused before any parsing (a real answer is < 2 kB)
MAX_REPLY_CHARS = 100_000
_MAX_SCAN = 200  # candidate "{" positions tried when the reply is not pure JSON
_MAX_DEPTH = 64  # deeper nesting is refused before decoding (no RecursionError)
_FENCE_RE = re.compile(r"```[ \t]*(?:json|JSON|json5)?[ \t]*\r?\n?(.*?)```", re.DOTALL)


def _too_deep(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in "{[":
            depth += 1
            if depth > _MAX_DEPTH:
                return True
        elif ch in "}]":
            depth -= 1
    return False


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def extract_json(text: str) -> dict[str, Any] | None:
    """The first JSON object in a model reply: whole text, a code fence, or the first
    balanced {...} that decodes (leading/trailing prose ignored). None if there is none,
    if the reply is longer than `MAX_REPLY_CHARS` or nested deeper than 64 levels."""
    if not isinstance(text, str):
        return None
    s = text.strip()
    if not s or len(s) > MAX_REPLY_CHARS or _too_deep(s):
        return None
    if s[0] == "{":
        value = _loads(s)
        if isinstance(value, dict):
            return value
    for m in _FENCE_RE.finditer(s):
        value = _loads(m.group(1).strip())
        if isinstance(value, dict):
            return value
    decoder = json.JSONDecoder()
    i = s.find("{")
    scanned = 0
    while i != -1 and scanned < _MAX_SCAN:
        try:
            value, _ = decoder.raw_decode(s, i)
            if isinstance(value, dict):
                return value
        except (ValueError, RecursionError):
            pass
        scanned += 1
        i = s.find("{", i + 1)
    return None


# --------------------------------------------------------------------------- normalising


def _words(value: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9%.\- ]+", " ", value.lower()).split())


_YES = {"yes", "y", "true", "interacts", "interaction", "present", "positive", "1"}
#: hedged yes -> the most confidence it can carry ("likely" > "possible")
_HEDGED_YES = {
    "likely": 0.6,
    "probably": 0.6,
    "probable": 0.6,
    "probably yes": 0.6,
    "likely yes": 0.6,
    "yes probably": 0.6,
    "yes likely": 0.6,
    "possible": 0.5,
    "possibly": 0.5,
    "possibly yes": 0.5,
    "maybe": 0.5,
    "potentially": 0.5,
    "may": 0.5,
}
_NO = {"no", "n", "false", "none", "negative", "0", "no interaction", "no known interaction"}
_HEDGED_NO = {"unlikely", "probably not", "likely not", "probably no", "likely no"}
_UNKNOWN = {"unknown", "unsure", "uncertain", "not sure", "unclear", "null", "n a", "na", ""}
_HEDGED_CONFIDENCE = 0.6  # a hedged or prose answer is never read as a confident one

_SEVERITY_WORDS: dict[str, str] = {
    "contraindicated": "contraindicated",
    "contraindication": "contraindicated",
    "contra-indicated": "contraindicated",
    "contra-indication": "contraindicated",
    "contraindications": "contraindicated",
    "major": "major",
    "severe": "major",
    "serious": "major",
    "high": "major",
    "significant": "major",
    "moderate": "moderate",
    "medium": "moderate",
    "intermediate": "moderate",
    "minor": "minor",
    "mild": "minor",
    "low": "minor",
    "minimal": "minor",
}
_SEVERITY_RE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _SEVERITY_WORDS), key=len, reverse=True)) + r")\b"
)
_CONFIDENCE_WORDS = {"very high": 0.9, "high": 0.8, "medium": 0.6, "moderate": 0.6, "low": 0.3}

_PROBE_ALIASES = {
    "interacts": "interacts",
    "interaction": "interacts",
    "interacting": "interacts",
    "has_interaction": "interacts",
    "interaction_exists": "interacts",
    "drug_interaction": "interacts",
    "severity": "severity",
    "severity_level": "severity",
    "mechanism": "mechanism",
    "confidence": "confidence",
    "confidence_score": "confidence",
    "probability": "confidence",
    "certainty": "confidence",
}
_JUDGE_ALIASES = {"passed": "passed", "pass": "passed", "verdict": "passed", "reason": "reason"}


def _severity(value: Any) -> str | None:
    """A severity word, or a range ("moderate to major") read at its most severe."""
    if value is None:
        return "unknown"
    found = [_SEVERITY_WORDS[w] for w in _SEVERITY_RE.findall(str(value).lower())]
    if found:
        return min(found, key=SEVERITY_ORDER.index)
    return "unknown" if _words(str(value)) in _UNKNOWN | {"none", "no"} else None


def _confidence(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _CONFIDENCE_WORDS:
            return _CONFIDENCE_WORDS[text]
        percent = text.endswith("%")
        try:
            number = float(text.rstrip("%").strip())
        except ValueError:
            return None
        value = number / 100 if percent else number
    if not isinstance(value, int | float) or value != value:  # NaN
        return None
    if 1 < value <= 100:
        value = value / 100
    return min(max(float(value), 0.0), 1.0)


def _interacts(value: Any) -> tuple[str | None, float | None]:
    """(yes / no / unknown, or None if unreadable; the confidence cap of a hedged word)."""
    if isinstance(value, bool):
        return ("yes" if value else "no"), None
    if value is None:
        return "unknown", None
    text = _words(str(value)).strip(". ")
    if text in _HEDGED_YES:
        return "yes", _HEDGED_YES[text]
    if text in _YES or text.startswith("yes "):
        return "yes", None
    if text in _HEDGED_NO:
        return "no", _HEDGED_CONFIDENCE
    if text in _NO or text.startswith("no "):
        return "no", None
    if text in _UNKNOWN:
        return "unknown", None
    return None, None


def _rename(obj: dict[str, Any], aliases: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        name = aliases.get(re.sub(r"[\s\-]+", "_", str(key).strip().lower()))
        if name is not None and name not in out:
            out[name] = value
    return out


def _unwrap(obj: dict[str, Any], aliases: dict[str, str]) -> dict[str, Any]:
    """{"answer": {...}} / {"result": {...}}: the inner object when only it has fields."""
    if not _rename(obj, aliases) and len(obj) == 1:
        inner = next(iter(obj.values()))
        if isinstance(inner, dict):
            return inner
    return obj


def _normalise_probe(obj: dict[str, Any]) -> dict[str, Any]:
    obj = _rename(_unwrap(obj, _PROBE_ALIASES), _PROBE_ALIASES)
    cap = None
    if "interacts" in obj:
        interacts, cap = _interacts(obj["interacts"])
        if interacts is not None:
            obj["interacts"] = interacts
    if "severity" in obj:
        severity = _severity(obj["severity"])
        if severity is not None:
            obj["severity"] = severity
    if "confidence" in obj:
        confidence = _confidence(obj["confidence"])
        if confidence is None:
            del obj["confidence"]
        else:
            obj["confidence"] = confidence
    if cap is not None:
        obj["confidence"] = min(obj.get("confidence", cap), cap)
    if "mechanism" in obj:
        mechanism = obj["mechanism"]
        if not isinstance(mechanism, str):
            mechanism = "" if mechanism is None else json.dumps(mechanism, ensure_ascii=False)
        obj["mechanism"] = clip(mechanism, 500)
    return obj


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut to at most `limit` characters (with an ellipsis)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _normalise_judge(obj: dict[str, Any]) -> dict[str, Any]:
    obj = _rename(_unwrap(obj, _JUDGE_ALIASES), _JUDGE_ALIASES)
    passed = obj.get("passed")
    if isinstance(passed, str):
        text = _words(passed)
        if text in {"yes", "true", "pass", "passed", "ok"}:
            obj["passed"] = True
        elif text in {"no", "false", "fail", "failed"}:
            obj["passed"] = False
    if "reason" in obj:
        obj["reason"] = clip(str(obj["reason"] or ""), 1000)
    return obj


def _normalise_mentions(obj: dict[str, Any]) -> dict[str, Any]:
    items = obj.get("mentions", obj.get("drugs", obj.get("names")))
    if not isinstance(items, list):
        return obj
    mentions = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("text", item.get("name", item.get("drug", item.get("mention"))))
        if isinstance(item, str) and item.strip():
            mentions.append({"text": item.strip()})
    return {"mentions": mentions}


def _normalise_names(obj: dict[str, Any]) -> dict[str, Any]:
    names = obj.get("names", obj.get("alternate_names", obj.get("synonyms")))
    if isinstance(names, str):
        names = re.split(r"[,;\n]", names)
    if not isinstance(names, list):
        return obj
    out = []
    for name in names:
        if isinstance(name, dict):
            name = name.get("name")
        if isinstance(name, str) and name.strip():
            out.append(name.strip())
    return {"names": out}


_NORMALISERS: dict[type[BaseModel], Callable[[dict[str, Any]], dict[str, Any]]] = {
    ProbeVerdict: _normalise_probe,
    JudgeVerdict: _normalise_judge,
    ExtractedMentions: _normalise_mentions,
    AlternateNames: _normalise_names,
}


def normalise_answer(obj: dict[str, Any], schema: type[BaseModel]) -> dict[str, Any]:
    """`obj` mapped leniently onto `schema`'s fields (unknown schemas pass through)."""
    normaliser = _NORMALISERS.get(schema)
    return normaliser(dict(obj)) if normaliser else obj


# --------------------------------------------------------------------------- prose

_MARKUP_RE = re.compile(r"[*_#>`]+")
_LEADING_YES_RE = re.compile(r"^\W*(?:answer\W+)?yes\b", re.IGNORECASE)
_LEADING_NO_RE = re.compile(r"^\W*(?:answer\W+)?no\b", re.IGNORECASE)
_POSITIVE_RE = re.compile(
    r"^\W*(?:there\s+is|there's)\s+(?:an?\s+)?(?:known\s+|clinically\s+\w+\s+|significant\s+"
    r"|well[- ]documented\s+|important\s+)*interaction\b|^\W*(?:they|these|the\s+two)\s+"
    r"(?:drugs\s+|medicines\s+)?(?:do\s+)?interact\b",
    re.IGNORECASE,
)
_NO_INTERACTION_RE = re.compile(
    r"\bno\s+(?:known\s+|clinically\s+(?:significant|relevant)\s+|significant\s+|relevant\s+)*"
    r"interactions?\b|\b(?:do|does)\s+not\s+(?:\w+\s+)?interact\b",
    re.IGNORECASE,
)
# words that say the combination carries a risk: a leading "No" next to them may mean
# "no, do not take them together", so it is not read as "no interaction"
_RISK_RE = re.compile(
    r"\b(?:avoid|contraindicat\w*|should\s+not|must\s+not|risk|danger\w*|increase[sd]?|"
    r"toxic\w*|bleed\w*|serotonin|caution|monitor\w*|severe|serious|major|moderate|harm\w*)\b",
    re.IGNORECASE,
)
_SEVERITY_LABEL_RE = re.compile(r"\bseverity\s*[:=-]\s*([a-z\- ]{3,40})", re.IGNORECASE)
_LEADING_PASS_RE = re.compile(r"^\W*(pass(?:ed)?|fail(?:ed)?)\b", re.IGNORECASE)


def _sentences(text: str, count: int) -> str:
    parts = re.split(r"(?<=[.!?])\s+", text)
    return " ".join(parts[:count])


def read_prose(text: str, schema: type[BaseModel]) -> dict[str, Any] | None:
    """An answer read from a prose reply, or None when the prose is not unambiguous.

    A probe reply counts as yes when it opens with "Yes" or with "there is a (known)
    interaction"; as no only when it opens with "No", says "no (known) interaction" and
    mentions no risk. Severity comes from a "Severity: ..." label, else the most severe
    severity word; confidence is capped (prose is never read as a confident answer).
    """
    plain = " ".join(_MARKUP_RE.sub(" ", text).split())
    if schema is JudgeVerdict:
        m = _LEADING_PASS_RE.match(plain)
        if not m:
            return None
        return {"passed": m.group(1).lower().startswith("pass"), "reason": clip(plain, 1000)}
    if schema is not ProbeVerdict:
        return None
    opening = _sentences(plain, 2)
    if _LEADING_YES_RE.match(plain) or _POSITIVE_RE.match(plain):
        if _LEADING_NO_RE.match(plain) or re.match(r"^\W*yes\W+and\W+no\b", plain, re.I):
            return None
        label = _SEVERITY_LABEL_RE.search(plain)
        severity = _severity(label.group(1)) if label else None
        if severity in (None, "unknown"):
            severity = _severity(plain) or "unknown"
        mechanism = re.sub(r"^\W*yes\W*", "", _sentences(plain, 2), flags=re.IGNORECASE)
        return {
            "interacts": "yes",
            "severity": severity,
            "mechanism": clip(mechanism, 500),
            "confidence": _HEDGED_CONFIDENCE,
        }
    if _LEADING_NO_RE.match(plain) and _NO_INTERACTION_RE.search(opening):
        if _RISK_RE.search(plain):
            return None
        return {
            "interacts": "no",
            "severity": "unknown",
            "mechanism": clip(opening, 500),
            "confidence": _HEDGED_CONFIDENCE,
        }
    return None


# --------------------------------------------------------------------------- the reader

_REFUSAL_RE = re.compile(
    r"\b(?:i\s*(?:can'?not|can'?t|cannot|am\s+(?:not\s+able|unable)|'m\s+(?:not\s+able|unable"
    r"|sorry)|won'?t|am\s+sorry)|as\s+an\s+ai\b|i\s+(?:must|have\s+to)\s+decline|not\s+able\s+"
    r"to\s+(?:provide|give)\s+medical)",
    re.IGNORECASE,
)


def _snippet(text: str) -> str:
    return " ".join(text[:400].split())[:120]


def read_reply(
    text: str,
    schema: type[BaseModel],
    check: Callable[[BaseModel], str | None] | None = None,
) -> tuple[BaseModel | None, str | None]:
    """(validated answer, None) or (None, one-line reason the reply could not be used)."""
    if not isinstance(text, str) or not text.strip():
        return None, "empty reply"
    if len(text) > MAX_REPLY_CHARS:
        return None, f"reply too long ({len(text):,} characters; limit {MAX_REPLY_CHARS:,})"
    obj = extract_json(text)
    if obj is None:
        obj = read_prose(text, schema)
        if obj is None:
            if _REFUSAL_RE.search(text.replace("\u2019", "'")):
                return None, f"refusal: {_snippet(text)!r}"
            return None, f"no JSON object in reply: {_snippet(text)!r}"
    elif set(obj) == {"error"}:
        return None, f"model error: {str(obj['error'])[:200]}"
    try:
        value = schema.model_validate(normalise_answer(obj, schema))
    except ValidationError as exc:
        errs = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}"
            for e in exc.errors()[:3]
        )
        return None, f"invalid {schema.__name__}: {errs}"
    if check is not None:
        problem = check(value)
        if problem:
            return None, problem
    return value, None
