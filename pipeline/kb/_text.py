"""Text helpers shared by the KB build, the loader and the names layer.

Pure functions only: nothing here needs the source packages.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold_accents", "normalise"]

_APOSTROPHES = re.compile(r"['\u2019\u2018`\u00b4]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold_accents(text: str) -> str:
    """Strip diacritics: "warfarine à" -> "warfarine a"; ligatures are expanded (œ -> oe)."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Normalise a drug name for lookup.

    casefold, accents folded, apostrophes dropped ("St John's" -> "st johns"), every other
    run of punctuation/whitespace collapsed to one space, trimmed. Digits are kept.

    >>> normalise("  St. John's   Wort ")
    'st johns wort'
    >>> normalise("Lévothyrox")
    'levothyrox'
    >>> normalise("L-Thyroxine")
    'l thyroxine'
    """
    folded = fold_accents(text).casefold()
    folded = _APOSTROPHES.sub("", folded)
    return _NON_ALNUM.sub(" ", folded).strip()
