"""class_effects: no_evidence pairs where the knowledge base or pharmacology suggests a risk.

Flags a no_evidence pair when a mechanism rule of the pharmacology profiles fires on it
(independent evidence: the profiles are written apart from the thesaurus, and they are
consulted here even when the query left the pharmacology source out).

Flags a no_evidence pair the sources decided alone (the models' votes would have left it
unresolved: they knew nothing) when the two profiles share a mechanism below the rules'
thresholds (both lower blood pressure; a weak inhibitor of a pathway the other needs):
the rules' silence is then doubt, not "nothing found".

Flags a no_evidence pair when the KB lists the pair itself, or when at least half (and at
least two) of the other members of a therapeutic ANSM class of one drug interact with the
other drug (class-level knowledge the entry-by-entry thesaurus may not spell out for this
member). Effect groups ("médicaments sédatifs", "hyponatrémiants", ...) are skipped: the
thesaurus already expands their class-level entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline._answer import is_therapeutic_class
from pipeline.evaluators._base import EvalInput, failure
from pipeline.evidence import PharmacologyRules, default_sources
from pipeline.kb import load_kb
from pipeline.nodes._policy import PolicyParams, decide
from pipeline.schemas import Evaluation

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "class_effects"
MIN_SHARE = 0.5
MIN_MEMBERS = 2
MAX_CLASS = 80  # very broad effect groups say little about one member


def class_signal(kb, drug: str, other: str) -> str | None:
    """Why the KB suggests `drug` (through its classes) interacts with `other`, or None."""
    partners = None

    for cls in kb.classes_of(drug):
        if not is_therapeutic_class(cls):
            continue
        members = [m for m in kb.class_members(cls) if m not in (drug, other)]
        if len(members) < MIN_MEMBERS or len(members) > MAX_CLASS:
            continue
        if partners is None:
            partners = kb.interacting_partners(other)
        hits = [m for m in members if m in partners]
        if len(hits) >= MIN_MEMBERS and len(hits) / len(members) >= MIN_SHARE:
            return (
                f"{len(hits)} of {len(members)} other members of '{cls}' interact with {other} "
                f"(e.g. {', '.join(sorted(hits)[:3])})"
            )
    return None


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:

    kb = load_kb()
    pharmacology = default_sources(("pharm", "onc"))
    rules = next(s for s in pharmacology if isinstance(s, PharmacologyRules))
    params = PolicyParams.from_context(ctx)
    findings: list[str] = []
    pairs = []
    for o in inp.outcomes:
        if o.verdict != "no_evidence":
            continue
        a, b = o.pair
        direct = kb.interactions(a, b)
        if direct:
            findings.append(f"{a}+{b}: the KB lists an interaction ({direct[0].severity})")
            pairs.append(o.pair)
            continue
        mechanism = [e for s in pharmacology for e in s.lookup(a, b)]
        if mechanism:
            findings.append(f"{a}+{b}: {mechanism[0].level}: {mechanism[0].mechanism}")
            pairs.append(o.pair)
            continue
        shared = rules.shared(a, b) if decide(o.votes, params) != "no_evidence" else []
        if shared:
            findings.append(
                f"{a}+{b}: the models had no answer and the profiles share a mechanism below "
                f"the rules' thresholds: {'; '.join(shared[:3])}"
            )
            pairs.append(o.pair)
            continue
        why = class_signal(kb, a, b) or class_signal(kb, b, a)
        if why:
            findings.append(f"{a}+{b}: class-level risk: {why}")
            pairs.append(o.pair)
    if findings:
        return failure(NAME, findings, pairs)
    n = sum(o.verdict == "no_evidence" for o in inp.outcomes)
    return Evaluation(
        name=NAME,
        passed=True,
        reason=f"{n} no_evidence pair(s): no KB, class-level or mechanism signal",
    )
