"""What a mention stands for in knowledge terms: combination products split into their
ingredients, formulations folded to the ingredient, everyday words for interactants.

The mention keeps what the user wrote; knowledge (evidence, probes) is asked about each
ingredient. The table is reviewed data, ``data/kb/names_reviewed.jsonl`` (it ships in the
wheel with the KB): one line per name with its ingredients (KB drug keys), its ``kind``
(combination / brand / abbreviation / formulation / class / everyday), the ``source``
and the ``reason`` of the entry, and optional context rules:

* ``unless_next``: the name is not read when one of these words follows within three
  words, quantity words not counted ("drinking water", "drinking a lot of green tea",
  "smoke weed", "weed killer");
* ``requires_near``: the name is read only when one of these words is within three words
  ("smoke pot", not "a pot of tea");
* ``unless_with``: KB keys; the name is not read when another mention of the text has
  one of them ("I smoke on weekends" after "weed": the smoking may be the cannabis);
* ``case: "upper"``: read only when written in capitals ("MOM", not "my mom").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from pipeline.kb import KnowledgeBase
from pipeline.kb._text import normalise
from pipeline.names._resolver import FUZZY_CUTOFF, few_edits

__all__ = [
    "ENTRIES",
    "MIN_MISSPELT_LEN",
    "PRODUCTS",
    "REVIEWED_FILE",
    "ProductEntry",
    "find_products",
    "ingredients",
    "misspelt_product",
    "product_ingredients",
]

REVIEWED_FILE = "names_reviewed.jsonl"
_CONTEXT_WINDOW = 3
_CONTEXT_SCAN = 8
#: words between a verb and what it takes that do not count towards the context window
#: ("drinking a lot of green tea", "smokes 2 joints")
QUANTITY_WORDS = frozenset(
    "a an the some more much lots lot ton tons few couple of cup cups mug mugs glass glasses "
    "bottle bottles can cans green black herbal iced hot cold diet sweet".split()
)


@dataclass(frozen=True, slots=True)
class ProductEntry:
    name: str  # normalised
    ingredients: tuple[str, ...]
    kind: str
    source: str
    reason: str
    unless_next: frozenset[str] = frozenset()
    requires_near: frozenset[str] = frozenset()
    unless_with: frozenset[str] = frozenset()
    upper_only: bool = False


def _reviewed_path() -> Path:
    from importlib import resources

    from pipeline.kb import default_data_dir

    for d in (default_data_dir(), Path(__file__).resolve().parents[2] / "data" / "kb"):
        if (d / REVIEWED_FILE).is_file():
            return d / REVIEWED_FILE
    return Path(str(resources.files("pipeline._kb"))) / REVIEWED_FILE


def _load() -> dict[str, ProductEntry]:
    out: dict[str, ProductEntry] = {}
    with _reviewed_path().open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            name = normalise(row["name"])
            entry = ProductEntry(
                name=name,
                ingredients=tuple(row["ingredients"]),
                kind=row["kind"],
                source=row["source"],
                reason=row["reason"],
                unless_next=frozenset(normalise(w) for w in row.get("unless_next", ())),
                requires_near=frozenset(normalise(w) for w in row.get("requires_near", ())),
                unless_with=frozenset(row.get("unless_with", ())),
                upper_only=row.get("case") == "upper",
            )
            old = out.get(name)
            if old is not None and old.ingredients != entry.ingredients:
                raise ValueError(f"{REVIEWED_FILE}: {name!r} listed twice with other ingredients")
            out[name] = entry
    return out


#: normalised name -> its reviewed entry
ENTRIES: dict[str, ProductEntry] = _load()
#: normalised name -> KB keys of its active ingredients (or of the interactant it names)
PRODUCTS: dict[str, tuple[str, ...]] = {k: e.ingredients for k, e in ENTRIES.items()}
_MAX_WORDS = max(len(k.split()) for k in PRODUCTS)

#: formulation words folded away for knowledge purposes ("metoprolol ER" -> metoprolol)
FORMULATION_WORDS = frozenset(
    "er xr sr xl cr la dr ir od mr ec odt sublingual buccal patch spray pen injection injectable "
    "oral tablet tablets capsule capsules solution suspension cream gel ointment "
    "transdermal extended release delayed immediate chewable inhaler nasal topical pen pens "
    "solostar flexpen kwikpen intrauterine system iud implant vaginal ring device "
    "respimat diskus hfa ellipta".split()
)
# an origin or species qualifier: "insulin aspart (rdna origin)" -> insulin aspart
_QUALIFIER = re.compile(r"\s*\((?:rdna|recombinant|human|bovine|porcine)[^)]*\)\s*$")
# an indication qualifier of a formulation key: "buprenorphine buccal (chronic pain)"
_INDICATION = re.compile(r"\s*\([a-z][a-z ,'-]*\)\s*$")
# the FDA's four-letter suffix of a biologic's proper name: "risankizumab-rzaa" is
# risankizumab (FDA guidance "Nonproprietary Naming of Biological Products", 2017)
_BIOLOGIC_SUFFIX = re.compile(r"(?<=[a-z]{4})-[a-z]{4}$")
_COMBINATION_SPLIT = re.compile(r"\s*/\s*|\s+and\s+")


def product_ingredients(norm: str) -> tuple[str, ...] | None:
    """The reviewed ingredients of a normalised product or colloquial name, if listed."""
    return PRODUCTS.get(norm)


@cache
def ingredients(kb: KnowledgeBase, key: str) -> tuple[str, ...]:
    """The KB keys knowledge is asked about for a resolved drug key: the parts of a
    combination key ("trimethoprim/sulfamethoxazole"), the ingredient of a formulation key
    ("nitroglycerin sublingual"), else the key itself. Parts that are not KB drugs keep the
    whole key (nothing is dropped). A formulation key's indication qualifier goes when
    what is left folds to covered drugs ("buprenorphine sublingual and buccal (opioid
    dependence)", the KB's entry for Subutex, is buprenorphine)."""
    if not kb.is_covered(key):
        bare = _INDICATION.sub("", key)
        if bare != key:
            keys = ingredients(kb, bare)
            if all(kb.is_covered(k) for k in keys):
                return keys
    parts = [p for p in _COMBINATION_SPLIT.split(key) if p and not _formulation_only(p)]
    if len(parts) > 1:
        keys = [_ingredient_key(kb, p) for p in parts]
        if all(keys):
            return tuple(dict.fromkeys(k for k in keys if k))
        return (key,)
    folded = _ingredient_key(kb, parts[0] if parts else key)
    return (folded,) if folded else (key,)


def _formulation_only(part: str) -> bool:
    """A part of a key made only of formulation words ("buccal" in "sublingual and buccal")."""
    return all(w in FORMULATION_WORDS for w in normalise(part).split())


def _ingredient_key(kb: KnowledgeBase, name: str) -> str | None:
    if name in kb.drugs and kb.is_covered(name):
        return name
    bare = _BIOLOGIC_SUFFIX.sub("", _QUALIFIER.sub("", name))
    if bare != name and bare in kb.drugs:
        return bare
    words = [w for w in normalise(name).split() if w not in FORMULATION_WORDS]
    folded = " ".join(words)
    if folded in kb.drugs:
        return folded
    hits = kb.name_index().get(folded) or []
    return hits[0].drug if hits else (name if name in kb.drugs else None)


#: shortest one-word reviewed name that a misspelling may reach ("adderal" -> adderall)
MIN_MISSPELT_LEN = 6


@cache
def _one_word_products() -> tuple[str, ...]:
    return tuple(
        sorted(
            k
            for k, e in ENTRIES.items()
            if " " not in k and e.kind in ("brand", "combination") and len(k) >= MIN_MISSPELT_LEN
        )
    )


def misspelt_product(norm: str) -> str | None:
    """The one-word reviewed brand or combination name that `norm` misspells, under the
    dictionary's fuzzy rules (`FUZZY_CUTOFF`, `few_edits`): the dictionary lacks many
    combinations' brand names ("adderal" for Adderall), which only this table knows."""
    if len(norm) < MIN_MISSPELT_LEN or not norm.isalpha() or norm in ENTRIES:
        return None
    hit = process.extractOne(
        norm, _one_word_products(), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
    )
    return hit[0] if hit and few_edits(norm, hit[0]) else None


def find_products(
    tokens: list[str], raw: list[str] | None = None, segments: list[int] | None = None
) -> list[tuple[int, int, tuple[str, ...]]]:
    """(first token, end token, ingredients) for every listed name in a sequence of
    normalised tokens, longest match first, left to right, under each entry's context
    rules. ``raw`` (the tokens as written) is needed for capitals-only entries;
    ``segments`` (a part number per token, from punctuation) keeps the context rules
    inside the name's own part of the text."""
    out = []
    i = 0
    n_tok = len(tokens)
    while i < n_tok:
        for n in range(min(_MAX_WORDS, n_tok - i), 0, -1):
            entry = ENTRIES.get(" ".join(tokens[i : i + n]))
            if entry is not None and _context_ok(entry, tokens, raw, i, i + n, segments):
                out.append((i, i + n, entry.ingredients))
                i += n
                break
        else:
            i += 1
    return out


_BARE_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")


def _following(tokens: list[str], hi: int) -> list[int]:
    """The `_CONTEXT_WINDOW` tokens after position `hi`, quantity words and numbers skipped
    (at most `_CONTEXT_SCAN` tokens looked at: the cost per name stays bounded)."""
    out: list[int] = []
    for t in range(hi, min(hi + _CONTEXT_SCAN, len(tokens))):
        if len(out) == _CONTEXT_WINDOW:
            break
        if tokens[t] not in QUANTITY_WORDS and not _BARE_NUMBER.match(tokens[t]):
            out.append(t)
    return out


def _context_ok(
    entry: ProductEntry,
    tokens: list[str],
    raw: list[str] | None,
    lo: int,
    hi: int,
    segments: list[int] | None = None,
) -> bool:
    if entry.upper_only and (raw is None or not all(raw[t].isupper() for t in range(lo, hi))):
        return False
    if (
        entry.kind == "abbreviation"
        and hi - lo == 1
        and lo > 0
        and raw is not None
        and _BARE_NUMBER.match(raw[lo - 1])
        and (segments is None or segments[lo - 1] == segments[lo])
        and not raw[lo].isupper()
    ):
        return False  # a unit after a count ("2 inh daily"), not the drug (INH)
    seg = None if segments is None else segments[lo]

    def same(ts: Iterable[int]) -> list[str]:
        return [tokens[t] for t in ts if seg is None or segments[t] == seg]  # type: ignore[index]

    after = same(_following(tokens, hi))
    if entry.unless_next and entry.unless_next.intersection(after):
        return False
    if entry.requires_near:
        near = same(range(max(0, lo - _CONTEXT_WINDOW), lo)) + after
        return bool(entry.requires_near.intersection(near))
    return True
