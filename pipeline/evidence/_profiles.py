"""Pharmacology profiles: one reviewed record per drug or non-drug interactant, every fact
with its source (``data/kb/pharm-*.jsonl``; format: ``data/kb/pharmacology.README.md``).

A profile says what a drug *is* pharmacologically (which enzymes and transporters clear
it, which it inhibits or induces, which effects it has, what lowers its absorption), not
which drugs it interacts with: the rules in ``_pharmacology`` derive interactions from two
profiles, so a pair nobody listed is still checked.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.kb import LoadCache

__all__ = [
    "EFFECTS",
    "ENZYMES",
    "LABEL_CLASSES",
    "LOWERING_PATHWAYS",
    "PROFILE_GLOB",
    "ABSORPTION_TARGETS",
    "Fact",
    "Profile",
    "ProfileError",
    "ProfileMap",
    "load_profiles",
    "read_profiles",
]

PROFILE_GLOB = "pharm-*.jsonl"

#: enzymes and transporters of the FDA's Table of Substrates, Inhibitors and Inducers,
#: plus two renal pathways that the table does not name but labelling does
ENZYMES: tuple[str, ...] = (
    "CYP1A2",
    "CYP2B6",
    "CYP2C8",
    "CYP2C9",
    "CYP2C19",
    "CYP2D6",
    "CYP3A",
    "UGT1A1",
    "UGT1A4",
    "UGT2B7",
    "UGT1A9",
    "MAO-A",
    "xanthine oxidase",
    "P-gp",
    "BCRP",
    "OATP1B1/1B3",
    "OAT1/3",
    "OCT2/MATE",
    "renal lithium clearance",
    "acylpeptide hydrolase",
)
#: pathways whose inhibition *lowers* the substrate's levels: acylpeptide hydrolase turns
#: valproate glucuronide back into valproate, and carbapenems block it
LOWERING_PATHWAYS: tuple[str, ...] = ("acylpeptide hydrolase",)
#: pharmacodynamic effects that add up when two drugs share them
EFFECTS: tuple[str, ...] = (
    "qt_prolongation",
    "serotonergic",
    "mao_inhibition",
    "sympathomimetic",
    "bleeding",
    "cns_depression",
    "respiratory_depression",
    "hyperkalaemia",
    "hypokalaemia",
    "hypoglycaemia",
    "hyponatraemia",
    "anticholinergic",
    "bradycardia",
    "hypotension",
    "cgmp_vasodilation",
    "seizure_threshold",
    "hepatotoxicity",
    "nephrotoxicity",
    "myelosuppression",
    "methaemoglobinaemia",
    "lactic_acidosis",
    "metabolic_acidosis",
    "digitalis_toxicity_sensitive",
    "aldh_inhibition",
    "ethanol",
    "dopaminergic",
    "dopamine_antagonism",
    "cholinergic",
    "immunosuppression",
    "live_vaccine",
    "ototoxicity",
    "rhabdomyolysis",
    "hypertension",
    "fluid_retention",
    "photosensitivity",
    "weight_gain",
    "angioedema",
    "vitamin_k_antagonism",
    "vitamin_k",
    "thyroid_hormone",
    "neprilysin_inhibition",
    "sgc_stimulation",
    "pde5_inhibition",
    "opioid_agonism",
    "opioid_antagonism",
    "adenosine_agonism",
    "adenosine_antagonism",
    "volume_depletion",
    "raas_blockade",
    "renal_prostaglandin_inhibition",
    "alpha1_blockade",
    "vasospasm",
)
#: what lowers a drug's absorption (victim side) / what a drug is or does (perpetrator side)
ABSORPTION_TARGETS: tuple[str, ...] = (
    "polyvalent_cations",
    "gastric_acid",
    "binding_resins",
    "OATP1A2",  # intestinal uptake transporter; fruit juices inhibit it
    "gastric_emptying",  # absorption changes when gastric emptying slows (GLP-1 agonists)
)

FactKind = Literal[
    "substrate",  # cleared by target; strength sensitive | moderate | minor
    "prodrug",  # activated by target; strength major | minor (share of the activation)
    "inhibitor",  # strength strong | moderate | weak (FDA table's classes)
    "inducer",  # strength strong | moderate | weak
    "effect",  # pharmacodynamic effect; strength high | moderate | low
    "absorption",  # victim: absorption falls with target; strength high | moderate | low
    "absorption_perpetrator",  # is a polyvalent cation / raises gastric pH / is a resin
]
_STRENGTHS: dict[str, tuple[str, ...]] = {
    "substrate": ("sensitive", "moderate", "minor"),
    "prodrug": ("major", "minor"),
    "inhibitor": ("strong", "moderate", "weak"),
    "inducer": ("strong", "moderate", "weak"),
    "effect": ("high", "moderate", "low"),
    "absorption": ("high", "moderate", "low"),
    "absorption_perpetrator": ("high", "moderate", "low"),
}


#: perpetrator classes a substrate's label names ("strong CYP3A inhibitors"); a stronger
#: perpetrator meets a weaker class (a strong inhibitor is also "a moderate inhibitor")
LabelClass = Literal[
    "strong inhibitor",
    "moderate inhibitor",
    "weak inhibitor",
    "strong inducer",
    "moderate inducer",
    "weak inducer",
]
ContraClass = LabelClass  # the name before avoid_with / adjust_with existed


LABEL_CLASSES: tuple[str, ...] = LabelClass.__args__  # type: ignore[attr-defined]


class ProfileError(ValueError):
    """A pharmacology profile file that does not follow its format."""


class Fact(BaseModel):
    """One pharmacological fact about a drug, with the public document it comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: FactKind
    target: str
    strength: str
    #: narrow therapeutic index (substrate facts): small exposure changes are dangerous
    nti: bool = False
    #: substrate facts: what the drug's label says about perpetrators of this pathway, by
    #: class ("strong inhibitor", "moderate inducer", ...), so that a rule on the pathway
    #: states the label's own severity: contraindicated (Contraindications), avoid (avoid /
    #: not recommended / boxed warning: major), adjust (dose change, caution or monitoring:
    #: moderate). The rule never grades below what the label says.
    contraindicated_with: tuple[LabelClass, ...] = ()
    avoid_with: tuple[LabelClass, ...] = ()
    adjust_with: tuple[LabelClass, ...] = ()
    #: substrate facts: other pathways the label's statement also needs the *same*
    #: perpetrator to inhibit (or induce) at moderate strength or more ("moderate CYP2C9
    #: and moderate or strong CYP3A4 inhibitors"): such a fact fires only on those
    #: dual perpetrators, at the label's severity
    combined_with: tuple[str, ...] = ()
    #: English, optional: what the fact means for this drug ("tizanidine levels rise
    #: ~10-fold with strong CYP1A2 inhibitors"), used in mechanism sentences
    note: str = ""
    source: str = Field(min_length=8)  # document and section, e.g. "FDA label, Zanaflex, 7.1"
    year: int = Field(ge=1950, le=2030)

    @model_validator(mode="after")
    def _check(self) -> Fact:
        allowed = _STRENGTHS[self.kind]
        if self.strength not in allowed:
            raise ValueError(f"{self.kind} strength must be one of {allowed}: {self.strength!r}")
        if self.kind in ("substrate", "prodrug", "inhibitor", "inducer"):
            if self.target not in ENZYMES:
                raise ValueError(f"unknown enzyme/transporter {self.target!r}")
        elif self.kind == "effect":
            if self.target not in EFFECTS:
                raise ValueError(f"unknown effect {self.target!r}")
        elif self.target not in ABSORPTION_TARGETS:
            raise ValueError(f"unknown absorption target {self.target!r}")
        labelled = self.contraindicated_with or self.avoid_with or self.adjust_with
        if (self.nti or labelled or self.combined_with) and self.kind != "substrate":
            raise ValueError(
                "nti, contraindicated_with, avoid_with, adjust_with and combined_with apply "
                "to substrate facts only"
            )
        if self.combined_with:
            if not labelled:
                raise ValueError("combined_with needs the label's action (avoid_with, ...)")
            for other in self.combined_with:
                if other not in ENZYMES or other == self.target:
                    raise ValueError(f"combined_with: bad pathway {other!r}")
        return self


class Profile(BaseModel):
    """Everything the rules know about one drug (or a non-drug interactant)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    drug: str = Field(min_length=2)  # KB key, as `ddi resolve` prints it (canonical)
    #: other KB keys that share the profile (salts, esters, racemate/enantiomer)
    also: tuple[str, ...] = ()
    kind: Literal["drug", "interactant"] = "drug"
    #: English, e.g. "SSRI antidepressant": names the drug's class in mechanism sentences
    role: str = ""
    facts: tuple[Fact, ...] = ()
    #: a profile without facts must say which public document shows that the drug has no
    #: interaction-relevant pharmacology (a label with no interactions, negligible
    #: absorption), so that "covered, nothing found" rests on a source like any fact does
    no_facts_source: str = ""
    no_facts_year: int | None = Field(default=None, ge=1950, le=2030)
    #: false for a class entry whose members differ ("contraceptives, oral": combined or
    #: progestin-only, with or without drospirenone): its facts hold for the usual members
    #: and their findings count, but no finding does not mean nothing to find, so the
    #: profile does not cover the drug; `exhaustive_note` says why
    exhaustive: bool = True
    exhaustive_note: str = ""

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.drug, *self.also)

    @model_validator(mode="after")
    def _check(self) -> Profile:
        if self.facts and (self.no_facts_source or self.no_facts_year):
            raise ValueError("no_facts_source and no_facts_year are for profiles without facts")
        if not self.facts and (len(self.no_facts_source) < 8 or self.no_facts_year is None):
            raise ValueError("a profile without facts needs no_facts_source and no_facts_year")
        if self.exhaustive == bool(self.exhaustive_note):
            raise ValueError("exhaustive_note is required exactly when exhaustive is false")
        return self


def _lines(file_name: str, text: str) -> Iterable[tuple[str, dict]]:
    """``(where, record)`` for each line of a profile file; `where` is ``file:line``."""
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{file_name}:{n}"
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise ProfileError(f"{where}: {exc}") from None
        if not isinstance(record, dict):
            raise ProfileError(f"{where}: a profile is a JSON object")
        yield where, record


def _validate(where: str, record: dict) -> Profile:
    try:
        return Profile.model_validate(record)
    except (ValueError, ValidationError) as exc:
        first = str(exc).splitlines()
        raise ProfileError(f"{where}: {' '.join(s.strip() for s in first[:3])}") from None


def read_profiles(path: Path) -> Iterable[Profile]:
    """Every profile of one file, validated now (the checker's view of a file)."""
    for where, record in _lines(path.name, path.read_text(encoding="utf-8")):
        yield _validate(where, record)


def _keys(where: str, record: dict) -> list[str]:
    drug, also = record.get("drug"), record.get("also", [])
    if not isinstance(drug, str) or not isinstance(also, list):
        return [_validate(where, record).drug]  # raises: the schema says what is wrong
    return [drug, *also]


class ProfileMap(Mapping[str, Profile]):
    """``KB key -> Profile``: every key is known at load (a key in two profiles is an
    error), and each record is validated into a `Profile` when first looked up, because a
    query looks at a handful of the ~500 profiles (validating all of them cost ~0.1 s of
    every start). `validate_all` checks every record now (the data tests do)."""

    def __init__(self, records: dict[str, tuple[str, dict]]) -> None:
        self._records = records
        self._built: dict[str, Profile] = {}  # by `where` (file:line): one per record

    def __getitem__(self, key: str) -> Profile:
        where, record = self._records[key]
        profile = self._built.get(where)
        if profile is None:
            profile = self._built[where] = _validate(where, record)
        return profile

    def __contains__(self, key: object) -> bool:
        return key in self._records

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def validate_all(self) -> ProfileMap:
        for key in self._records:
            self[key]
        return self


def load_profiles(data_dir: Path) -> ProfileMap:
    """Every profile under `data_dir`, by each of its KB keys (a key in two profiles is an
    error: a drug has one profile). The parsed records are kept in the KB's load cache,
    keyed by a digest of the profile files (parsing the JSON costs ~50 ms of every start)."""
    files = [(p.name, p.read_bytes()) for p in sorted(data_dir.glob(PROFILE_GLOB))]
    digest = hashlib.blake2b(digest_size=8)
    for name, data in files:
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    cache = LoadCache(data_dir, digest.hexdigest())
    cached = cache.load("profiles")
    if cached is not None:
        return ProfileMap(cached["records"])
    records: dict[str, tuple[str, dict]] = {}
    for name, data in files:
        for where, record in _lines(name, data.decode("utf-8")):
            for key in _keys(where, record):
                if key in records:
                    raise ProfileError(f"{name}: {key!r} has two profiles")
                records[key] = (where, record)
    cache.store("profiles", {"records": records})
    return ProfileMap(records)
