"""Mechanism rules: interactions derived from two pharmacology profiles.

Each rule reads facts of the two profiles (``_profiles``) and returns zero or more
findings, each with a graded severity, an English mechanism sentence naming both drugs,
management advice and the facts it fired on. Findings are *inferred* (mechanism-based):
no reference lists the pair; the facts behind it are each sourced.

Severity comes from the strength of the facts (FDA classes for inhibitors and inducers,
sensitive / moderate / minor substrates, high / moderate / low effects): a strong
inhibitor of the pathway that clears a sensitive narrow-index substrate is major; weak
against minor is nothing. Additive effects need both drugs to have the effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

from pipeline.evidence._profiles import Fact, Profile

__all__ = ["Finding", "RULES", "find_interactions"]

_PK_SCORE = {"strong": 3, "moderate": 2, "weak": 1}
_SUBSTRATE_SCORE = {"sensitive": 3, "moderate": 2, "minor": 1}
_LEVEL_SCORE = {"high": 3, "moderate": 2, "low": 1}
_RANK = {"contraindicated": 0, "major": 1, "moderate": 2, "minor": 3}


@dataclass(frozen=True)
class Finding:
    """One mechanism-based interaction between two profiles."""

    rule: str
    severity: str  # contraindicated | major | moderate | minor
    mechanism: str
    management: str
    facts: tuple[tuple[str, Fact], ...]  # (drug key, fact) the rule fired on

    @property
    def citation(self) -> str:
        return "; ".join(f"{drug}: {f.source} ({f.year})" for drug, f in self.facts)


def _grade(score: int, thresholds: tuple[int, int, int]) -> str | None:
    """major / moderate / minor from a score and the (major, moderate, minor) thresholds."""
    for severity, at in zip(("major", "moderate", "minor"), thresholds, strict=True):
        if score >= at:
            return severity
    return None


def _facts(profile: Profile, kind: str, target: str | None = None) -> list[Fact]:
    return [f for f in profile.facts if f.kind == kind and (target is None or f.target == target)]


def _note(fact: Fact) -> str:
    return f" ({fact.note.rstrip('.')})" if fact.note else ""


# --- pharmacokinetics -----------------------------------------------------------------

_PK_THRESHOLDS = (6, 5, 4)  # inhibitor/inducer score + substrate score (+1 if narrow index)


def _label_contraindication(sub: Fact, perp: Fact) -> str | None:
    """ "contraindicated" when the substrate's label contraindicates perpetrators of this
    class and strength (a strong inhibitor also meets "moderate inhibitor")."""
    role = "inhibitor" if perp.kind == "inhibitor" else "inducer"
    meets = {"strong": ("strong", "moderate"), "moderate": ("moderate",)}.get(perp.strength, ())
    if any(f"{s} {role}" in sub.contraindicated_with for s in meets):
        return "contraindicated"
    return None


def _substrate_phrase(fact: Fact) -> str:
    nti = " with a narrow therapeutic index" if fact.nti else ""
    return f"a {fact.strength} {fact.target} substrate{nti}"


def inhibition(perp: Profile, victim: Profile) -> list[Finding]:
    """An inhibitor of the enzyme or transporter that clears the other drug."""
    out = []
    for inh in _facts(perp, "inhibitor"):
        for sub in _facts(victim, "substrate", inh.target):
            score = _PK_SCORE[inh.strength] + _SUBSTRATE_SCORE[sub.strength] + sub.nti
            severity = _label_contraindication(sub, inh) or _grade(score, _PK_THRESHOLDS)
            if severity is None:
                continue
            a, b = perp.drug, victim.drug
            if inh.target == "renal lithium clearance":
                mechanism = (
                    f"{a} lowers the renal clearance of {b}{_note(inh)}; {b} has a narrow "
                    f"therapeutic index: {b} levels rise, with a risk of toxicity."
                )
            else:
                mechanism = (
                    f"{a} is a {inh.strength} {inh.target} inhibitor{_note(inh)} and {b} is "
                    f"{_substrate_phrase(sub)}{_note(sub)}: {b} exposure rises, with more of "
                    "its dose-related adverse effects."
                )
            levels = f" and {b} levels" if sub.nti else ""
            management = {
                "contraindicated": f"Do not combine ({b}'s label contraindicates {inh.strength} "
                f"{inh.target} inhibitors); choose an alternative to {a} or to {b}.",
                "major": f"Avoid the combination or choose an alternative to {a} that does "
                f"not inhibit {inh.target}; if it must be used, lower the {b} dose and "
                f"monitor closely for {b} toxicity{levels}.",
                "moderate": f"Monitor for increased {b} effects{levels} and adjust its dose; "
                f"consider an alternative to {a}.",
                "minor": f"Usually no change needed; be alert to increased {b} effects.",
            }[severity]
            out.append(
                Finding("enzyme_inhibition", severity, mechanism, management, ((a, inh), (b, sub)))
            )
    return out


def induction(perp: Profile, victim: Profile) -> list[Finding]:
    """An inducer of the enzyme or transporter that clears the other drug."""
    out = []
    for ind in _facts(perp, "inducer"):
        for sub in _facts(victim, "substrate", ind.target):
            score = _PK_SCORE[ind.strength] + _SUBSTRATE_SCORE[sub.strength] + sub.nti
            severity = _label_contraindication(sub, ind) or _grade(score, _PK_THRESHOLDS)
            if severity is None:
                continue
            a, b = perp.drug, victim.drug
            mechanism = (
                f"{a} is a {ind.strength} {ind.target} inducer{_note(ind)} and {b} is "
                f"{_substrate_phrase(sub)}{_note(sub)}: {b} exposure falls, with a risk of "
                f"loss of effect (and of toxicity when {a} is stopped)."
            )
            management = (
                f"Do not combine ({b}'s label contraindicates {ind.strength} {ind.target} "
                f"inducers); choose an alternative to {a} or to {b}."
                if severity == "contraindicated"
                else f"Avoid the combination where possible; otherwise monitor the effect of {b}"
                + (" and its levels" if sub.nti else "")
                + f", adjust its dose, and re-adjust for about two weeks after {a} is stopped."
            )
            out.append(
                Finding("enzyme_induction", severity, mechanism, management, ((a, ind), (b, sub)))
            )
    return out


def prodrug_activation(perp: Profile, victim: Profile) -> list[Finding]:
    """An inhibitor (less active drug) or inducer (more active drug) of the enzyme that
    activates a prodrug."""
    out = []
    for pro in _facts(victim, "prodrug"):
        a, b = perp.drug, victim.drug
        for inh in _facts(perp, "inhibitor", pro.target):
            score = _PK_SCORE[inh.strength] + (3 if pro.strength == "major" else 1)
            severity = _grade(score, (6, 5, 4))
            if severity is None:
                continue
            mechanism = (
                f"{b} is a prodrug activated by {pro.target}{_note(pro)}, which {a} inhibits "
                f"({inh.strength} inhibitor): less active drug forms and {b} may fail."
            )
            management = (
                f"Choose an alternative to {a} (or to {b}) that does not depend on "
                f"{pro.target}; if combined, watch for loss of {b}'s effect."
            )
            facts = ((a, inh), (b, pro))
            out.append(Finding("prodrug_inhibition", severity, mechanism, management, facts))
        for ind in _facts(perp, "inducer", pro.target):
            severity = "moderate" if ind.strength == "strong" and pro.strength == "major" else None
            if severity is None:
                continue
            mechanism = (
                f"{b} is a prodrug activated by {pro.target}, which {a} induces: more active "
                f"drug forms, with more of {b}'s adverse effects."
            )
            management = f"Monitor for increased {b} effects; lower its dose if needed."
            facts = ((a, ind), (b, pro))
            out.append(Finding("prodrug_induction", severity, mechanism, management, facts))
    return out


# --- absorption -----------------------------------------------------------------------

_ABSORPTION_TEXT = {
    "polyvalent_cations": (
        "supplies polyvalent cations (calcium, magnesium, aluminium, iron or zinc)",
        "falls when it binds (chelates) them in the gut",
        "Separate the doses: take {b} at least 2 hours before or 4-6 hours after {a} "
        "(follow {b}'s label).",
        (7, 4, 3),
    ),
    "gastric_acid": (
        "raises gastric pH",
        "needs an acid stomach",
        "Avoid the combination if possible; if acid suppression is needed, follow {b}'s "
        "label on the choice of acid reducer, its dose and timing.",
        (6, 4, 3),
    ),
    "binding_resins": (
        "is a bile-acid binding resin",
        "falls when the resin binds it in the gut",
        "Take {b} at least 4 hours before or 4-6 hours after {a}, and monitor its effect.",
        (7, 4, 3),
    ),
}


def absorption(perp: Profile, victim: Profile) -> list[Finding]:
    """A drug that chelates, neutralises acid or binds in the gut, against a drug whose
    absorption falls with it."""
    out = []
    for per in _facts(perp, "absorption_perpetrator"):
        for vic in _facts(victim, "absorption", per.target):
            doing, suffering, advice, thresholds = _ABSORPTION_TEXT[per.target]
            score = _LEVEL_SCORE[per.strength] + _LEVEL_SCORE[vic.strength]
            severity = _grade(score, thresholds)
            if severity is None:
                continue
            a, b = perp.drug, victim.drug
            mechanism = (
                f"{a} {doing}{_note(per)} and the absorption of {b} {suffering}{_note(vic)}: "
                f"{b} levels fall and it may fail."
            )
            management = advice.format(a=a, b=b)
            out.append(
                Finding("reduced_absorption", severity, mechanism, management, ((a, per), (b, vic)))
            )
    return out


# --- pharmacodynamics -----------------------------------------------------------------


@dataclass(frozen=True)
class _Effect:
    phrase: str  # "prolong the QT interval"
    consequence: str  # "with a higher risk of torsades de pointes"
    management: str
    thresholds: tuple[int, int, int]  # (major, moderate, minor) on the summed strengths
    top: str = "major"  # the severity the top score gives (contraindicated for a few)


_NEVER = 99
_EFFECTS: dict[str, _Effect] = {
    "qt_prolongation": _Effect(
        "prolong the QT interval",
        "a higher risk of torsades de pointes and sudden death",
        "Avoid the combination when possible; if needed, check a baseline ECG, potassium and "
        "magnesium, and monitor the QT interval.",
        (6, 5, 4),
    ),
    "serotonergic": _Effect(
        "raise serotonergic activity",
        "a risk of serotonin syndrome (agitation, tremor, clonus, hyperthermia)",
        "Combine only if needed, at low doses, and tell the patient the signs of serotonin "
        "syndrome; stop both and seek care if they appear.",
        (6, 4, _NEVER),
    ),
    "mao_inhibition": _Effect(
        "inhibit monoamine oxidase",
        "a risk of hypertensive crisis and serotonin syndrome",
        "Do not combine MAO inhibitors; allow the washout stated in the labels.",
        (4, 3, _NEVER),
    ),
    "bleeding": _Effect(
        "increase the risk of bleeding",
        "more bleeding, including gastrointestinal and intracranial bleeding",
        "Avoid unless clearly indicated; if combined, watch for bleeding (black stools, "
        "bruising, blood in urine), consider gastric protection and monitor INR or blood "
        "counts where relevant.",
        (5, 4, 3),
    ),
    "cns_depression": _Effect(
        "depress the central nervous system",
        "more sedation, falls and impaired driving",
        "Avoid or use the lowest doses; warn about drowsiness, driving and alcohol.",
        (6, 5, _NEVER),
    ),
    "respiratory_depression": _Effect(
        "depress breathing",
        "a risk of profound sedation, respiratory depression, coma and death",
        "Avoid the combination (FDA boxed warning for opioids with benzodiazepines or other "
        "CNS depressants); if unavoidable, lowest doses, shortest duration, close monitoring.",
        (6, 5, _NEVER),
    ),
    "hyperkalaemia": _Effect(
        "raise serum potassium",
        "a risk of dangerous hyperkalaemia and arrhythmia",
        "Avoid in renal impairment; otherwise monitor potassium and renal function closely, "
        "especially in the first weeks.",
        (6, 4, _NEVER),
    ),
    "hypokalaemia": _Effect(
        "lower serum potassium",
        "a risk of marked hypokalaemia",
        "Monitor potassium and replace it as needed.",
        (_NEVER, 6, 5),
    ),
    "hypoglycaemia": _Effect(
        "lower blood glucose",
        "a higher risk of hypoglycaemia",
        "Monitor blood glucose; a lower dose of the insulin or sulfonylurea may be needed.",
        (_NEVER, 5, 4),
    ),
    "hyponatraemia": _Effect(
        "lower serum sodium",
        "a risk of hyponatraemia (confusion, falls, seizures), especially in older people",
        "Check sodium at the start and if symptoms appear.",
        (_NEVER, 6, 5),
    ),
    "anticholinergic": _Effect(
        "have anticholinergic effects",
        "more confusion, constipation, urinary retention and heat intolerance, especially in "
        "older people",
        "Avoid combining strongly anticholinergic drugs, especially in older people.",
        (_NEVER, 6, 5),
    ),
    "bradycardia": _Effect(
        "slow the heart rate or AV conduction",
        "a risk of severe bradycardia, heart block and hypotension",
        "Monitor heart rate, blood pressure and the ECG; avoid in conduction disease.",
        (6, 5, _NEVER),
    ),
    "hypotension": _Effect(
        "lower blood pressure",
        "a risk of excessive hypotension, dizziness and falls",
        "Monitor blood pressure, especially on standing; start low.",
        (_NEVER, 6, _NEVER),
    ),
    "cgmp_vasodilation": _Effect(
        "dilate vessels through the nitric oxide-cGMP pathway",
        "a risk of severe, sometimes fatal, hypotension",
        "Do not combine (contraindicated in the labels of PDE5 inhibitors and riociguat).",
        (6, _NEVER, _NEVER),
        top="contraindicated",
    ),
    "seizure_threshold": _Effect(
        "lower the seizure threshold",
        "a higher risk of seizures",
        "Avoid in people with epilepsy or other seizure risks; use the lowest doses.",
        (_NEVER, 5, 4),
    ),
    "hepatotoxicity": _Effect(
        "can injure the liver",
        "a higher risk of liver injury",
        "Monitor liver tests; avoid in liver disease.",
        (_NEVER, 5, _NEVER),
    ),
    "nephrotoxicity": _Effect(
        "can injure the kidneys",
        "a higher risk of acute kidney injury",
        "Monitor renal function; keep the patient hydrated.",
        (_NEVER, 5, 4),
    ),
    "myelosuppression": _Effect(
        "suppress the bone marrow",
        "a risk of severe neutropenia, anaemia or thrombocytopenia",
        "Avoid if possible; otherwise monitor blood counts closely.",
        (6, 5, 4),
    ),
    "methaemoglobinaemia": _Effect(
        "can cause methaemoglobinaemia",
        "a higher risk of methaemoglobinaemia",
        "Watch for cyanosis and breathlessness.",
        (_NEVER, 6, 5),
    ),
    "lactic_acidosis": _Effect(
        "can cause lactic acidosis",
        "a higher risk of lactic acidosis",
        "Monitor renal function and acid-base status.",
        (_NEVER, 6, 5),
    ),
    "rhabdomyolysis": _Effect(
        "can injure muscle",
        "a higher risk of myopathy and rhabdomyolysis",
        "Avoid if possible; otherwise use low doses and tell the patient to report muscle "
        "pain or weakness; check CK if it appears.",
        (6, 5, 4),
    ),
    "ototoxicity": _Effect(
        "can damage hearing",
        "a higher risk of hearing loss",
        "Avoid if possible; monitor hearing and drug levels.",
        (_NEVER, 5, 4),
    ),
    "immunosuppression": _Effect(
        "suppress the immune system",
        "a higher risk of serious infections",
        "Monitor for infection; avoid unnecessary combinations.",
        (_NEVER, 6, _NEVER),
    ),
    "hypertension": _Effect(
        "raise blood pressure",
        "a risk of a marked rise in blood pressure",
        "Monitor blood pressure.",
        (_NEVER, 6, 5),
    ),
    "angioedema": _Effect(
        "can cause angioedema",
        "a higher risk of angioedema (swelling of the face, tongue or throat)",
        "Avoid the combination (ACE inhibitors with sacubitril are contraindicated: allow "
        "36 hours between them); tell the patient to seek care for facial or throat swelling.",
        (6, 5, _NEVER),
    ),
    "sympathomimetic": _Effect(
        "stimulate the sympathetic nervous system",
        "more tachycardia and hypertension",
        "Monitor heart rate and blood pressure.",
        (_NEVER, 6, 5),
    ),
}

#: pairs of different effects that interact: (effect of one, effect of the other) ->
#: (severity by the first drug's strength high / moderate / low, mechanism, management)
_CROSS: dict[tuple[str, str], tuple[tuple[str | None, str | None, str | None], str, str]] = {
    ("mao_inhibition", "serotonergic"): (
        ("contraindicated", "major", "moderate"),
        "{a} inhibits monoamine oxidase and {b} raises serotonergic activity: serotonin "
        "syndrome (agitation, clonus, hyperthermia) can follow.",
        "Do not combine; allow the washout stated in the labels (14 days after stopping an "
        "MAO inhibitor; 5 weeks after fluoxetine).",
    ),
    ("mao_inhibition", "sympathomimetic"): (
        ("contraindicated", "major", "moderate"),
        "{a} inhibits monoamine oxidase and {b} is a sympathomimetic: noradrenaline release "
        "is unopposed, with a risk of hypertensive crisis.",
        "Do not combine, including over-the-counter decongestants and stimulants.",
    ),
    ("aldh_inhibition", "ethanol"): (
        ("major", "major", "moderate"),
        "{a} blocks the breakdown of acetaldehyde and {b} contains alcohol: a disulfiram-like "
        "reaction (flushing, vomiting, palpitations, hypotension) can follow.",
        "Avoid alcohol during treatment and for at least 3 days after the last dose (2 weeks "
        "for disulfiram).",
    ),
    ("hypokalaemia", "qt_prolongation"): (
        ("moderate", "moderate", None),
        "{a} lowers serum potassium and {b} prolongs the QT interval: hypokalaemia raises the "
        "risk of torsades de pointes.",
        "Check and correct potassium and magnesium before and during the combination.",
    ),
    ("hypokalaemia", "digitalis_toxicity_sensitive"): (
        ("moderate", "moderate", None),
        "{a} lowers serum potassium and hypokalaemia makes {b} toxic at usual levels "
        "(arrhythmias).",
        "Monitor potassium (and magnesium) and the digoxin level.",
    ),
    ("dopamine_antagonism", "dopaminergic"): (
        ("moderate", "moderate", None),
        "{a} blocks dopamine receptors and {b} acts through dopamine: each opposes the other "
        "(worsened parkinsonism or loss of antipsychotic effect).",
        "Avoid the combination; in Parkinson's disease choose an antiemetic or antipsychotic "
        "with little dopamine blockade.",
    ),
    ("vitamin_k", "vitamin_k_antagonism"): (
        ("moderate", "moderate", "minor"),
        "{a} supplies vitamin K and {b} works by antagonising vitamin K: the anticoagulant "
        "effect of {b} falls (lower INR, risk of clotting).",
        "Keep vitamin K intake steady; check the INR after starting, stopping or changing "
        "vitamin K supplements.",
    ),
    ("immunosuppression", "live_vaccine"): (
        ("major", "moderate", None),
        "{a} suppresses the immune system and {b} is a live vaccine: the vaccine organism can "
        "cause disease and the response is weaker.",
        "Do not give live vaccines during immunosuppression; follow the vaccination schedule "
        "in the labels.",
    ),
}


def additive_effects(one: Profile, other: Profile) -> list[Finding]:
    """The same effect in both drugs (computed once per pair: symmetric)."""
    out = []
    for fa in one.facts:
        if fa.kind != "effect" or fa.target not in _EFFECTS:
            continue
        for fb in _facts(other, "effect", fa.target):
            spec = _EFFECTS[fa.target]
            severity = _grade(
                _LEVEL_SCORE[fa.strength] + _LEVEL_SCORE[fb.strength], spec.thresholds
            )
            if severity is None:
                continue
            if severity == "major":
                severity = spec.top
            a, b = one.drug, other.drug
            mechanism = (
                f"Both {a} ({fa.strength}{_note(fa)}) and {b} ({fb.strength}{_note(fb)}) "
                f"{spec.phrase}: the effects add up, with {spec.consequence}."
            )
            out.append(
                Finding(
                    f"additive_{fa.target}",
                    severity,
                    mechanism,
                    spec.management,
                    ((a, fa), (b, fb)),
                )
            )
    return out


def opposing_effects(perp: Profile, victim: Profile) -> list[Finding]:
    """Two different effects that interact (MAO inhibition with a serotonergic drug, ...)."""
    out = []
    for (first, second), (by_strength, text, management) in _CROSS.items():
        for fa in _facts(perp, "effect", first):
            for fb in _facts(victim, "effect", second):
                severity = by_strength[("high", "moderate", "low").index(fa.strength)]
                if severity is None or (fb.strength == "low" and first != "aldh_inhibition"):
                    continue
                a, b = perp.drug, victim.drug
                out.append(
                    Finding(
                        f"{first}+{second}",
                        severity,
                        text.format(a=a, b=b),
                        management,
                        ((a, fa), (b, fb)),
                    )
                )
    return out


#: directed rules run both ways (a on b, b on a); symmetric rules run once
RULES = {
    "enzyme_inhibition": inhibition,
    "enzyme_induction": induction,
    "prodrug_activation": prodrug_activation,
    "reduced_absorption": absorption,
    "effect_pairs": opposing_effects,
}
_SYMMETRIC = {"additive_effects": additive_effects}


def find_interactions(one: Profile, other: Profile) -> list[Finding]:
    """Every finding for the unordered pair, most severe first (the same whichever order
    the two profiles are given in)."""
    if set(one.keys) & set(other.keys):
        return []
    first, second = sorted((one, other), key=lambda p: p.drug)
    out: list[Finding] = []
    for perp, victim in permutations((first, second)):
        for rule in RULES.values():
            out.extend(rule(perp, victim))
    for rule in _SYMMETRIC.values():
        out.extend(rule(first, second))
    out.sort(key=lambda f: (_RANK[f.severity], f.rule, f.mechanism))
    return out
