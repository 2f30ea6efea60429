"""Alternate names of a drug, ranked by how likely a model knows the drug by them.

Order: the generic (display) name, then up to two international variants (paracetamol for
acetaminophen, lignocaine for lidocaine), the main brands (widely known ones from
``lexicon.WELL_KNOWN_BRANDS`` first, then short single alphabetic words that are no English
word), common salt forms, then the French spellings from the ANSM thesaurus ("warfarine":
a model that knows one knows the other, so they are worth a probe only after the brands),
then other short synonyms to fill ``limit``. Accents are folded ("adrénaline" is offered as
"adrenaline"). Names with digits, codes, long systematic names and wiki-markup noise are
skipped; duplicates are removed by normalised text; every name kept resolves back to the
same drug through `resolve` (enforced).
"""

from __future__ import annotations

import re

from pipeline.kb._text import fold_accents
from pipeline.names._lexicon import BLOCK_EXACT, BRAND_RANK, STOPWORDS
from pipeline.names._resolver import NameIndex, default_index
from pipeline.names._results import Synonym

__all__ = ["synonyms"]

MAX_LEN = 30
MAX_WORDS = 3
_CLEAN = re.compile(r"[A-Za-z][A-Za-z '\u2019.\-]*[A-Za-z.]")
_SYSTEMATIC = re.compile(
    r"(?:yl|oxy|amino|hydroxy|methyl|ethyl|propyl|phenyl|chloro|fluoro|ic acid ester)\b|"
    r"\b(?:monohydrate|dihydrate|trihydrate|anhydrous|hydrate)\b",
    re.IGNORECASE,
)
# quotas per kind for the first pass (the rest fills up to `limit` in a second pass)
_QUOTA = {"generic": 1, "international": 2, "brand": 3, "salt": 2, "spelling": 0, "synonym": 0}
_ORDER = ("generic", "international", "brand", "salt", "spelling", "synonym")


def _usable(text: str) -> bool:
    if len(text) > MAX_LEN or len(text) < 3 or not _CLEAN.fullmatch(text):
        return False
    if text.count(" ") >= MAX_WORDS or text.count("-") > 1:
        return False
    return not _SYSTEMATIC.search(text)


def _display(text: str) -> str:
    """UNII brand strings are upper case: show "ZOLOFT" as "Zoloft"."""
    if text.isupper() and len(text) > 4:
        return " ".join(w.capitalize() for w in text.split(" "))
    return text


def synonyms(drug_key: str, limit: int = 8, *, index: NameIndex | None = None) -> list[Synonym]:
    """Ranked alternate names for a drug key (empty list for an unknown key)."""
    idx = index or default_index()
    kb = idx.kb
    drug = kb.drug(drug_key)
    if drug is None or limit <= 0:
        return []
    names = kb.names(drug_key)
    norm = idx.normalise

    # how many sources list each normalised text, and whether drug-ner does
    n_sources: dict[str, set[str]] = {}
    for n in names:
        n_sources.setdefault(norm(n.text), set()).add(n.source)

    by_kind: dict[str, list[tuple[tuple, str, str, str]]] = {k: [] for k in _ORDER}
    seen_text: set[str] = set()
    generic_candidates = [(drug.name, "generic", names[0].source if names else "drug-ner")]
    generic_candidates += [(n.text, n.kind, n.source) for n in names]
    for text, kind, source in generic_candidates:
        text = fold_accents(text)  # "adrénaline" -> "adrenaline": the spelling models know
        t = norm(text)
        if not t or t in seen_text or not _usable(text):
            continue
        if kind == "brand" and drug_key in t.split():  # "Apo-Warfarin", "X Component Y"
            continue
        seen_text.add(t)
        srcs = n_sources.get(t, {source})
        words = t.count(" ") + 1
        if kind == "brand":
            key = (
                BRAND_RANK.get(t, len(BRAND_RANK)),
                t in STOPWORDS or t in BLOCK_EXACT,
                words,
                not 5 <= len(t) <= 10,
                "-" in text,
                -len(srcs),
                len(t),
                t,
            )
        else:
            key = (words, len(t), t) if kind != "generic" else (0,)
        bucket = "spelling" if kind == "international" and source == "ansm" else kind
        by_kind.setdefault(bucket, []).append((key, _display(text), kind, source))
    for lst in by_kind.values():
        lst.sort(key=lambda x: x[0])

    # generic always first; then each kind's quota; then the rest in the same kind order
    quotas = [item for k in _ORDER for item in by_kind[k][: _QUOTA[k]]]
    rest = [item for k in _ORDER for item in by_kind[k][_QUOTA[k] :]]
    picked = [item[1:] for item in quotas + rest]

    out: list[Synonym] = []
    for text, kind, source in picked:
        if len(out) >= limit:
            break
        r = idx.resolve(text, fuzzy=False)
        if r is None or r.key != drug_key:
            continue
        out.append(Synonym(text=text, kind=kind, source=source, rank=len(out)))
    return out
