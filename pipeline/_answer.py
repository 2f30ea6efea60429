"""Plain-language answer composition (pure functions, no model calls).

`draft_answer` writes one line per pair plus notes (unrecognised names, duplicate
therapy) and the caution; the evaluators check this draft. `final_answer` puts a
one-line headline for the query verdict in front of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.kb._text import normalise
from pipeline.nodes._policy import guidance
from pipeline.schemas import UnresolvedMention
from pipeline.state import DrugEntry, PairOutcome

__all__ = [
    "CAUTION",
    "NO_EVIDENCE_PHRASE",
    "Duplicate",
    "did_you_mean",
    "display_names",
    "draft_answer",
    "duplicate_line",
    "final_answer",
    "find_duplicates",
    "is_therapeutic_class",
    "pair_line",
]

CAUTION = (
    "This is not medical advice: check with your doctor or pharmacist before starting, "
    "stopping or combining medicines."
)
NO_EVIDENCE_PHRASE = "no interaction found in the sources checked — not proof of safety"
INTERACTION_WORD = "INTERACTION"
UNRESOLVED_PHRASE = "could not be determined"

# ANSM groups that describe a shared effect or metabolism, not a therapeutic class:
# two members of such a group are not "duplicate therapy".
_NOT_THERAPEUTIC = re.compile(
    r"^(?:autres\b|médicaments\b|substances\b|substrats\b|inhibiteurs puissants\b|"
    r"inducteurs\b|hyperkaliémiants|hypokaliémiants|hyponatrémiants|bradycardisants|"
    r"antabuse|torsadogènes|cytotoxiques|anticorps monoclonaux|topiques\b|"
    r"antihypertenseurs sauf|dopaminergiques$)"
    r"|susceptibles de|métabolisés|à risque|par extrapolation|\+",
    re.IGNORECASE,
)


def is_therapeutic_class(name: str) -> bool:
    """Heuristic: an ANSM class that groups drugs with the same therapeutic use."""
    return not _NOT_THERAPEUTIC.search(name.strip())


@dataclass(frozen=True)
class Duplicate:
    kind: str  # "same_drug" | "same_class"
    keys: tuple[str, ...]
    names: tuple[str, ...]  # the mentions (same_drug) or drug names (same_class)
    label: str  # drug name (same_drug) or class name (same_class)


def find_duplicates(drugs: Sequence[DrugEntry]) -> list[Duplicate]:
    """The same drug named twice, and pairs of drugs sharing a therapeutic class."""
    out: list[Duplicate] = []
    for d in drugs:
        if len(d.mentions) > 1:
            out.append(Duplicate("same_drug", (d.key,), tuple(d.mentions), d.name))
    ordered = sorted(drugs, key=lambda d: d.key)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            shared = sorted(c for c in set(a.classes) & set(b.classes) if is_therapeutic_class(c))
            if shared:
                out.append(Duplicate("same_class", (a.key, b.key), (a.name, b.name), shared[0]))
    return out


def duplicate_line(dup: Duplicate) -> str:
    if dup.kind == "same_drug":
        names = " and ".join(f"'{n}'" for n in dup.names)
        return (
            f"Note: {names} are the same medicine ({dup.label}) — taking both would double "
            "the dose (duplicate therapy)."
        )
    return (
        f"Note: {dup.names[0]} and {dup.names[1]} belong to the same therapeutic class "
        f"({dup.label}, ANSM) — taking both may duplicate therapy."
    )


def _short(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def did_you_mean(suggestions: Sequence[str]) -> str:
    """The " (did you mean: a, b, c?)" hint after an unrecognised name ("" without
    suggestions): one wording in the answer, the report and the CLI."""
    return f" (did you mean: {', '.join(suggestions[:3])}?)" if suggestions else ""


def pair_line(outcome: PairOutcome, names: dict[str, str]) -> str:
    """One line per pair: severity with the source's own level, why, what to do."""
    a, b = outcome.pair
    label = f"{names.get(a, a)} + {names.get(b, b)}"
    if outcome.verdict == "interacts":
        severity = outcome.severity if outcome.severity != "unknown" else "severity unknown"
        line = f"{label}: {INTERACTION_WORD} ({severity}"
        line += f"; {outcome.source_level})." if outcome.source_level else ")."
        if outcome.summary:
            line += f" Why: {_short(outcome.summary)}"
            if not line.endswith((".", "…")):
                line += "."
        if outcome.condition:
            line += f" Depends on: {_short(outcome.condition, 300)}"
            if not line.endswith((".", "…")):
                line += "."
        line += f" What to do: {_short(outcome.management or guidance(outcome.severity), 400)}"
        return line
    if outcome.verdict == "no_evidence":
        return f"{label}: {NO_EVIDENCE_PHRASE}."
    why = "; ".join(outcome.reasons) if outcome.reasons else "the checks were inconclusive"
    return f"{label}: {UNRESOLVED_PHRASE} ({_short(why, 160)}) — ask a pharmacist or doctor."


def display_names(drugs: Sequence[DrugEntry]) -> dict[str, str]:
    """key -> "Warfarin (Coumadin)": the canonical name plus the user's wording if different."""

    out = {}
    for d in drugs:
        own = [m for m in d.mentions if normalise(m) != normalise(d.name)]
        out[d.key] = f"{d.name} ({', '.join(own[:2])})" if own else d.name
    return out


def product_readings(drugs: Sequence[DrugEntry]) -> list[tuple[str, list[str]]]:
    """(mention, ingredient names) for every combination, formulation or everyday name:
    "Percocet" -> oxycodone + acetaminophen."""
    out: dict[str, list[str]] = {}
    for d in drugs:
        if d.match_kind == "product":
            out.setdefault(d.mentions[0], []).append(d.name)
    return list(out.items())


def draft_answer(
    drugs: Sequence[DrugEntry],
    outcomes: Sequence[PairOutcome],
    unresolved: Sequence[UnresolvedMention] = (),
) -> str:
    names = display_names(drugs)
    order = {"interacts": 0, "unresolved": 1, "no_evidence": 2}
    lines = [
        pair_line(o, names)
        for o in sorted(outcomes, key=lambda o: (order.get(o.verdict, 3), o.pair))
    ]
    for mention, parts in product_readings(drugs):
        lines.append(f"Read '{mention}' as {' + '.join(parts)}.")
    for u in unresolved:
        lines.append(
            f"Not recognised as a medicine: '{u.mention}' — it was not checked"
            f"{did_you_mean(u.suggestions)}."
        )
    for dup in find_duplicates(drugs):
        lines.append(duplicate_line(dup))
    if not drugs:
        lines.append("No medicine was recognised in the question, so nothing was checked.")
    elif len(drugs) == 1:
        lines.append(f"Only one drug found ({drugs[0].name}): there is nothing to pair.")
    lines.append(CAUTION)
    return "\n".join(lines)


def final_answer(
    draft: str, verdict: str, outcomes: Sequence[PairOutcome], reasons: Sequence[str]
) -> str:
    n_yes = sum(o.verdict == "interacts" for o in outcomes)
    if verdict == "interaction":
        head = (
            f"Interaction found: {n_yes} of {len(outcomes)} drug "
            f"pair{'s' if len(outcomes) != 1 else ''} checked "
            f"interact{'s' if n_yes == 1 else ''}."
        )
    elif verdict == "no_known_interaction":
        head = (
            "No known interaction was found in the sources checked — this is not proof of safety."
        )
    else:
        first = _short(reasons[0], 200) if reasons else "the checks did not all pass"
        head = f"Needs review by a pharmacist or doctor: {first}"
        if len(reasons) > 1:
            head += f" (and {len(reasons) - 1} more reason{'s' if len(reasons) > 2 else ''})"
        head += "."
    return f"{head}\n{draft}"
