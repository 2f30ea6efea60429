"""Resolve a drug mention (generic, brand, salt, international name, misspelling) to a KB drug.

Two stages:

1. Exact: ``normalise(mention)`` looked up in ``kb.name_index()`` (one dict lookup). If
   that fails, trailing dose / form / frequency words are dropped ("Lipitor 20 mg tablets")
   and the lookup is retried.
2. Fuzzy (mentions of >= 4 letters, no digits): the mention is reduced to a phonetic
   *skeleton* (ph->f, c/q->k, y->i, z->s, word-initial x->s, doubled letters collapsed, word-final e
   dropped, ...) and compared with ``rapidfuzz.fuzz.ratio`` against the skeletons of
   the KB names that share its first skeleton letter and lie within a length band. Only
   those buckets are prepared (lazily, on first use), so a query scans a few hundred to
   a few thousand short strings instead of all ~100k+ variants. The score reported is
   ``max(ratio(normalised), ratio(skeleton) - 5)`` on a 0-100 scale; a match is accepted at
   ``FUZZY_CUTOFF`` or above.

Ambiguity: when one normalised name belongs to several drugs the winner is chosen by
name kind (generic < international < brand < salt < synonym), then drugs with
interaction coverage, then alphabetically by key; the others become ``suggestions``.
"""

from __future__ import annotations

import hashlib
import re
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from pipeline.kb._disk import LoadCache
from pipeline.names._lexicon import DOSE_TOKEN, FREQUENCIES, STOPWORDS, UNITS
from pipeline.names._results import Resolution, ResolvedDrug, Suggestion

if TYPE_CHECKING:
    from pipeline.kb import DrugName, KnowledgeBase

__all__ = [
    "FUZZY_CUTOFF",
    "MIN_EDIT_SIMILARITY",
    "MIN_FUZZY_LEN",
    "SUGGEST_CUTOFF",
    "NameIndex",
    "aprepare_default",
    "default_index",
    "few_edits",
    "lookup",
    "resolve",
    "skeleton",
]

FUZZY_CUTOFF = 85.0  # accept a fuzzy match at this score or above (0-100)
SUGGEST_CUTOFF = 50.0  # "did you mean" entries at this score or above
MIN_FUZZY_LEN = 4  # mentions shorter than this (in normalised characters) never fuzzy-match
MAX_FUZZY_LEN = 40  # KB names longer than this are not fuzzy candidates
MAX_FUZZY_WORDS = 3
SKELETON_PENALTY = 5.0
#: a fuzzy match is accepted only within this edit similarity (optimal string alignment: a
#: swap of two letters is one edit), of the spelling or of the sound skeleton: the indel
#: ratio alone lets two inserted letters through ("Zorvanex", a made-up name, scored 86
#: against the brand Zorane); one or two slips in a long name stay above it
#: ("clarithromicin", "Imtainib", "fenitoin"). Swept on the development mentions set
#: (`benchmarks/mentions.py`): at 0.80 two edits in ten letters pass and the made-up
#: "dulometrine" read as duloxetine; at 0.82 it is reported and only one vowel written for
#: another in a five-letter name ("xanex") is lost, which `_vowel_slip` accepts on its own
MIN_EDIT_SIMILARITY = 0.82

KIND_RANK = {"generic": 0, "international": 1, "brand": 2, "salt": 3, "synonym": 4}
MATCH_KIND = {
    "generic": "exact",
    "international": "international",
    "brand": "brand",
    "salt": "salt",
    "synonym": "synonym",
}

_DOUBLES = re.compile(r"([a-z])\1+")
_INITIAL_X = re.compile(r"(?:^|(?<=[\n ]))x")
_FINAL_E = re.compile(r"e\b")
_SKELETON_PAIRS = (
    ("ph", "f"),
    ("th", "t"),
    ("ck", "k"),
    ("qu", "kw"),
    ("q", "k"),
    ("c", "k"),
    ("y", "i"),
    ("z", "s"),
    ("ae", "e"),
    ("oe", "e"),
)
_TRAILING_NOISE = (
    UNITS
    | FREQUENCIES
    | frozenset(
        "oral po iv im sc sl tablet tablets tab tabs cap caps capsule capsules pill pills "
        "solution suspension syrup injection cream gel patch er xr xl sr cr dr ir la ec od "
        "daily nightly twice once a day per as needed at bedtime every morning evening "
        "night".split()
    )
)


def skeleton(norm: str) -> str:
    """Phonetic-ish key of a normalised name: ``skeleton("clarithromycine") == "klaritromikin"``."""
    return _skeletons([norm])[0] or norm


#: shortest name in which one vowel written for another still counts as that name
MIN_VOWEL_SLIP_LEN = 5
_VOWELS = frozenset("aeiouy")


def _vowel_slip(norm: str, name: str) -> bool:
    """One vowel written for another, the rest the same ("xanex", "ambian"): the most
    common slip in a short name, which the indel ratio scores as two edits (80 for five
    letters), below every cutoff."""
    if len(norm) != len(name) or len(norm) < MIN_VOWEL_SLIP_LEN:
        return False
    diff = [(a, b) for a, b in zip(norm, name, strict=True) if a != b]
    return len(diff) == 1 and diff[0][0] in _VOWELS and diff[0][1] in _VOWELS


def few_edits(norm: str, name: str) -> bool:
    """`norm` is within `MIN_EDIT_SIMILARITY` of the KB name, as spelt or as it sounds, or
    differs from it by one vowel (`_vowel_slip`)."""
    sim = OSA.normalized_similarity
    if _vowel_slip(norm, name):
        return True
    return max(sim(norm, name), sim(skeleton(norm), skeleton(name))) >= MIN_EDIT_SIMILARITY


def _skeletons(norms: list[str]) -> list[str]:
    """`skeleton` for many names at once (one pass over one joined string: fast)."""
    s = "\n".join(norms)
    s = _INITIAL_X.sub("s", s)  # word-initial x sounds z: "zanax" / "xanax", "zarelto"
    for a, b in _SKELETON_PAIRS:
        s = s.replace(a, b)
    s = _DOUBLES.sub(r"\1", s)
    s = _FINAL_E.sub("", s)
    return s.split("\n")


@dataclass(slots=True)
class _Bucket:
    lengths: list[int]  # sorted skeleton lengths
    skels: list[str]  # unique skeletons, sorted by length
    norms: list[tuple[str, ...]]  # normalised KB names for each skeleton


def _first_char(norm: str) -> str:
    """First letter of ``skeleton(norm)``, computed from the name's first two letters."""
    head = norm[:2]
    if head in ("ae", "oe"):
        return "e"
    if head == "ph":
        return "f"
    c = norm[0]
    return {"c": "k", "q": "k", "y": "i", "z": "s", "x": "s"}.get(c, c)


@dataclass(frozen=True, slots=True)
class _Hit:
    norm: str  # normalised KB name that matched
    score: float


class NameIndex:
    """Resolution index over one KnowledgeBase. Cheap to build; buckets prepared lazily."""

    def __init__(self, kb: KnowledgeBase) -> None:
        from pipeline.kb import normalise

        self.kb = kb
        self.normalise = normalise
        self.names: dict[str, list[DrugName]] = kb.name_index()
        self._raw: dict[str, list[str]] | None = None  # first skeleton letter -> names
        self._buckets: dict[tuple[str, bool], _Bucket | None] = {}  # lazily, per letter
        self._buckets_read = False  # the load cache was consulted for prepared buckets
        self._letters: list[str] | None = None  # bucket letters, when read from the cache
        self._fuzzy_cache: dict[tuple[str, float, bool, bool], tuple[_Hit, ...]] = {}
        # edge words of every multi-word name, for cheap n-gram pruning in extraction
        self.first_words, self.last_words = kb.multi_word_edges()

    # ------------------------------------------------------------------ buckets
    def _raw_buckets(self) -> dict[str, list[str]]:
        if self._raw is None:
            raw: dict[str, list[str]] = {}
            for n in self.names:
                if (
                    MIN_FUZZY_LEN <= len(n) <= MAX_FUZZY_LEN
                    and n.count(" ") < MAX_FUZZY_WORDS
                    and n.isascii()
                    and n.replace(" ", "").isalpha()
                ):
                    raw.setdefault(_first_char(n), []).append(n)
            self._raw = raw
        return self._raw

    def is_clinical(self, drug_key: str) -> bool:
        """A drug people take: ANSM-covered, or with a MedlinePlus / RxNorm id."""
        d = self.kb.drugs.get(drug_key)
        return d is not None and (d.covered or "medlineplus" in d.ids or "rxnorm" in d.ids)

    def is_core_name(self, norm: str) -> bool:
        """A well-known name: a non-synonym name (or a curated one) of a clinical drug."""
        return any(
            (n.kind != "synonym" or n.source in ("ansm", "lexicon")) and self.is_clinical(n.drug)
            for n in self.names.get(norm, ())
        )

    def _read_buckets(self) -> None:
        """Every bucket from the KB's load cache (``<data>/.cache``), or all of them built
        now and stored there: a typo at the start of a name searches every bucket, and
        building them all costs about a second, reading them back a few milliseconds."""
        self._buckets_read = True
        data_dir = getattr(self.kb, "data_dir", None)
        version = getattr(self.kb, "version", None)
        if data_dir is None or version is None:  # a KB without files: lazily, per letter
            return
        try:
            code = Path(__file__).read_bytes()  # the skeleton and bucket rules live here
        except OSError:
            return
        digest = hashlib.blake2b(code + version.encode(), digest_size=8).hexdigest()
        store = LoadCache(Path(data_dir), digest)
        saved = store.load("fuzzy-buckets")
        if isinstance(saved, dict) and set(saved) == {"letters", "buckets"}:
            self._letters = list(saved["letters"])
            self._buckets = {k: _Bucket(*v) if v else None for k, v in saved["buckets"].items()}
            return
        self.warm()
        buckets = {
            k: (b.lengths, b.skels, b.norms) if b else None for k, b in self._buckets.items()
        }
        store.store("fuzzy-buckets", {"letters": self._bucket_letters(), "buckets": buckets})

    def _bucket_letters(self) -> list[str]:
        return self._letters if self._letters is not None else list(self._raw_buckets())

    def _bucket(self, char: str, core: bool = False) -> _Bucket | None:
        if not self._buckets_read:
            self._read_buckets()
        if (char, core) not in self._buckets:
            norms = self._raw_buckets().get(char)
            if norms and core:
                norms = [n for n in norms if self.is_core_name(n)]
            b = None
            if norms:
                by_skel: dict[str, list[str]] = {}
                for n, sk in zip(norms, _skeletons(norms), strict=True):
                    by_skel.setdefault(sk or n, []).append(n)
                skels = sorted(by_skel, key=lambda s: (len(s), s))
                b = _Bucket([len(s) for s in skels], skels, [tuple(by_skel[s]) for s in skels])
            self._buckets[(char, core)] = b
        return self._buckets[(char, core)]

    def warm(self) -> None:
        """Prepare every fuzzy bucket now (instead of lazily on first use of each letter)."""
        for c in self._bucket_letters():
            self._bucket(c, False)
            self._bucket(c, True)

    # ------------------------------------------------------------------ ranking
    def _rank_key(self, n: DrugName) -> tuple:
        """Name kind, then drugs with interaction coverage, then key (module docstring)."""
        d = self.kb.drugs.get(n.drug)
        return (KIND_RANK.get(n.kind, 9), not (d is not None and d.covered), n.drug)

    def ranked(self, norm: str) -> list[DrugName]:
        """KB names for a normalised text, one per drug, best first."""
        entries = self.names.get(norm, ())
        if len(entries) <= 1:
            return list(entries)
        return sorted(entries, key=self._rank_key)

    # ------------------------------------------------------------------ fuzzy
    def fuzzy(
        self, norm: str, cutoff: float = FUZZY_CUTOFF, wide: bool = False, core: bool = False
    ) -> tuple[_Hit, ...]:
        """Fuzzy hits for a normalised mention, best first, score >= cutoff.

        ``wide`` also searches every bucket (not just the mention's first letter): used for
        "did you mean" suggestions. ``core`` searches only well-known names of clinical
        drugs (`is_core_name`): used by extraction, where English words must not match
        obscure UNII brands ("program", "tracer").
        """
        ck = (norm, cutoff, wide, core)
        hit = self._fuzzy_cache.get(ck)
        if hit is not None:
            return hit
        out: tuple[_Hit, ...] = ()
        if len(norm) >= MIN_FUZZY_LEN and norm.isascii() and norm.replace(" ", "").isalpha():
            out = self._fuzzy(norm, cutoff, wide, core)
        if len(self._fuzzy_cache) > 50_000:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[ck] = out
        return out

    def fuzzy_any_start(
        self, norm: str, cutoff: float = FUZZY_CUTOFF, core: bool = False
    ) -> tuple[_Hit, ...]:
        """`fuzzy` in the first letter's bucket, then in every bucket at the same cutoff: a
        typo that changes how the name starts ("Pnenelzine": ph- sorts under f)."""
        return self.fuzzy(norm, cutoff, core=core) or self.fuzzy(norm, cutoff, True, core)

    def _fuzzy(self, norm: str, cutoff: float, wide: bool, core: bool) -> tuple[_Hit, ...]:
        sk = skeleton(norm)
        n = len(sk)
        # indel ratio r needs |len difference| <= (1 - r) * (len1 + len2); bound loosely
        slack = (100.0 - cutoff + SKELETON_PENALTY) / 100.0
        band = max(2, int(slack * 2 * n / (1 - slack)) + 1) if slack < 1 else n
        first = _first_char(norm)
        buckets = [self._bucket(first, core)]
        if wide:
            buckets += [self._bucket(c, core) for c in self._bucket_letters() if c != first]
        scores: dict[str, float] = {}
        for b in buckets:
            if b is None:
                continue
            lo = bisect_left(b.lengths, n - band)
            hi = bisect_right(b.lengths, n + band)
            if lo >= hi:
                continue
            found = process.extract(
                sk,
                b.skels[lo:hi],
                scorer=fuzz.ratio,
                score_cutoff=max(0.0, cutoff - 2 * SKELETON_PENALTY),
                limit=12,
            )
            for _, skel_score, i in found:
                for cand in b.norms[lo + i]:
                    score = max(fuzz.ratio(norm, cand), skel_score - SKELETON_PENALTY)
                    if _vowel_slip(norm, cand):
                        score = max(score, cutoff)
                    if score >= cutoff and score > scores.get(cand, -1.0):
                        scores[cand] = round(score, 2)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self._prio(kv[0])))
        return tuple(_Hit(c, s) for c, s in ranked[:12])

    def _prio(self, norm: str) -> tuple:
        """Tie-break between equal fuzzy scores: the rank of the name's best drug."""
        best = self.ranked(norm)
        return self._rank_key(best[0]) if best else (9, True, norm)

    # ------------------------------------------------------------------ public
    def _make(
        self, mention: str, name: DrugName, match_kind: str, score: float, sugg: list[Suggestion]
    ) -> ResolvedDrug:
        d = self.kb.drugs.get(name.drug)
        return ResolvedDrug(
            mention=mention,
            key=name.drug,
            name=d.name if d else name.drug,
            drug_id=d.drug_id if d else f"kb:{name.drug}",
            match_kind=match_kind,  # type: ignore[arg-type]
            matched_name=name.text,
            score=score,
            kind=d.kind if d else "drug",
            covered=bool(d and d.covered),
            suggestions=tuple(sugg),
        )

    def exact(self, mention: str, norm: str | None = None) -> ResolvedDrug | None:
        """Exact/normalised lookup only (also with trailing dose/form words dropped)."""
        if norm is None:
            norm = self.normalise(mention)
        ranked = self.ranked(norm)
        if not ranked:
            stripped = _strip_noise(norm)
            if stripped == norm or not stripped:
                return None
            ranked = self.ranked(stripped)
            if not ranked:
                return None
        best = ranked[0]
        others = [Suggestion(name=n.text, key=n.drug, score=100.0) for n in ranked[1:6]]
        return self._make(mention, best, MATCH_KIND.get(best.kind, "synonym"), 100.0, others)

    def resolve(
        self, mention: str, cutoff: float = FUZZY_CUTOFF, fuzzy: bool = True
    ) -> ResolvedDrug | None:
        mention = mention.strip()
        norm = self.normalise(mention)
        if not norm:
            return None
        found = self.exact(mention, norm)
        if found is not None or not fuzzy:
            return found
        target = _strip_noise(norm) or norm
        hits = tuple(h for h in self.fuzzy_any_start(target, cutoff) if few_edits(target, h.norm))
        if not hits:
            return None
        return self._from_hits(mention, hits)

    def _from_hits(self, mention: str, hits: tuple[_Hit, ...]) -> ResolvedDrug:
        best_hit = hits[0]
        best = self.ranked(best_hit.norm)[0]
        sugg: list[Suggestion] = []
        seen = {best.drug}
        for h in hits:
            for n in self.ranked(h.norm):
                if n.drug not in seen:
                    seen.add(n.drug)
                    sugg.append(Suggestion(name=n.text, key=n.drug, score=h.score))
        return self._make(mention, best, "fuzzy", best_hit.score, sugg[:5])

    def suggest(
        self, mention: str, limit: int = 5, cutoff: float = SUGGEST_CUTOFF
    ) -> list[Suggestion]:
        """Ranked "did you mean" entries (one per drug), for mentions that did not resolve."""
        norm = _strip_noise(self.normalise(mention)) or self.normalise(mention)
        letters = re.sub(r"[^a-z ]+", " ", norm).strip()
        letters = re.sub(r" +", " ", letters)
        out: list[Suggestion] = []
        seen: set[str] = set()
        for h in self.fuzzy(letters, cutoff, wide=True) if letters else ():
            for n in self.ranked(h.norm)[:1]:
                if n.drug not in seen:
                    seen.add(n.drug)
                    out.append(Suggestion(name=n.text, key=n.drug, score=h.score))
            if len(out) >= limit:
                break
        return out

    def lookup(self, mention: str, limit: int = 5) -> Resolution:
        stripped = mention.strip()
        drug = self.resolve(stripped)
        if drug is not None:
            return Resolution(mention=stripped, drug=drug, suggestions=list(drug.suggestions))
        return Resolution(mention=stripped, drug=None, suggestions=self.suggest(stripped, limit))


def _strip_noise(norm: str) -> str:
    """Drop trailing (and leading) dose, unit, form and frequency words."""
    words = norm.split(" ")
    while words and (words[-1] in _TRAILING_NOISE or DOSE_TOKEN.match(words[-1])):
        words.pop()
    while words and (words[0] in STOPWORDS or DOSE_TOKEN.match(words[0])) and len(words) > 1:
        words.pop(0)
    return " ".join(words)


_DEFAULT_LOCK = threading.Lock()


@cache
def _default_index() -> NameIndex:
    from pipeline.kb import load_kb

    return NameIndex(load_kb())


def default_index() -> NameIndex:
    """The index over the default KB (``load_kb()``), built once per process."""
    with _DEFAULT_LOCK:  # a thread that asks during the build waits for it
        return _default_index()


def default_index_ready() -> bool:
    return _default_index.cache_info().currsize > 0


def prepare_default(interactions: bool = True) -> NameIndex:
    """Load the default KB (names, and interactions unless told not to) and build the name
    index: everything the cascade reads on its first query."""
    index = default_index()
    index.kb.prepare(interactions=interactions)
    return index


async def aprepare_default() -> None:
    """`prepare_default` in a worker thread, so the first query of a process (server,
    `ask_many`) never blocks the event loop on loading data; a no-op once loaded."""
    if default_index_ready() and default_index().kb.prepared(interactions=True):
        return
    import asyncio

    await asyncio.to_thread(prepare_default)


def resolve(mention: str, *, index: NameIndex | None = None) -> ResolvedDrug | None:
    """Resolve one mention to a KB drug, or None. See the module docstring."""
    return (index or default_index()).resolve(mention)


def lookup(mention: str, *, index: NameIndex | None = None, limit: int = 5) -> Resolution:
    """Like `resolve`, plus ranked "did you mean" suggestions when it does not resolve."""
    return (index or default_index()).lookup(mention, limit)
