"""What a mention stands for in knowledge terms: combination products split into their
ingredients, formulations folded to the ingredient, everyday words for interactants.

The mention keeps what the user wrote; knowledge (evidence, probes) is asked about each
ingredient. `PRODUCTS` is reviewed data written by the team from US labelling (product
names and their active ingredients) and common usage; every value is a KB drug key.
"""

from __future__ import annotations

import re
from functools import cache

from pipeline.kb import KnowledgeBase
from pipeline.kb.text import normalise

__all__ = ["PRODUCTS", "ingredients", "product_ingredients"]

#: normalised name -> KB keys of its active ingredients (or of the interactant it names)
PRODUCTS: dict[str, tuple[str, ...]] = {
    # combination products (US labelling)
    "percocet": ("oxycodone", "acetaminophen"),
    "endocet": ("oxycodone", "acetaminophen"),
    "norco": ("hydrocodone", "acetaminophen"),
    "vicodin": ("hydrocodone", "acetaminophen"),
    "lortab": ("hydrocodone", "acetaminophen"),
    "tylenol 3": ("codeine", "acetaminophen"),
    "tylenol with codeine": ("codeine", "acetaminophen"),
    "bactrim": ("trimethoprim", "sulfamethoxazole"),
    "bactrim ds": ("trimethoprim", "sulfamethoxazole"),
    "septra": ("trimethoprim", "sulfamethoxazole"),
    "smx tmp": ("trimethoprim", "sulfamethoxazole"),
    "tmp smx": ("trimethoprim", "sulfamethoxazole"),
    "augmentin": ("amoxicillin", "clavulanic acid"),
    "paxlovid": ("nirmatrelvir", "ritonavir"),
    "kaletra": ("lopinavir", "ritonavir"),
    "cafergot": ("ergotamine", "caffeine"),
    "yaz": ("drospirenone", "ethinylestradiol"),
    "yasmin": ("drospirenone", "ethinylestradiol"),
    "symbicort": ("budesonide", "formoterol"),
    "advair": ("fluticasone", "salmeterol"),
    "tylenol pm": ("acetaminophen", "diphenhydramine"),
    "advil pm": ("ibuprofen", "diphenhydramine"),
    "excedrin": ("acetaminophen", "aspirin", "caffeine"),
    "nyquil": ("acetaminophen", "dextromethorphan", "doxylamine"),
    "vytorin": ("ezetimibe", "simvastatin"),
    "hyzaar": ("losartan", "hydrochlorothiazide"),
    "zestoretic": ("lisinopril", "hydrochlorothiazide"),
    "suboxone": ("buprenorphine", "naloxone"),
    "sinemet": ("carbidopa", "levodopa"),
    "janumet": ("sitagliptin", "metformin"),
    "entresto": ("sacubitril", "valsartan"),
    "rolaids": ("calcium carbonate", "magnesium hydroxide"),
    "maalox": ("aluminum hydroxide", "magnesium hydroxide"),
    "mylanta": ("aluminum hydroxide", "magnesium hydroxide"),
    # single-ingredient brands and abbreviations the name data lacks
    "tums": ("calcium carbonate",),
    "asa": ("aspirin",),
    "mtx": ("methotrexate",),
    "ntg": ("nitroglycerin",),
    "kcl": ("potassium chloride",),
    "hctz": ("hydrochlorothiazide",),
    "apap": ("acetaminophen",),
    # everyday words for interactants
    "wine": ("alcohol",),
    "red wine": ("alcohol",),
    "beer": ("alcohol",),
    "beers": ("alcohol",),
    "vodka": ("alcohol",),
    "whisky": ("alcohol",),
    "whiskey": ("alcohol",),
    "gin": ("alcohol",),
    "rum": ("alcohol",),
    "tequila": ("alcohol",),
    "liquor": ("alcohol",),
    "booze": ("alcohol",),
    "cocktail": ("alcohol",),
    "cocktails": ("alcohol",),
    "drinking": ("alcohol",),
    "drinks": ("alcohol",),
    "a drink": ("alcohol",),
    "tobacco": ("tobacco leaf",),
    "cigarette": ("tobacco leaf",),
    "cigarettes": ("tobacco leaf",),
    "cigars": ("tobacco leaf",),
    "smoking": ("tobacco leaf",),
    "smoker": ("tobacco leaf",),
    "smoke": ("tobacco leaf",),
    "coffee": ("caffeine",),
    "espresso": ("caffeine",),
    "energy drink": ("caffeine",),
    "grapefruit": ("grapefruit juice",),
    "weed": ("dronabinol",),
    "marijuana": ("dronabinol",),
    "cannabis": ("dronabinol",),
    "thc": ("dronabinol",),
}
_MAX_WORDS = max(len(k.split()) for k in PRODUCTS)

#: formulation words folded away for knowledge purposes ("metoprolol ER" -> metoprolol)
FORMULATION_WORDS = frozenset(
    "er xr sr xl cr la dr ir od mr ec odt sublingual patch spray pen injection injectable "
    "oral tablet tablets capsule capsules solution suspension cream gel ointment "
    "transdermal extended release delayed immediate chewable inhaler nasal topical".split()
)
_COMBINATION_SPLIT = re.compile(r"\s*/\s*|\s+and\s+")


def product_ingredients(norm: str) -> tuple[str, ...] | None:
    """The reviewed ingredients of a normalised product or colloquial name, if listed."""
    return PRODUCTS.get(norm)


@cache
def ingredients(kb: KnowledgeBase, key: str) -> tuple[str, ...]:
    """The KB keys knowledge is asked about for a resolved drug key: the parts of a
    combination key ("trimethoprim/sulfamethoxazole"), the ingredient of a formulation key
    ("nitroglycerin sublingual"), else the key itself. Parts that are not KB drugs keep the
    whole key (nothing is dropped)."""
    parts = [p for p in _COMBINATION_SPLIT.split(key) if p]
    if len(parts) > 1:
        keys = [_ingredient_key(kb, p) for p in parts]
        if all(keys):
            return tuple(dict.fromkeys(k for k in keys if k))
        return (key,)
    folded = _ingredient_key(kb, key)
    return (folded,) if folded else (key,)


def _ingredient_key(kb: KnowledgeBase, name: str) -> str | None:
    if name in kb.drugs and kb.is_covered(name):
        return name
    words = [w for w in normalise(name).split() if w not in FORMULATION_WORDS]
    folded = " ".join(words)
    if folded in kb.drugs:
        return folded
    hits = kb.name_index().get(folded) or []
    return hits[0].drug if hits else (name if name in kb.drugs else None)


def find_products(tokens: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
    """(first token, end token, ingredients) for every listed product name in a sequence of
    normalised tokens, longest match first, left to right."""
    out = []
    i = 0
    while i < len(tokens):
        for n in range(min(_MAX_WORDS, len(tokens) - i), 0, -1):
            hit = PRODUCTS.get(" ".join(tokens[i : i + n]))
            if hit:
                out.append((i, i + n, hit))
                i += n
                break
        else:
            i += 1
    return out
