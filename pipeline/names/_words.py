"""Common words of English, French and Spanish, so that ordinary words are neither read as
drugs (exactly or by fuzzy match) nor reported as unresolved drug names.

The word lists are `wordfreq`'s (Robyn Speer et al., https://github.com/rspeer/wordfreq;
code Apache-2.0, word data CC BY-SA 4.0, built from Wikipedia, subtitles, news, books,
web text, Twitter and Reddit): every word used at least ``COMMON_ZIPF`` on the Zipf scale
(``log10`` of its frequency per billion words; 3 = once per million words) in any of the
three languages. Frequency keeps out the obscure words a full dictionary has
("zanax", "metforman" and made-up names like "zorblaxin" are in no list) while names,
places and everyday words are in ("Amber", "Molly", "clinician", "query", "pourquoi").
``benchmarks/mentions.py --sweep`` measures mention precision, recall and noise at other
thresholds: the default is the one it supports.

A frequent word that is also a KB name is split in two by `drug_word`:

* a **drug word** is a name people use for a medicine or interactant: a reviewed name
  (``names_reviewed.jsonl``), a curated KB name (lexicon, ANSM), a widely known brand
  (`lexicon.WELL_KNOWN_BRANDS`), a generic or international name of a drug people take
  (clinical, covered or with a pharmacology profile: "aspirin", "iron", "melatonin"), or a
  spelling of such a drug's own name in another language ("aspirina", "ibuprofeno");
* every other frequent word is **common**, even where the KB has it as a name: UNII brand
  names and synonyms that are English, French or Spanish words ("justice", "sector",
  "reconcile", "nostril", "rayos") or substances nobody means as a medicine ("rice",
  "amber", "yeast", "serotonin").

Common words never resolve alone and are never fuzzy-matched or reported unresolved
(`is_common`); a drug word resolves, under the context rules of `pipeline.names._read`
("my potassium was 3.1", "I iron clothes" are not medicines).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import importlib.util
import json
import re
import threading
import unicodedata
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from pipeline.kb import KnowledgeBase
from pipeline.kb._disk import LoadCache
from pipeline.kb._text import normalise

if TYPE_CHECKING:
    from pipeline.names._resolver import NameIndex

__all__ = [
    "COMMON_ZIPF",
    "LANGUAGES",
    "CommonWords",
    "common_words",
    "frequent_words",
    "word_zipf",
]

#: a word at least this frequent (Zipf scale) in English, French or Spanish is a common
#: word; chosen with `benchmarks/mentions.py --sweep`
COMMON_ZIPF = 2.5
#: the lowest threshold a sweep may ask for
_LOADED_ZIPF = 2.0
LANGUAGES = ("en", "fr", "es")
#: a frequent word that is a KB synonym or brand of a real drug is a drug word when it is
#: this close (skeleton ratio) to one of the drug's own names: "aspirina", "ibuprofeno"
SPELLING_VARIANT = 80.0

_LOCK = threading.Lock()


def _read_cbpack(path: Path) -> list[list[str]] | None:
    """wordfreq's packed list: a header, then one list of words per centibel of frequency
    (bin ``i`` holds the words of frequency ``10 ** (-i / 100)``). None if unreadable."""
    try:
        import msgpack  # a dependency of wordfreq

        with gzip.open(path, "rb") as fh:
            data = msgpack.load(fh, raw=False)
    except (ImportError, OSError, ValueError):
        return None
    if not data or data[0] != {"format": "cB", "version": 1}:
        return None
    return data[1:]


_APOSTROPHES = re.compile(r"['\u2019\u2018`\u00b4]")
_NON_ALNUM_LINE = re.compile(r"[^0-9a-z\n]+")


def _normalise_all(words: list[str]) -> list[str]:
    """`normalise` of many (lower-case) words at once: plain letters as they are, the
    others folded in one pass over one joined string. Words in other scripts come out
    empty (no Latin letter is left of them)."""
    out = [w if w.isascii() and w.isalpha() else "" for w in words]
    rest = [i for i, w in enumerate(out) if not w]
    if rest:
        joined = "\n".join(words[i].replace("\n", " ") for i in rest)
        joined = joined.replace("œ", "oe").replace("æ", "ae")
        joined = unicodedata.normalize("NFKD", joined).encode("ascii", "ignore").decode()
        joined = _APOSTROPHES.sub("", joined.casefold())
        for i, w in zip(rest, _NON_ALNUM_LINE.sub(" ", joined).split("\n"), strict=True):
            out[i] = w.strip()
    return out


@cache
def _frequencies(lang: str, floor: float = COMMON_ZIPF) -> dict[str, float]:
    """Normalised word -> Zipf value, for every word at or above `floor`."""
    out: dict[str, float] = {}
    spec = importlib.util.find_spec("wordfreq")
    bins = None
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / "data"
        bins = _read_cbpack(path / f"large_{lang}.msgpack.gz")
    if bins is not None:  # fast path: no import of wordfreq (ftfy, langcodes, regex)
        for i, words in enumerate(bins):
            zipf = 9.0 - i / 100.0
            if zipf < floor - 1e-9:
                break
            for n in _normalise_all(words):
                if n and n not in out:
                    out[n] = zipf
        return out
    import math

    import wordfreq  # the documented interface, if the data layout ever changes

    for w, freq in wordfreq.get_frequency_dict(lang, wordlist="large").items():
        zipf = math.log10(freq) + 9.0 if freq > 0 else 0.0
        n = normalise(w)
        if zipf >= floor - 1e-9 and n and out.get(n, -1.0) < zipf:
            out[n] = zipf
    return out


def word_zipf(norm: str) -> float:
    """The highest Zipf frequency of a normalised word in English, French or Spanish
    (0 below `_LOADED_ZIPF`)."""
    return max(_frequencies(lang, _LOADED_ZIPF).get(norm, 0.0) for lang in LANGUAGES)


@cache
def frequent_words(threshold: float = COMMON_ZIPF) -> frozenset[str]:
    """Normalised single words (letters only) at least `threshold` frequent in a language."""
    if threshold < _LOADED_ZIPF:
        raise ValueError(f"word lists are loaded down to Zipf {_LOADED_ZIPF}")
    out: set[str] = set()
    for lang in LANGUAGES:
        out.update(w for w in _frequencies(lang, threshold) if w.isalpha())
    return frozenset(out)


@cache
def _profile_keys() -> frozenset[str]:
    """KB keys with a pharmacology profile (``data/kb/pharm-*.jsonl``): interactants."""
    from pipeline.kb import default_data_dir

    keys: set[str] = set()
    dirs = [default_data_dir(), Path(__file__).resolve().parents[2] / "data" / "kb"]
    for d in dirs:
        files = sorted(Path(d).glob("pharm-*.jsonl")) if Path(d).is_dir() else []
        for path in files:
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    keys.add(row["drug"])
                    keys.update(row.get("also", ()))
        if keys:
            break
    return frozenset(keys)


def _real_drug(idx: NameIndex, key: str) -> bool:
    """A drug or interactant people take: clinical, covered, or with a profile."""
    return idx.is_clinical(key) or key in _profile_keys()


def drug_word(idx: NameIndex, norm: str) -> bool:
    """Whether a (frequent) word is a name people use for a medicine: module doc."""
    from pipeline.names._lexicon import BRAND_RANK, FREQUENT_WORD_DRUGS
    from pipeline.names._products import PRODUCTS
    from pipeline.names._resolver import skeleton

    if norm in PRODUCTS or norm in BRAND_RANK or norm in FREQUENT_WORD_DRUGS:
        return True
    entries = idx.names.get(norm, ())
    if not entries:
        return False
    sk = None
    for n in entries:
        if n.source in ("lexicon", "ansm"):
            return True
        if not _real_drug(idx, n.drug):
            continue
        if n.kind in ("generic", "international"):
            return True
        sk = sk or skeleton(norm)
        own = [x.text for x in idx.kb.names(n.drug) if x.kind in ("generic", "international")]
        for name in [n.drug, *own]:
            if fuzz.ratio(sk, skeleton(normalise(name))) >= SPELLING_VARIANT:
                return True
    return False


class CommonWords:
    """The frequent words of one `NameIndex`, split into common words and drug words."""

    def __init__(self, idx: NameIndex, threshold: float = COMMON_ZIPF) -> None:
        from pipeline.names._products import PRODUCTS

        self.threshold = threshold
        frequent = frequent_words(threshold)
        drug = {w for w in frequent if w in idx.names and drug_word(idx, w)}
        drug.update(w for w in frequent if w in PRODUCTS)
        # plurals of drug words are drug words ("aspirinas", "Duonebs")
        drug.update(w for w in frequent if w.endswith("s") and w[:-1] in drug)
        #: frequent words that name a medicine or interactant ("iron", "aspirin")
        self.drug_words: frozenset[str] = frozenset(drug)
        #: every other frequent word: never a drug on its own
        self.common: frozenset[str] = frequent - self.drug_words

    @classmethod
    def from_sets(cls, threshold: float, drug_words: list[str], common: list[str]) -> CommonWords:
        """A split read back from the load cache."""
        cw = cls.__new__(cls)
        cw.threshold = threshold
        cw.drug_words = frozenset(drug_words)
        cw.common = frozenset(common)
        return cw

    def is_common(self, norm: str) -> bool:
        """A frequent word that is not a drug word."""
        return norm in self.common

    def is_frequent(self, norm: str) -> bool:
        """Any frequent word, drug word or not."""
        return norm in self.common or norm in self.drug_words


def _inputs_digest(idx: NameIndex, threshold: float) -> str:
    """What the split of the frequent words depends on: the word data, the threshold, the
    KB, the reviewed names, the profiles and the code that decides (this module and the
    name tables it reads)."""
    h = hashlib.blake2b(digest_size=8)
    h.update(f"{_wordfreq_version()}|{threshold}|{idx.kb.version}".encode())
    here = Path(__file__).resolve().parent
    files = [here / "_words.py", here / "_lexicon.py", here / "_products.py"]
    files += sorted(Path(idx.kb.data_dir).glob("names_reviewed.jsonl"))
    files += sorted(Path(idx.kb.data_dir).glob("pharm-*.jsonl"))
    for path in files:
        with contextlib.suppress(OSError):
            h.update(path.read_bytes())
    return h.hexdigest()


def _wordfreq_version() -> str:
    try:
        return metadata.version("wordfreq")
    except metadata.PackageNotFoundError:
        return "none"


def _cached(idx: NameIndex, threshold: float) -> CommonWords:
    """`CommonWords(idx, threshold)`, kept in the KB's load cache (``<data>/.cache``): the
    split takes about a second to compute and a few milliseconds to read back."""
    store = LoadCache(Path(idx.kb.data_dir), _inputs_digest(idx, threshold))
    part = f"common-words-{threshold:g}"
    saved = store.load(part)
    if isinstance(saved, dict) and set(saved) == {"drug_words", "common"}:
        return CommonWords.from_sets(threshold, saved["drug_words"], saved["common"])
    cw = CommonWords(idx, threshold)
    store.store(part, {"drug_words": sorted(cw.drug_words), "common": sorted(cw.common)})
    return cw


def common_words(idx: NameIndex, threshold: float | None = None) -> CommonWords:
    """The `CommonWords` of an index (built once per index and threshold; the default
    threshold's also cached on disk)."""
    t = COMMON_ZIPF if threshold is None else threshold
    cache_ = idx.__dict__.setdefault("_common_words", {})
    cw = cache_.get(t)
    if cw is None:
        with _LOCK:
            cw = cache_.get(t)
            if cw is None:
                on_disk = t == COMMON_ZIPF and isinstance(idx.kb, KnowledgeBase)
                cw = cache_[t] = _cached(idx, t) if on_disk else CommonWords(idx, t)
    return cw
