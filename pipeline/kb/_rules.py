"""Mapping rules used by the KB build: salt folding, French -> English substance names,
ANSM severity levels and English mechanism categories.

Pure functions and hand-checked tables only: nothing here needs the source packages,
so the rules are unit-tested on real examples in ``tests/kb``.
"""

from __future__ import annotations

import re

from pipeline.kb._text import fold_accents, normalise

# ----------------------------------------------------------------------------- salts
#: Words stripped when folding a salt / hydrate / ester name onto its parent substance.
SALT_WORDS = frozenset(
    """
    hydrochloride dihydrochloride trihydrochloride hcl hydrobromide hydroiodide
    sodium disodium trisodium potassium dipotassium calcium magnesium zinc lithium aluminium
    aluminum ammonium meglumine lysine arginine tromethamine trometamol olamine diolamine
    maleate dimaleate hydrogen mesylate mesilate dimesylate besylate besilate tosylate
    succinate tartrate bitartrate hemitartrate citrate dihydrogen sulfate sulphate bisulfate
    hemisulfate phosphate diphosphate acetate diacetate fumarate hemifumarate
    dihydrate monohydrate hemihydrate trihydrate sesquihydrate tetrahydrate pentahydrate
    heptahydrate hexahydrate hydrate anhydrous
    lactate gluconate glubionate malate napsylate napadisylate pamoate embonate
    oxalate nitrate benzoate salicylate stearate palmitate propionate dipropionate
    valerate butyrate caproate cypionate enanthate decanoate undecanoate acetonide
    xinafoate bromide iodide chloride carbonate bicarbonate edisylate isethionate
    esylate camsylate mucate hippurate orotate ascorbate aspartate glutamate
    sodique potassique calcique magnesique chlorhydrate
    """.split()
)
#: A fold that leaves only one of these is an inorganic salt: keep the full name instead.
INORGANIC_REMAINDERS = frozenset(
    """
    chloride bicarbonate carbonate hydroxide oxide iodide fluoride sulfate phosphate
    citrate acetate gluconate lactate bromide nitrate
    sodium potassium calcium magnesium zinc lithium aluminium aluminum
    """.split()
)
_SALT_SPLIT = re.compile(r"[\s,()]+")


def fold_salt(name: str) -> str:
    """Fold a salt/hydrate name onto its parent: "SERTRALINE HYDROCHLORIDE" -> "sertraline".

    Works on the normalised name (lowercase, accents folded). Returns the normalised
    input unchanged when nothing (or only an inorganic ion) would remain, so
    "potassium chloride" stays "potassium chloride".
    """
    norm = normalise(name)
    words = [w for w in _SALT_SPLIT.split(norm) if w]
    kept = [w for w in words if w not in SALT_WORDS]
    if not kept or kept == words:
        return norm
    if len(kept) == 1 and kept[0] in INORGANIC_REMAINDERS:
        return norm
    return " ".join(kept)


# ------------------------------------------------------------------------- severity
#: ANSM's four levels (Thésaurus, introduction), kept as the source states them. The display
#: severity never calls "à prendre en compte" minor: ANSM uses it for risks that are often
#: severe where no practical precaution can be given (see `display_severity`).
ANSM_LEVELS = ("contraindication", "avoid", "precaution", "take_into_account")
LEVEL_BY_FRENCH = {
    "contre indication": "contraindication",
    "association deconseillee": "avoid",
    "precaution d'emploi": "precaution",
    "a prendre en compte": "take_into_account",
    "il convient de prendre en compte": "take_into_account",
}
#: level -> display severity for a level that names no severe outcome
SEVERITY_BY_LEVEL = {
    "contraindication": "contraindicated",
    "avoid": "major",
    "precaution": "moderate",
    "take_into_account": "moderate",
}
#: severe outcomes in an English mechanism text: a "take into account" entry naming one of
#: them is shown as major (ANSM: "conséquences souvent sévères")
SEVERE_OUTCOME_RE = re.compile(
    r"serotonin syndrome|haemorrhag|hemorrhag|bleeding|torsades|ventricular|convuls|seizure"
    r"|respiratory depression|fatal|death|agranulocytosis|aplasia|rhabdomyolysis"
    r"|hypertensive crisis|lactic acidosis|cardiac arrest|overdos|toxicity"
    # the same outcomes in ANSM's French (accent-folded), for entries read before English
    r"|syndrome serotoninergique|hemorragi|saignement|torsades? de pointes|convulsi"
    r"|depression respiratoire|mortel|deces|agranulocytose|rhabdomyolyse|surdosage"
    r"|crise hypertensive|acidose lactique|toxicite",
    re.IGNORECASE,
)
_SEV_ORDER = ("contraindicated", "major", "moderate", "minor")

_LEVEL_BY_NORM = {normalise(k): v for k, v in LEVEL_BY_FRENCH.items()}


def ansm_level(level_fr: str) -> str:
    """ANSM French level -> its English id (`ANSM_LEVELS`). Raises KeyError if unknown."""
    return _LEVEL_BY_NORM[normalise(level_fr)]


def display_severity(level: str, mechanism_en: str = "", mechanism_fr: str = "") -> str:
    """The display severity of an ANSM level (never "minor", never softened).

    "Precaution" and "take into account" entries whose mechanism names a severe outcome
    (bleeding, torsades de pointes, serotonin syndrome, overdose of the other drug, ...) are
    shown as major: the outcome is serious and needs medical action (monitoring, dose
    change), which is what "major" means in US interaction severity scales."""
    text = f"{mechanism_en} {fold_accents(mechanism_fr)}"
    if level in ("precaution", "take_into_account") and SEVERE_OUTCOME_RE.search(text):
        return "major"
    return SEVERITY_BY_LEVEL[level]


def map_severity(level_fr: str) -> str:
    """ANSM French level -> display severity. Raises KeyError on an unknown level."""
    return display_severity(ansm_level(level_fr))


def severity_range(levels_fr: list[str]) -> tuple[str, str]:
    """(most severe, least severe) over an entry's (possibly conditional) levels."""
    sev = sorted({map_severity(lv) for lv in levels_fr}, key=_SEV_ORDER.index)
    return sev[0], sev[-1]


def level_applies(level: dict, a: str, b: str) -> bool:
    """Whether an entry's level applies to the pair (a, b): a level restricted to named
    drugs (`only_with`) needs one of them in the pair ("sedatives + sedatives" is to be
    avoided with sodium oxybate); one restricted to pairs (`only_pairs`: [side, side])
    needs one drug from each side ("contraindicated between sodium oxybate and opioids").
    An unrestricted level applies to every pair of the entry."""
    only_with = level.get("only_with") or []
    only_pairs = level.get("only_pairs") or []
    if not only_with and not only_pairs:
        return True
    if {a, b} & set(only_with):
        return True
    return any(
        (a in left and b in right) or (b in left and a in right) for left, right in only_pairs
    )


def class_key(name: str) -> str:
    """One key per ANSM class whatever its spelling: PDF hyphenation splits some names
    ("bêta- bloquants" / "bêta-bloquants"), so spaces are dropped after normalising."""
    return normalise(name).replace(" ", "")


#: English drugs that share the knowledge of an ANSM substance mapped to another drug
#: (formulation or salt siblings, duplicate spellings in the name data). Checked by hand;
#: the build also links every drug whose salt-folded key is the mapped drug's key.
KNOWLEDGE_LINKS: dict[str, tuple[str, ...]] = {
    "isosorbide": ("isosorbide mononitrate", "isosorbide dinitrate"),
    "ethinylestradiol": ("ethinyl estradiol",),
    "alendronic acid": ("alendronate",),
    "potassium": (
        "potassium chloride",
        "potassium citrate",
        "potassium gluconate",
        "potassium bicarbonate",
        "potassium acetate",
    ),
    "iron": ("ferrous sulfate", "ferrous fumarate", "ferrous gluconate", "ferric citrate"),
    "norethindrone": ("norethindrone acetate",),
    "calcium": ("calcium carbonate", "calcium citrate", "calcium acetate", "calcium gluconate"),
    "magnesium": ("magnesium oxide", "magnesium citrate", "magnesium sulfate"),
    # INN / USAN duplicates in the name data (found by `names mapping to a covered and an
    # uncovered drug`, hand-checked; ricin, benzyl alcohol, beta carotene were rejected)
    "nitroglycerin": ("glyceryl trinitrate",),
    "acyclovir": ("aciclovir",),
    "chlorphenamine": ("chlorpheniramine",),
    "cholecalciferol": ("colecalciferol",),
    "mesalazine": ("mesalamine",),
    "penicillin v potassium": ("phenoxymethylpenicillin",),
    "valproic acid": ("sodium valproate",),
    "(+)-menthol": ("menthol", "levomenthol"),
}


# ----------------------------------------------------------------------- categories
_LEVEL_WORDS = r"(?:concentrations?|levels?|exposure|bioavailability|lithaemia|plasma)"
_UP = r"(?:increas|rais|rise|rising|elevat|higher|doubl|tripl)\w*"
_DOWN = r"(?:decreas|reduc|lower|fall|drop|diminish)\w*"
#: Mechanism categories read from the reviewed English mechanism text (never guessed:
#: a category needs its own words). Levels that change say why when the text does:
#: enzyme inhibition / induction (metabolism, CYP), renal clearance, absorption,
#: transporters; "raised_levels" / "lowered_levels" alone when the text gives no cause.
CATEGORY_PATTERNS: dict[str, str] = {
    "bleeding_risk": r"bleed|haemorrhag|hemorrhag|anticoagulant effect|antiplatelet",
    "qt_prolongation": r"torsades? de pointes|\bqt\b",
    "serotonin_syndrome": r"serotonin(?:ergic)? syndrome",
    "hyperkalaemia": r"hyperkal(?:a)?emi",
    "hypokalaemia": r"hypokal(?:a)?emi",
    "hyponatraemia": r"hyponatr(?:a)?emi",
    "raised_levels": rf"{_UP}[^.;]{{0,80}}{_LEVEL_WORDS}|{_LEVEL_WORDS}[^.;]{{0,30}}{_UP}|overdos",
    "lowered_levels": rf"{_DOWN}[^.;]{{0,80}}{_LEVEL_WORDS}|{_LEVEL_WORDS}[^.;]{{0,30}}{_DOWN}",
    "enzyme_inhibition": (
        r"(?:decreas|reduc|inhibit|slow)\w*[^.;]{0,40}(?:metabolism|cyp ?\w*|hepatic clearance)|"
        r"(?:cyp ?\w*|enzyme|metabolism)[^.;]{0,20}inhibit|inhibitors? of (?:cyp|metabolism)"
    ),
    "enzyme_induction": r"induc(?:er|tion|ing)|(?:increas|acceler)\w*[^.;]{0,30}metabolism",
    "reduced_renal_clearance": (
        r"(?:decreas|reduc|lower|compet)\w*[^.;]{0,60}(?:renal|urinary|tubular)\s+"
        r"(?:excretion|elimination|clearance|secretion)|(?:renal|tubular) (?:excretion|"
        r"elimination|clearance|secretion)[^.;]{0,30}(?:decreas|reduc|compet)|"
        r"compet\w*[^.;]{0,40}(?:renal tubul|in the tubules)"
    ),
    "transporter_effect": r"p-?glycoprotein|\bp-?gp\b|oatp|bcrp|transporter",
    "reduced_absorption": (
        r"(?:decreas|reduc|lower|impair)\w*[^.;]{0,40}(?:digestive |gastrointestinal |intestinal )?"
        r"absorption|chelat|complex(?:es|ation)? |gastric ph|binding in the gut"
    ),
    "reduced_efficacy": r"(?:loss|reduc\w*|decreas\w*|lower) (?:of |in )?(?:the )?(?:\w+ )?"
    r"(?:efficacy|effects?)|ineffective|antagon|therapeutic failure",
    "additive_sedation": r"sedat|drowsiness|(?:respiratory|central|cns) depress|alertness",
    "hypotension": r"hypotension|blood pressure|antihypertensive",
    "hypertension": r"hypertensi|rise in blood pressure",
    "bradycardia": r"bradycard|conduction|atrioventricular|av block|negative inotrop|"
    r"contractility",
    "arrhythmia": r"arrhythmi|rhythm disorder|fibrillation|tachycard",
    "nephrotoxicity": r"nephrotox|renal (?:failure|impairment|toxicity|function)|kidney",
    "hepatotoxicity": r"hepatotox|liver (?:injury|damage|toxicity)|hepatitis|transaminase",
    "ototoxicity": r"ototox",
    "myopathy_rhabdomyolysis": r"rhabdomyolys|myopath|muscle|muscular",
    "hypoglycaemia": r"hypoglyc(?:a)?em",
    "hyperglycaemia": r"hyperglyc(?:a)?em|(?:increas\w*|rise) in blood glucose|blood glucose"
    r" (?:increase|rise)|increased blood glucose",
    "immunosuppression": r"immunosuppress|immunodepress|vaccine disease|infection",
    "haematological_toxicity": (
        r"haematolog|hematolog|myelotox|neutropen|agranulocyt|pancytopen|aplas|leukopen|"
        r"leucopen|bone marrow"
    ),
    "serotonergic_or_mao": r"\bmaoi|monoamine oxidase|serotonin(?:ergic)? syndrome",
    "anticholinergic": r"atropin|anticholinergic",
    "convulsions": r"convuls|seizure|epileptogenic",
    "toxicity_increase": r"toxicity|adverse effects|overdos",
    "ergotism": r"ergotism|vasoconstriction",
    "hypertensive_crisis": r"hypertensive (?:crisis|crises|surge|episode)",
    "lactic_acidosis": r"lactic acidosis",
    "disulfiram_reaction": r"disulfiram|antabuse",
    "photosensitivity": r"photosensiti",
}
_COMPILED = {k: re.compile(v, re.IGNORECASE) for k, v in CATEGORY_PATTERNS.items()}
#: When the text matches nothing above.
OTHER_CATEGORY = "other"


def categorise(mechanism_en: str) -> tuple[str, ...]:
    """Mechanism categories of an English mechanism text (ANSM's, as translated)."""
    text = " ".join(mechanism_en.lower().split())
    return tuple(k for k, rx in _COMPILED.items() if rx.search(text))


# ------------------------------------------------------------------ French -> English
#: Hand-checked French -> English canonical key. ``None`` = deliberately unmapped
#: (non-specific items that must not be fuzzy-matched). Keys are normalise()d French.
FR_LEXICON: dict[str, str | None] = {
    "paracetamol": "acetaminophen",
    "acide acetylsalicylique": "aspirin",
    "adrenaline": "epinephrine",
    "noradrenaline": "norepinephrine",
    "salbutamol": "albuterol",
    "ciclosporine": "cyclosporine",
    "rifampicine": "rifampin",
    "glibenclamide": "glyburide",
    "pethidine": "meperidine",
    "aciclovir": "acyclovir",
    "valaciclovir": "valacyclovir",
    "thyroxines": "levothyroxine",
    "trinitrine": "nitroglycerin",
    "colestyramine": "cholestyramine",
    "cefalotine": "cephalothin",
    "dosulepine": "dosulepin",
    "alimemazine": "trimeprazine",
    "levomepromazine": "methotrimeprazine",
    "isoniazide": "isoniazid",
    "dinitrate d'isosorbide": "isosorbide dinitrate",
    "benzylpenicilline": "penicillin g",
    "phenoxymethylpenicilline": "penicillin v",
    "bleu de methylene": "methylene blue",
    "charbon active": "activated charcoal",
    "charbon vegetal officinal": "activated charcoal",
    "cafeine": "caffeine",
    "theine": "caffeine",
    "fer": "iron",
    "or": "gold",
    "fluor": "fluoride",
    "phosphore": "phosphorus",
    "calcium": "calcium",
    "norethisterone": "norethindrone",  # the drug-ner variant points to a combination
    "magnesium": "magnesium",
    "potassium": "potassium",
    "zinc": "zinc",
    "lithium": "lithium",
    "strontium": "strontium ranelate",
    "lanthane": "lanthanum carbonate",
    "sodium chlorure de": "sodium chloride",
    "sodium bicarbonate de": "sodium bicarbonate",
    "sodium citrate de": "sodium citrate",
    "sodium docusate de": "docusate",
    "sodium nitroprussiate de": "nitroprusside",
    "sodium oxybate de": "sodium oxybate",
    "oxybate de sodium": "sodium oxybate",
    "sodium picosulfate de": "picosulfuric acid",
    "magnesium hydroxyde de": "magnesium hydroxide",
    "magnesium trisilicate de": "magnesium trisilicate",
    "potassium citrate de": "potassium citrate",
    "oxyde d'aluminium": "aluminum oxide",
    "phosphate d'aluminium": "aluminum phosphate",
    "polystyrene sulfonate de sodium": "sodium polystyrene sulfonate",
    "polystyrene sulfonate de calcium": "sodium polystyrene sulfonate",
    "canrenoate de potassium": "canrenoic acid",
    "dimethyle fumarate de": "dimethyl fumarate",
    "vitamine a": "vitamin a",
    "cyanocobalamine": "cyanocobalamin",
    "acide folinique": "leucovorin",
    "acide ascorbique": "ascorbic acid",
    "p a s sodique": "aminosalicylic acid",
    "botulique toxine": "botulinum toxin type a",
    "estrogenes conjugues": "estrogens, conjugated (usp)",
    "heparine calcique": "heparin",
    "heparine sodique": "heparin",
    "mycophenolate mofetil": "mycophenolate mofetil",
    "mycophenolate sodique": "mycophenolic acid",
    "tenofovir disoproxil": "tenofovir disoproxil",
    "tenofovir alafenamide": "tenofovir alafenamide",
    "alteplase recombinante": "alteplase",
    "abciximab c 7e3b fab": "abciximab",
    "mitomycine c": "mitomycin",
    "interferon alfa": "interferon alfa-2b",
    "peg interferon alfa 2a": "peginterferon alfa-2a",
    "trastuzumab emtansine": "ado-trastuzumab emtansine",
    "menthe": "peppermint",
    "levomenthol": "menthol",
    "menthol racemique": "menthol",
    "reglisse": "licorice",
    "sene": "senna",
    "sene de l'inde": "senna",
    "ricin": "castor oil",
    "ricinus communis": "castor oil",
    "sodium ricinoleate de": "castor oil",
    "cascara": "cascara sagrada",
    "bourdaine": "frangula",
    "rhubarbe": "rhubarb",
    "nonoxynol 9": "nonoxynol-9",
    "bcg": "bcg vaccine",
    "virus de la fievre jaune": "yellow fever vaccine",
    "virus de la rougeole": "measles vaccine",
    "virus des oreillons": "mumps vaccine",
    "virus rubeoleux": "rubella virus vaccine",
    "virus varicelle zona": "chickenpox vaccine",
    "virus vivant attenue de la grippe": "influenza vaccines",
    "rotavirus": "rotavirus vaccines",
    "insuline": "insulin",
    # deliberately unmapped: non-specific or no English canonical equivalent
    "silicone": None,
    "kaolin lourd": None,
    "monmectite": None,
    "diosmectite": None,
    "gel d'hydroxyde d'aluminium et de carbonate de magnesium": None,
    "immunoglobuline de lapin anti lymphocyte t humain": "antithymocyte immunoglobulin (rabbit)",
    "immunoglobulines equines antilymphocyte humain": None,  # no specific English entry
    "camphre": "camphor",
    "paraffine": "mineral oil",
    "povidone iodee": "povidone-iodine",
    "inotuzumab": "inotuzumab ozogamicin",
    "perindopril tert butylamine": "perindopril",
    "fampridines": "dalfampridine",
    "fampridine": "dalfampridine",
    "loflazepate": "ethyl loflazepate",
    "arsenieux": "arsenic trioxide",
    "acetylsulfafurazol": "acetyl sulfisoxazole",
    "sulfafurazol": "sulfisoxazole",
    "sodium citrate diacide de": "sodium citrate",
    "dicitrate trimagnesien": "magnesium citrate",
    "di acefylline diphenhydramine": "diphenhydramine",
    "benethamine penicilline": "penicillin g",
    "citrate de gallium 67ga": "gallium citrate ga-67",
    "proteine c humaine": "protein c",
    "proteine c activee recombinante": "drotrecogin alfa",
    "crospovidone": None,
    "hydrotalcite": None,
    "altizide": None,
    "avizafone": None,
    "carpipramine": None,
}

_FR_LEXICON_NORM = {normalise(k): v for k, v in FR_LEXICON.items()}

#: Regex on normalised French names -> canonical key (families the lexicon groups).
FR_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^insuline\b"), "insulin"),
]

_FR_SUFFIXES = [
    # (French ending, English ending) tried in order on the last word
    ("ine", "in"),
    ("ine", "ine"),
    ("ene", "en"),
    ("yle", "yl"),
    ("ique", "ic"),
    ("ide", "id"),
    ("ole", "ol"),
    ("ate", "ate"),
    ("e", ""),
    ("ane", "an"),
]
_FR_SALT_QUALIFIERS = {
    "sodique": "sodium",
    "calcique": "calcium",
    "potassique": "potassium",
    "trometamol": "tromethamine",
    "cilexetil": "cilexetil",
    "recombinante": "",
    "biosynthetique": "",
}


def french_candidates(fr: str) -> list[str]:
    """Candidate English spellings for a French substance name, most likely first.

    Rules: accent folding; "acide X-ique" -> "X-ic acid" (and "X-ate"); last-word suffix
    rules (-ine -> -in, -ene -> -en, -yle -> -yl, trailing -e dropped, ...); French salt
    qualifiers (sodique -> sodium, or dropped); "A (B de)" -> "A B" and "B A".
    """
    norm = normalise(fr)
    out: list[str] = [norm]

    def add(x: str) -> None:
        x = " ".join(x.split())
        if x and x not in out:
            out.append(x)

    m = re.fullmatch(r"acide (\w+?)ique", norm)
    if m:
        stem = m.group(1)
        add(f"{stem}ic acid")
        add(f"{stem}ate")
        add(stem + "ic")
    words = norm.split()
    if len(words) >= 2 and words[-1] in _FR_SALT_QUALIFIERS:
        base = " ".join(words[:-1])
        eng = _FR_SALT_QUALIFIERS[words[-1]]
        for c in french_candidates(base):
            add(c)
            if eng:
                add(f"{c} {eng}")
    m = re.fullmatch(r"(\w+) (\w+) de", norm)  # "sodium (bicarbonate de)" normalised
    if m:
        add(f"{m.group(1)} {m.group(2)}")
        add(f"{m.group(2)} {m.group(1)}")
    # suffix rules on the last word
    for base in list(out):
        ws = base.split()
        last = ws[-1] if ws else ""
        for fr_end, en_end in _FR_SUFFIXES:
            if last.endswith(fr_end) and len(last) > len(fr_end) + 2:
                add(" ".join([*ws[:-1], last[: -len(fr_end)] + en_end]))
    # ph/f and y/i spelling variants are left to the lexicon and the fuzzy step
    return out


def map_french(fr: str, lookup) -> tuple[str | None, str]:
    """Map a French ANSM substance to an English key.

    ``lookup(text) -> key | None`` resolves a normalised English candidate.
    Returns (key or None, method) with method in lexicon/exact/rule/pattern/unmapped.
    Fuzzy matching is done by the build (needs rapidfuzz) after this returns unmapped.
    """
    norm = normalise(fr)
    if norm in _FR_LEXICON_NORM:
        target = _FR_LEXICON_NORM[norm]
        if target is None:
            return None, "lexicon-excluded"
        key = lookup(normalise(target))
        return (key, "lexicon") if key else (None, "lexicon-missing")
    for rx, target in FR_PATTERNS:
        if rx.search(norm):
            key = lookup(normalise(target))
            return (key, "pattern") if key else (None, "lexicon-missing")
    cands = french_candidates(fr)
    key = lookup(cands[0])
    if key:
        return key, "exact"
    for c in cands[1:]:
        key = lookup(c)
        if key:
            return key, "rule"
    return None, "unmapped"


# ------------------------------------------------------------------ international
#: Well-known INN / USAN / BAN pairs: (international name, English canonical key).
INTERNATIONAL_NAMES: list[tuple[str, str]] = [
    ("paracetamol", "acetaminophen"),
    ("salbutamol", "albuterol"),
    ("adrenaline", "epinephrine"),
    ("noradrenaline", "norepinephrine"),
    ("lignocaine", "lidocaine"),
    ("frusemide", "furosemide"),
    ("glibenclamide", "glyburide"),
    ("pethidine", "meperidine"),
    ("ciclosporin", "cyclosporine"),
    ("cyclosporin", "cyclosporine"),
    ("rifampicin", "rifampin"),
    ("aciclovir", "acyclovir"),
    ("valaciclovir", "valacyclovir"),
    ("amoxycillin", "amoxicillin"),
    ("bendrofluazide", "bendroflumethiazide"),
    ("benzylpenicillin", "penicillin g"),
    ("phenoxymethylpenicillin", "penicillin v"),
    ("colestyramine", "cholestyramine"),
    ("dosulepin", "dosulepin"),
    ("dothiepin", "dosulepin"),
    ("levothyroxine sodium", "levothyroxine"),
    ("thyroxine", "levothyroxine"),
    ("glyceryl trinitrate", "nitroglycerin"),
    ("isoprenaline", "isoproterenol"),
    ("orciprenaline", "metaproterenol"),
    ("mesalazine", "mesalamine"),
    ("sulphasalazine", "sulfasalazine"),
    ("thiamazole", "methimazole"),
    ("chlorphenamine", "chlorpheniramine"),
    ("dexchlorphenamine", "dexchlorpheniramine"),
    ("hyoscine", "scopolamine"),
    ("hyoscine butylbromide", "butylscopolamine"),
    ("acetylsalicylic acid", "aspirin"),
    ("sodium valproate", "valproic acid"),
    ("valproate", "valproic acid"),
    ("oestradiol", "estradiol"),
    ("ethinyloestradiol", "ethinyl estradiol"),
    ("cefalexin", "cephalexin"),
    ("cephalexine", "cephalexin"),
    ("sulfamethoxazole and trimethoprim", "sulfamethoxazole and trimethoprim"),
    ("co-trimoxazole", "sulfamethoxazole and trimethoprim"),
    ("co-amoxiclav", "amoxicillin and clavulanate potassium"),
    ("clomifene", "clomiphene"),
    ("tamsulosine", "tamsulosin"),
    ("methotrimeprazine", "methotrimeprazine"),
    ("levomepromazine", "methotrimeprazine"),
    ("trimeprazine", "trimeprazine"),
    ("alimemazine", "trimeprazine"),
    ("procaine benzylpenicillin", "penicillin g procaine"),
    ("amfetamine", "amphetamine"),
    ("dexamfetamine", "dextroamphetamine"),
    ("lisdexamfetamine", "lisdexamfetamine dimesylate"),
    ("metamizole", "dipyrone"),
    ("nitrofurantoine", "nitrofurantoin"),
    ("ergometrine", "ergonovine"),
    ("methylergometrine", "methylergonovine"),
    ("torasemide", "torsemide"),
    ("zidovudine", "zidovudine"),
    ("beclometasone", "beclomethasone"),
    ("betametasone", "betamethasone"),
    ("dexametasone", "dexamethasone"),
    ("flucloxacillin", "floxacillin"),
    ("guaifenesin", "guaifenesin"),
    ("lidocaine", "lidocaine"),
    ("mitomycin c", "mitomycin"),
    ("pentetrazol", "pentylenetetrazole"),
    ("retinol", "vitamin a"),
    ("tretinoine", "tretinoin"),
    ("aminosalicylic acid", "aminosalicylic acid"),
    ("suxamethonium", "succinylcholine"),
    ("tetracosactide", "cosyntropin"),
    ("colecalciferol", "cholecalciferol"),
    ("ciclosporine", "cyclosporine"),
]


# ------------------------------------------------------------- non-drug interactants
#: Entities that are not drugs (foods, herbals, other): those ANSM lists, and herbal and
#: dietary supplements people ask about that the name sources lack (kava, ashwagandha,
#: red yeast rice, cranberry, garlic, probiotics, kratom, ginger, elderberry,
#: multivitamins; named as NIH NCCIH's "Herbs at a Glance" names them). ``fr`` =
#: normalised ANSM names mapped onto the entity (empty when ANSM has none); ``absorb`` =
#: drug-ner canonicals merged into it. What they do is in the pharmacology profiles
#: (``data/kb/pharm-*.jsonl``), each fact with its source.
NON_DRUG_ENTITIES: list[dict] = [
    {
        "key": "grapefruit juice",
        "name": "Grapefruit juice",
        "kind": "food",
        "fr": ["pamplemousse jus et fruit"],
        "aliases": ["grapefruit", "grapefruit juice", "grapefruits", "pomelo juice"],
        "absorb": ["grapefruit"],
    },
    {
        "key": "alcohol",
        "name": "Alcohol",
        "kind": "other",
        "fr": ["alcool boisson ou excipient"],
        "aliases": ["alcohol", "ethanol", "ethyl alcohol", "alcoholic drinks", "booze"],
        "absorb": ["ethanol"],
    },
    {
        "key": "st john's wort",
        "name": "St John's wort",
        "kind": "herbal",
        "fr": ["millepertuis"],
        "aliases": [
            "St John's wort",
            "St. John's wort",
            "Saint John's wort",
            "hypericum",
            "hypericum perforatum",
        ],
        "absorb": ["st. john's wort"],
    },
    {
        "key": "latex condoms",
        "name": "Latex condoms",
        "kind": "other",
        "fr": ["preservatifs en latex"],
        "aliases": ["latex condom", "condoms", "condom"],
        "absorb": [],
    },
    {
        "key": "eucalyptus",
        "name": "Eucalyptus",
        "kind": "herbal",
        "fr": ["eucalyptus"],
        "aliases": ["eucalyptus oil"],
        "absorb": [],
    },
    {
        "key": "niaouli",
        "name": "Niaouli",
        "kind": "herbal",
        "fr": ["niaouli"],
        "aliases": ["niaouli oil", "melaleuca quinquenervia"],
        "absorb": [],
    },
    {
        "key": "boldo",
        "name": "Boldo",
        "kind": "herbal",
        "fr": ["boldo"],
        "aliases": ["boldo leaf", "peumus boldus"],
        "absorb": ["boldo leaf extract"],
    },
    {
        "key": "frangula",
        "name": "Frangula (alder buckthorn)",
        "kind": "herbal",
        "fr": ["bourdaine"],
        "aliases": ["alder buckthorn", "frangula bark"],
        "absorb": [],
    },
    {
        "key": "cascara sagrada",
        "name": "Cascara sagrada",
        "kind": "herbal",
        "fr": ["cascara", "cascara sagrada"],
        "aliases": ["cascara"],
        "absorb": ["frangula purshiana bark"],
    },
    {
        "key": "rhubarb",
        "name": "Rhubarb",
        "kind": "herbal",
        "fr": ["rhubarbe"],
        "aliases": ["rhubarb root"],
        "absorb": [],
    },
    {
        "key": "multivitamin",
        "name": "Multivitamin",
        "kind": "other",
        "fr": [],
        "aliases": [
            "multivitamin",
            "multivitamins",
            "multi-vitamin",
            "multi vitamin",
            "multivitamin tablet",
            "multiple vitamins",
            "multivitamina",
            "multivitaminas",
            "multivitamines",
        ],
        "absorb": [],
    },
    {
        "key": "kava",
        "name": "Kava",
        "kind": "herbal",
        "fr": [],
        "aliases": ["kava", "kava kava", "kava-kava", "kavakava", "piper methysticum"],
        "absorb": [],
    },
    {
        "key": "ashwagandha",
        "name": "Ashwagandha",
        "kind": "herbal",
        "fr": [],
        "aliases": ["ashwagandha", "withania somnifera", "withania"],
        "absorb": [],
    },
    {
        "key": "red yeast rice",
        "name": "Red yeast rice",
        "kind": "herbal",
        "fr": [],
        "aliases": [
            "red yeast rice",
            "red rice yeast",
            "monascus purpureus",
            "levure de riz rouge",
        ],
        "absorb": [],
    },
    {
        "key": "cranberry",
        "name": "Cranberry",
        "kind": "food",
        "fr": [],
        "aliases": [
            "cranberry",
            "cranberries",
            "cranberry juice",
            "cranberry extract",
            "vaccinium macrocarpon",
            "canneberge",
            "arandano rojo",
        ],
        "absorb": [],
    },
    {
        "key": "garlic",
        "name": "Garlic",
        "kind": "herbal",
        "fr": [],
        "aliases": ["garlic", "garlic supplement", "garlic pills", "allium sativum"],
        "absorb": ["garlic oil"],
    },
    {
        "key": "probiotics",
        "name": "Probiotics",
        "kind": "other",
        "fr": [],
        "aliases": ["probiotic", "probiotics", "probiotique", "probiotiques", "probiotico"],
        "absorb": [],
    },
    {
        "key": "kratom",
        "name": "Kratom",
        "kind": "herbal",
        "fr": [],
        "aliases": ["kratom", "mitragyna speciosa", "mitragynine"],
        "absorb": [],
    },
    {
        "key": "ginger",
        "name": "Ginger",
        "kind": "herbal",
        "fr": [],
        "aliases": ["ginger", "ginger root", "ginger supplement", "zingiber officinale"],
        "absorb": [],
    },
    {
        "key": "elderberry",
        "name": "Elderberry",
        "kind": "herbal",
        "fr": [],
        "aliases": ["elderberry", "elderberries", "elderberry syrup", "sambucus", "sambucus nigra"],
        "absorb": [],
    },
]

#: Medicines sold outside the US that the name sources lack, so that their brands read
#: as themselves and not as a near-spelt other drug ("Sertal" is not "Sirtal",
#: carbamazepine). Same fields as `NON_DRUG_ENTITIES`; no interaction data of their own.
REVIEWED_DRUGS: list[dict] = [
    {
        "key": "propinox",
        "name": "Propinox",
        "kind": "drug",
        "fr": [],
        "aliases": ["propinox", "propinox hydrochloride", "propinox clorhidrato"],
        "absorb": [],
    },
    {
        "key": "almagate",
        "name": "Almagate",
        "kind": "drug",
        "fr": [],
        "aliases": ["almagate", "almagato"],
        "absorb": [],
    },
]
#: every entity the build adds from this module
LEXICON_ENTITIES: list[dict] = NON_DRUG_ENTITIES + REVIEWED_DRUGS
#: drug-ner canonicals (after the build's merges) re-labelled as herbal / food / other.
KIND_OVERRIDES: dict[str, str] = {
    "ginkgo biloba": "herbal",
    "licorice": "herbal",
    "peppermint": "herbal",
    "senna": "herbal",
    "castor oil": "other",
    "caffeine": "drug",
}

#: drug-ner duplicate merges (build rule 2) that were hand-checked and are wrong:
#: nucleotides / phospho-amino acids are not salts of their parent, peptides differ.
MERGE_REJECT = frozenset(
    {
        "kallidin",
        "vasotocin",
        "phosphorylcholine",
        "phosphoserine",
        "phosphothreonine",
        "adenosine diphosphate",
        "adenosine monophosphate",
        "cytidine diphosphate",
        "guanosine diphosphate",
        "inosine diphosphate",
        "uridine diphosphate",
        "calcium/cholecalciferol",
    }
)
