"""Mechanism rules: interactions derived from two pharmacology profiles.

Each rule reads facts of the two profiles (``_profiles``) and returns zero or more
findings, each with a graded severity, an English mechanism sentence naming both drugs,
management advice and the facts it fired on. Findings are *inferred* (mechanism-based):
no reference lists the pair; the facts behind it are each sourced.

Severity comes from the strength of the facts (FDA classes for inhibitors and inducers,
sensitive / moderate / minor substrates, high / moderate / low effects): a strong
inhibitor of the pathway that clears a sensitive narrow-index substrate is major; weak
against minor is nothing. Where the substrate's own label states an action for a class of
perpetrators of the pathway (contraindicated, avoid, adjust the dose), the rule never grades
below it; a label statement about perpetrators of two pathways at once (``combined_with``)
fires only on a drug that acts on both. Additive effects need both drugs to have the effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

from pipeline.evidence._profiles import Fact, Profile

__all__ = ["Finding", "RULES", "find_interactions", "shared_mechanisms"]

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

_NEVER = 99  # a threshold no score reaches
_PK_THRESHOLDS = (6, 5, 4)  # inhibitor/inducer score + substrate score (+1 if narrow index)

#: the label's action on a substrate fact, most severe first
_LABEL_ACTIONS = (
    ("contraindicated_with", "contraindicated"),
    ("avoid_with", "major"),
    ("adjust_with", "moderate"),
)
#: a perpetrator of this strength meets a label class of these strengths
_MEETS = {
    "strong": ("strong", "moderate", "weak"),
    "moderate": ("moderate", "weak"),
    "weak": ("weak",),
}


def _label_action(sub: Fact, perp: Fact) -> tuple[str, str] | None:
    """(severity, the class the label names) when the substrate's label states an action
    for perpetrators of this class and strength (a strong inhibitor also meets "moderate
    inhibitor"); the most severe action wins."""
    role = "inhibitor" if perp.kind == "inhibitor" else "inducer"
    met = [f"{s} {role}" for s in _MEETS[perp.strength]]
    for field, severity in _LABEL_ACTIONS:
        named = getattr(sub, field)
        for cls in met:  # strongest class first
            if cls in named:
                return severity, cls
    return None


def _label_contraindication(sub: Fact, perp: Fact) -> str | None:
    """ "contraindicated" when the substrate's label contraindicates perpetrators of this
    class and strength."""
    action = _label_action(sub, perp)
    return "contraindicated" if action and action[0] == "contraindicated" else None


def _more_severe(a: str | None, b: str | None) -> str | None:
    return min((s for s in (a, b) if s), key=_RANK.__getitem__, default=None)


def _combined(perp: Profile, kind: str, targets: tuple[str, ...]) -> list[Fact] | None:
    """The perpetrator's facts of this kind on every one of `targets` at moderate strength
    or more (the strongest per target), or None when one is missing."""
    out = []
    for target in targets:
        found = [f for f in _facts(perp, kind, target) if f.strength in ("strong", "moderate")]
        if not found:
            return None
        out.append(min(found, key=lambda f: -_PK_SCORE[f.strength]))
    return out


def _class_phrase(cls: str, pathway: str) -> str:
    """ "moderate inhibitor", "CYP3A" -> "moderate or strong CYP3A inhibitors"."""
    strength, role = cls.split()
    which = {"strong": "strong", "moderate": "moderate or strong", "weak": "any"}[strength]
    return f"{which} {pathway} {role}s" + (" (even weak ones)" if strength == "weak" else "")


def _substrate_phrase(fact: Fact) -> str:
    nti = " with a narrow therapeutic index" if fact.nti else ""
    return f"a {fact.strength} {fact.target} substrate{nti}"


def _also_phrase(extra: list[Fact], verb: str) -> str:
    if not extra:
        return ""
    parts = ", ".join(f"{f.target} ({f.strength}{_note(f)})" for f in extra)
    return f", and also {verb} {parts},"


#: pathways whose inhibition lowers the substrate (mechanism, management)
_LOWERING_TEXT = {
    "acylpeptide hydrolase": (
        "{a} inhibits acylpeptide hydrolase, which turns valproate glucuronide back into "
        "valproate{pnote}, and {b} depends on it{snote}: {b} levels fall sharply within a "
        "day or two and seizures can break through; raising the {b} dose does not restore "
        "them.",
        "Avoid the combination: choose an antibiotic other than a carbapenem, or add another "
        "anticonvulsant for the course; monitor {b} levels closely (follow both labels).",
    ),
}


def _pk(perp: Profile, victim: Profile, kind: str) -> list[tuple[str, Fact, Fact, list[Fact], str]]:
    """(severity, perpetrator fact, substrate fact, facts on combined pathways, label class
    or "") for every substrate fact of `victim` on a pathway `perp` inhibits or induces."""
    out = []
    for per in _facts(perp, kind):
        for sub in _facts(victim, "substrate", per.target):
            action = _label_action(sub, per)
            extra: list[Fact] = []
            severity: str | None
            if sub.combined_with:
                # a label statement about dual perpetrators: only those, at its severity
                both = _combined(perp, kind, sub.combined_with)
                if both is None or action is None:
                    continue
                extra, severity = both, action[0]
            else:
                score = _PK_SCORE[per.strength] + _SUBSTRATE_SCORE[sub.strength] + sub.nti
                severity = _more_severe(
                    action[0] if action else None, _grade(score, _PK_THRESHOLDS)
                )
            if severity is None:
                continue
            cls = action[1] if action is not None and _RANK[action[0]] <= _RANK[severity] else ""
            out.append((severity, per, sub, extra, cls))
    return out


def inhibition(perp: Profile, victim: Profile) -> list[Finding]:
    """An inhibitor of the enzyme or transporter that clears the other drug."""
    out = []
    a, b = perp.drug, victim.drug
    for severity, inh, sub, extra, cls in _pk(perp, victim, "inhibitor"):
        levels = f" and {b} levels" if sub.nti else ""
        if inh.target in _LOWERING_TEXT:
            text, advice = _LOWERING_TEXT[inh.target]
            mechanism = text.format(a=a, b=b, pnote=_note(inh), snote=_note(sub))
            management = advice.format(a=a, b=b)
        else:
            if inh.target == "renal lithium clearance":
                mechanism = (
                    f"{a} lowers the renal clearance of {b}{_note(inh)}; {b} has a narrow "
                    f"therapeutic index: {b} levels rise, with a risk of toxicity."
                )
            else:
                blocked = " (both of its pathways are blocked)" if extra else ""
                mechanism = (
                    f"{a} is a {inh.strength} {inh.target} inhibitor{_note(inh)}"
                    f"{_also_phrase(extra, 'inhibits')} and {b} is {_substrate_phrase(sub)}"
                    f"{_note(sub)}: {b} exposure rises{blocked}, with more of its dose-related "
                    "adverse effects."
                )
            pathway = " and ".join((inh.target, *(f.target for f in extra)))
            if cls:
                named = _class_phrase(cls, pathway)
                management = {
                    "contraindicated": f"Do not combine ({b}'s label contraindicates {named}); "
                    f"choose an alternative to {a} or to {b}.",
                    "major": f"Avoid the combination ({b}'s label advises against {named}); if "
                    f"it cannot be avoided, follow {b}'s label on dose and monitor closely for "
                    f"{b} toxicity{levels}.",
                    "moderate": f"Follow {b}'s label for {named} (a lower {b} dose, or "
                    f"caution); monitor for increased {b} effects{levels}.",
                }[severity]
            else:
                management = {
                    "contraindicated": f"Do not combine ({b}'s label contraindicates "
                    f"{inh.strength} {inh.target} inhibitors); choose an alternative to {a} "
                    f"or to {b}.",
                    "major": f"Avoid the combination or choose an alternative to {a} that does "
                    f"not inhibit {inh.target}; if it must be used, lower the {b} dose and "
                    f"monitor closely for {b} toxicity{levels}.",
                    "moderate": f"Monitor for increased {b} effects{levels} and adjust its "
                    f"dose; consider an alternative to {a}.",
                    "minor": f"Usually no change needed; be alert to increased {b} effects.",
                }[severity]
        facts = ((a, inh), *((a, f) for f in extra), (b, sub))
        out.append(Finding("enzyme_inhibition", severity, mechanism, management, facts))
    return out


def induction(perp: Profile, victim: Profile) -> list[Finding]:
    """An inducer of the enzyme or transporter that clears the other drug."""
    out = []
    a, b = perp.drug, victim.drug
    for severity, ind, sub, extra, cls in _pk(perp, victim, "inducer"):
        mechanism = (
            f"{a} is a {ind.strength} {ind.target} inducer{_note(ind)}"
            f"{_also_phrase(extra, 'induces')} and {b} is {_substrate_phrase(sub)}{_note(sub)}: "
            f"{b} exposure falls, with a risk of loss of effect (and of toxicity when {a} is "
            "stopped)."
        )
        pathway = " and ".join((ind.target, *(f.target for f in extra)))
        levels = " and its levels" if sub.nti else ""
        named = _class_phrase(cls, pathway) if cls else ""
        if severity == "contraindicated":
            named = named or f"{ind.strength} {ind.target} inducers"
            management = (
                f"Do not combine ({b}'s label contraindicates {named}); choose an alternative "
                f"to {a} or to {b}."
            )
        elif cls and severity == "major":
            management = (
                f"Avoid the combination ({b}'s label advises against {named}); if it cannot "
                f"be avoided, monitor the effect of {b}{levels} and follow its label on dose."
            )
        elif cls:
            management = (
                f"Follow {b}'s label for {named} (a higher {b} dose may be needed); monitor its "
                f"effect{levels}, and re-adjust for about two weeks after {a} is stopped."
            )
        else:
            management = (
                f"Avoid the combination where possible; otherwise monitor the effect of {b}"
                f"{levels}, adjust its dose, and re-adjust for about two weeks after {a} is "
                "stopped."
            )
        facts = ((a, ind), *((a, f) for f in extra), (b, sub))
        out.append(Finding("enzyme_induction", severity, mechanism, management, facts))
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

_FALL = "{b} levels fall and it may fail"
#: target -> (what the perpetrator does, what happens to the victim's absorption, the
#: consequence, management, (major, moderate, minor) thresholds on the summed strengths)
_ABSORPTION_TEXT = {
    "polyvalent_cations": (
        "supplies polyvalent cations (calcium, magnesium, aluminium, iron or zinc)",
        "falls when it binds (chelates) them in the gut",
        _FALL,
        "Separate the doses: take {b} at least 2 hours before or 4-6 hours after {a} "
        "(follow {b}'s label).",
        (7, 4, 3),
    ),
    "gastric_acid": (
        "raises gastric pH",
        "needs an acid stomach",
        _FALL,
        "Avoid the combination if possible; if acid suppression is needed, follow {b}'s "
        "label on the choice of acid reducer, its dose and timing.",
        (6, 4, 3),
    ),
    "binding_resins": (
        "is a bile-acid binding resin",
        "falls when the resin binds it in the gut",
        _FALL,
        "Take {b} at least 4 hours before or 4-6 hours after {a}, and monitor its effect.",
        (7, 4, 3),
    ),
    "OATP1A2": (
        "inhibits the intestinal uptake transporter OATP1A2",
        "depends on OATP1A2 uptake from the gut",
        _FALL,
        "Take {b} with water, not with fruit juice (follow {b}'s label on spacing).",
        (7, 4, 3),
    ),
    "gastric_emptying": (
        "delays gastric emptying",
        "changes when gastric emptying slows",
        "{b} levels may rise or fall, most at the start of {a} and after each dose increase",
        "Monitor the effect of {b} (drug levels, INR or TSH, or contraceptive cover, as "
        "relevant) when {a} is started or its dose is raised; follow {a}'s label on oral "
        "medicines.",
        (_NEVER, 4, _NEVER),
    ),
}


def absorption(perp: Profile, victim: Profile) -> list[Finding]:
    """A drug that chelates, neutralises acid, binds in the gut, blocks intestinal uptake or
    slows gastric emptying, against a drug whose absorption changes with it."""
    out = []
    for per in _facts(perp, "absorption_perpetrator"):
        for vic in _facts(victim, "absorption", per.target):
            doing, suffering, consequence, advice, thresholds = _ABSORPTION_TEXT[per.target]
            score = _LEVEL_SCORE[per.strength] + _LEVEL_SCORE[vic.strength]
            severity = _grade(score, thresholds)
            if severity is None:
                continue
            a, b = perp.drug, victim.drug
            mechanism = (
                f"{a} {doing}{_note(per)} and the absorption of {b} {suffering}{_note(vic)}: "
                f"{consequence.format(a=a, b=b)}."
            )
            management = advice.format(a=a, b=b)
            rule = (
                "altered_absorption" if per.target == "gastric_emptying" else "reduced_absorption"
            )
            out.append(Finding(rule, severity, mechanism, management, ((a, per), (b, vic))))
    return out


# --- pharmacodynamics -----------------------------------------------------------------


@dataclass(frozen=True)
class _Effect:
    phrase: str  # "prolong the QT interval"
    consequence: str  # "with a higher risk of torsades de pointes"
    management: str
    thresholds: tuple[int, int, int]  # (major, moderate, minor) on the summed strengths
    top: str = "major"  # the severity the top score gives (contraindicated for a few)


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
        (_NEVER, 4, _NEVER),
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
        (_NEVER, 5, _NEVER),
    ),
    "metabolic_acidosis": _Effect(
        "cause metabolic acidosis (carbonic anhydrase inhibition)",
        "more severe metabolic acidosis and a higher risk of kidney stones",
        "Monitor serum bicarbonate; watch for worsening acidosis and kidney stones.",
        (_NEVER, 4, _NEVER),
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
    "sgc_stimulation": _Effect(
        "stimulate soluble guanylate cyclase",
        "a risk of severe hypotension",
        "Do not combine two sGC stimulators (contraindicated in the riociguat and vericiguat "
        "labels).",
        (6, _NEVER, _NEVER),
        top="contraindicated",
    ),
    "opioid_antagonism": _Effect(
        "block opioid receptors",
        "additive opioid antagonism and a higher risk of opioid withdrawal",
        "Avoid combining opioid antagonists (naloxegol and methylnaltrexone labels).",
        (4, _NEVER, _NEVER),
    ),
    "volume_depletion": _Effect(
        "cause fluid and sodium loss (diuresis)",
        "a higher risk of volume depletion, hypotension and acute kidney injury",
        "Check volume status, blood pressure and renal function; a lower diuretic dose may be "
        "needed (for example when an SGLT2 inhibitor is started).",
        (_NEVER, 4, _NEVER),
    ),
    "fluid_retention": _Effect(
        "cause fluid retention",
        "more oedema and a risk of new or worse heart failure",
        "Watch weight and oedema; avoid the combination in heart failure.",
        (_NEVER, 5, _NEVER),
    ),
    "raas_blockade": _Effect(
        "block the renin-angiotensin-aldosterone system",
        "more hypotension, hyperkalaemia and acute kidney injury than with one of them "
        "(dual blockade)",
        "Avoid combining RAAS blockers (ACE inhibitor, angiotensin receptor blocker, "
        "aliskiren); never aliskiren with either in diabetes. If combined, monitor blood "
        "pressure, potassium and renal function closely.",
        (6, _NEVER, _NEVER),
    ),
    "vasospasm": _Effect(
        "constrict arteries through 5-HT1B receptors or as ergot alkaloids",
        "a risk of prolonged vasospasm (coronary, cerebral or limb ischaemia)",
        "Do not take within 24 hours of each other (contraindicated in triptan and ergot labels).",
        (6, _NEVER, _NEVER),
        top="contraindicated",
    ),
    "photosensitivity": _Effect(
        "make the skin sensitive to light",
        "more sunburn-like (phototoxic) reactions",
        "Advise sun protection and avoiding UV light.",
        (_NEVER, _NEVER, 6),
    ),
}
#: weight_gain is recorded (mechanism sentences, the card) but not graded: labelling does
#: not present additive weight gain as an interaction between two drugs


@dataclass(frozen=True)
class _Cross:
    by_strength: tuple[str | None, str | None, str | None]  # by the first drug's strength
    text: str  # mechanism, with {a} (the first effect's drug) and {b}
    management: str  # may use {a} and {b}
    min_other: str = "moderate"  # the weakest second effect that counts


_LEVELS = ("high", "moderate", "low")

#: pairs of different effects that interact: (effect of one, effect of the other) ->
#: severity by the first drug's strength high / moderate / low (the second drug's effect
#: must be at least `min_other`), mechanism, management
_CROSS: dict[tuple[str, str], _Cross] = {
    ("mao_inhibition", "serotonergic"): _Cross(
        ("contraindicated", "major", "moderate"),
        "{a} inhibits monoamine oxidase and {b} raises serotonergic activity: serotonin "
        "syndrome (agitation, clonus, hyperthermia) can follow.",
        "Do not combine; allow the washout stated in the labels (14 days after stopping an "
        "MAO inhibitor; 5 weeks after fluoxetine).",
    ),
    ("mao_inhibition", "sympathomimetic"): _Cross(
        ("contraindicated", "major", "moderate"),
        "{a} inhibits monoamine oxidase and {b} is a sympathomimetic: noradrenaline release "
        "is unopposed, with a risk of hypertensive crisis.",
        "Do not combine, including over-the-counter decongestants and stimulants.",
    ),
    ("aldh_inhibition", "ethanol"): _Cross(
        ("major", "major", "moderate"),
        "{a} blocks the breakdown of acetaldehyde and {b} contains alcohol: a disulfiram-like "
        "reaction (flushing, vomiting, palpitations, hypotension) can follow.",
        "Avoid alcohol during treatment and for at least 3 days after the last dose (2 weeks "
        "for disulfiram).",
        min_other="low",
    ),
    ("metabolic_acidosis", "lactic_acidosis"): _Cross(
        ("moderate", "moderate", None),
        "{a} inhibits carbonic anhydrase and lowers serum bicarbonate (hyperchloraemic "
        "metabolic acidosis), and {b} can cause lactic acidosis: together the risk of "
        "lactic acidosis rises.",
        "Monitor serum bicarbonate and renal function more often; stop {b} if acidosis appears.",
    ),
    ("hypokalaemia", "qt_prolongation"): _Cross(
        ("moderate", "moderate", None),
        "{a} lowers serum potassium and {b} prolongs the QT interval: hypokalaemia raises the "
        "risk of torsades de pointes.",
        "Check and correct potassium and magnesium before and during the combination.",
    ),
    ("hypokalaemia", "digitalis_toxicity_sensitive"): _Cross(
        ("moderate", "moderate", None),
        "{a} lowers serum potassium and hypokalaemia makes {b} toxic at usual levels "
        "(arrhythmias).",
        "Monitor potassium (and magnesium) and the digoxin level.",
    ),
    ("dopamine_antagonism", "dopaminergic"): _Cross(
        ("moderate", "moderate", None),
        "{a} blocks dopamine receptors and {b} acts through dopamine: each opposes the other "
        "(worsened parkinsonism or loss of antipsychotic effect).",
        "Avoid the combination; in Parkinson's disease choose an antiemetic or antipsychotic "
        "with little dopamine blockade.",
    ),
    ("vitamin_k", "vitamin_k_antagonism"): _Cross(
        ("moderate", "moderate", "minor"),
        "{a} supplies vitamin K and {b} works by antagonising vitamin K: the anticoagulant "
        "effect of {b} falls (lower INR, risk of clotting).",
        "Keep vitamin K intake steady; check the INR after starting, stopping or changing "
        "vitamin K supplements.",
    ),
    ("immunosuppression", "live_vaccine"): _Cross(
        ("major", "moderate", None),
        "{a} suppresses the immune system and {b} is a live vaccine: the vaccine organism can "
        "cause disease and the response is weaker.",
        "Do not give live vaccines during immunosuppression; follow the vaccination schedule "
        "in the labels.",
    ),
    ("thyroid_hormone", "vitamin_k_antagonism"): _Cross(
        ("moderate", "moderate", None),
        "{a} is a thyroid hormone, which speeds the breakdown of vitamin K-dependent clotting "
        "factors, and {b} is a vitamin K antagonist: the anticoagulant effect of {b} rises "
        "(higher INR, bleeding), most as a hypothyroid patient becomes euthyroid or the "
        "thyroid dose goes up.",
        "Check the INR when {a} is started or its dose changed; a lower {b} dose may be needed.",
    ),
    ("thyroid_hormone", "digitalis_toxicity_sensitive"): _Cross(
        ("moderate", "moderate", None),
        "{a} is a thyroid hormone and {b} levels fall as a hypothyroid patient becomes "
        "euthyroid: the effect of {b} may weaken.",
        "Monitor the {b} level and effect when thyroid status or the {a} dose changes; a "
        "higher {b} dose may be needed.",
    ),
    ("neprilysin_inhibition", "angioedema"): _Cross(
        ("contraindicated", "major", None),
        "{a} inhibits neprilysin and {b} inhibits ACE: both enzymes break down bradykinin, "
        "and together they cause angioedema (swelling of the face, tongue or throat) much "
        "more often.",
        "Do not combine (contraindicated in the sacubitril/valsartan label): allow 36 hours "
        "between the last ACE inhibitor dose and the first sacubitril dose, and the reverse.",
        min_other="high",
    ),
    ("sgc_stimulation", "pde5_inhibition"): _Cross(
        ("major", "major", None),
        "{a} stimulates soluble guanylate cyclase and {b} inhibits PDE5, which breaks down "
        "cGMP: cGMP rises from both sides, with a risk of severe hypotension.",
        "Do not combine (riociguat: contraindicated with PDE5 inhibitors; vericiguat: not "
        "recommended).",
    ),
    ("opioid_antagonism", "opioid_agonism"): _Cross(
        ("contraindicated", None, None),
        "{a} blocks opioid receptors and {b} is an opioid: {b} stops working and, in a "
        "patient dependent on opioids, withdrawal is precipitated; trying to overcome the "
        "block with more {b} risks overdose.",
        "Do not combine (the naltrexone labels contraindicate patients receiving opioid "
        "analgesics); stop opioids 7-10 days before naltrexone and use non-opioid analgesia.",
    ),
    ("renal_prostaglandin_inhibition", "raas_blockade"): _Cross(
        ("moderate", "moderate", None),
        "{a} blocks renal prostaglandin synthesis and {b} blocks the renin-angiotensin "
        "system: the blood-pressure effect of {b} falls and renal function can deteriorate "
        "(acute kidney injury, hyperkalaemia), mostly in older, volume-depleted or renally "
        "impaired patients.",
        "Monitor blood pressure, renal function and potassium when {a} is started or its dose "
        "raised; keep the patient hydrated; avoid in renal impairment (more so with a "
        "diuretic as well).",
    ),
    ("pde5_inhibition", "alpha1_blockade"): _Cross(
        ("moderate", "moderate", None),
        "{a} inhibits PDE5 and {b} blocks alpha-1 receptors: both dilate vessels, with a risk "
        "of symptomatic (orthostatic) hypotension.",
        "Have the patient stable on {b} first, start {a} at its lowest dose, and warn about "
        "dizziness on standing (follow the PDE5 inhibitor's label).",
    ),
    ("adenosine_antagonism", "adenosine_agonism"): _Cross(
        ("moderate", "moderate", None),
        "{a} blocks adenosine receptors and {b} works by stimulating them (pharmacological "
        "cardiac stress testing): {b} may not work, giving a false-negative stress test.",
        "Withhold methylxanthines (caffeine, theophylline, aminophylline) for at least 12 hours "
        "before {b} (follow {b}'s label).",
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
    a, b = perp.drug, victim.drug
    for (first, second), cross in _CROSS.items():
        for fa in _facts(perp, "effect", first):
            for fb in _facts(victim, "effect", second):
                severity = cross.by_strength[_LEVELS.index(fa.strength)]
                if severity is None or _LEVELS.index(fb.strength) > _LEVELS.index(cross.min_other):
                    continue
                out.append(
                    Finding(
                        f"{first}+{second}",
                        severity,
                        cross.text.format(a=a, b=b),
                        cross.management.format(a=a, b=b),
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


def shared_mechanisms(one: Profile, other: Profile) -> list[str]:
    """Every mechanism the two profiles share at any strength, whether a rule fires or not:
    the same effect in both, or a pathway one drug depends on that the other inhibits or
    induces. Below a rule's threshold such an overlap is not an interaction, but it is doubt:
    it keeps a pair the models could not answer from being signed off as "nothing found"."""
    if set(one.keys) & set(other.keys):
        return []
    one, other = sorted((one, other), key=lambda p: p.drug)
    out = []
    for fa in one.facts:
        if fa.kind == "effect" and fa.target in _EFFECTS:
            for fb in _facts(other, "effect", fa.target):
                out.append(
                    f"both {_EFFECTS[fa.target].phrase} ({one.drug} {fa.strength}, "
                    f"{other.drug} {fb.strength})"
                )
    for perp, victim in permutations((one, other)):
        for kind in ("inhibitor", "inducer"):
            for per in _facts(perp, kind):
                for dep in (
                    *_facts(victim, "substrate", per.target),
                    *_facts(victim, "prodrug", per.target),
                ):
                    out.append(
                        f"{perp.drug} is a {per.strength} {per.target} {kind} and {victim.drug} "
                        f"a {dep.strength} {per.target} {dep.kind}"
                    )
        for per in _facts(perp, "absorption_perpetrator"):
            for dep in _facts(victim, "absorption", per.target):
                out.append(
                    f"{victim.drug}'s absorption ({dep.strength}) falls with {per.target} "
                    f"and {perp.drug} is one ({per.strength})"
                )
        for first, second in _CROSS:
            if _facts(perp, "effect", first) and _facts(victim, "effect", second):
                out.append(f"{perp.drug}: {first}; {victim.drug}: {second}")
    return sorted(set(out))


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
    for symmetric in _SYMMETRIC.values():
        out.extend(symmetric(first, second))
    out.sort(key=lambda f: (_RANK[f.severity], f.rule, f.mechanism))
    return out
