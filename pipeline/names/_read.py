"""One reading of the user's input for every entry point (`ask`, `ddi ask`, `ddi resolve`,
the graph's parse node): mentions with offsets, the ingredient(s) each stands for, and why.

`read_query(query)` takes free text or a list of items and returns a `Reading`:

1. `clean_text`: one Unicode policy (NFC/NFKC, invisible and control characters removed,
   Latin look-alikes folded), with a note for anything changed.
2. Words in a non-Latin script are masked (never fuzzy-matched) and reported.
3. `extract_drugs`: the dictionary (KB names, exact then fuzzy under context rules); dose,
   unit and frequency words are never part of a drug name ("metoprolol 25mg BID").
4. The reviewed table (`products.ENTRIES`: combination products, abbreviations,
   formulations, everyday interactants with their context rules) replaces dictionary
   mentions inside its spans: "Percocet" -> oxycodone + acetaminophen, "a glass of wine"
   -> alcohol, "Maalox" -> aluminum hydroxide + magnesium hydroxide (never loperamide).
5. Nothing is silently dropped: every drug-like word that none of the above resolved is
   returned unresolved, with a reason and "did you mean" suggestions (`unread`).

A list item is read the same way; an item in which nothing resolves is then looked up
whole (a bare name gets the resolver's own fuzzy cutoff) before it is reported.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from pipeline._injection import find_injection
from pipeline.kb._rules import SALT_WORDS
from pipeline.kb._text import normalise
from pipeline.names._extract import (
    _ITEM_BREAK,
    MAX_ITEM_TOKENS,
    _fuzzy_candidate,
    _items,
    _looks_like_drug,
    _same_ending,
    _suggestions,
    extract_drugs,
    token_spans,
)
from pipeline.names._lexicon import (
    BLOCK_EXACT,
    DOSE_TOKEN,
    FREQUENCIES,
    NON_DRUG_SUFFIXES,
    UNITS,
)
from pipeline.names._products import (
    ENTRIES,
    MIN_MISSPELT_LEN,
    find_products,
    ingredients,
    misspelt_product,
)
from pipeline.names._resolver import NameIndex, default_index
from pipeline.names._results import Mention, ResolvedDrug, Suggestion
from pipeline.names._words import CommonWords, common_words

__all__ = ["Reading", "clean_text", "mask_foreign", "read_query", "read_text", "scripts"]

#: a near miss this close to a well-known drug name makes any word worth reporting
NEAR_MISS = 82.0
#: in a text that names a drug, a word this long that is in no common-word list (no
#: English, French or Spanish word, no condition word) is reported: "flurbizzle"
UNCOMMON_MIN_LEN = 6
#: ... unless it ends like an English, Spanish or French word form ("prescriber",
#: "contraindicated", "anticholinergic", "recetaron"), which a medicine's name does not
_WORD_ENDINGS = (
    "ing", "ion", "ions", "ed", "er", "ers", "ly", "ment", "ments", "ness", "ive", "ful",
    "ous", "able", "ible", "ity", "ise", "ize", "ure", "ance", "ence", "ship", "less", "est",
    "ic", "ical", "ant", "ants", "work", "walk", "aron", "ieron", "ando", "iendo", "amos",
    "aient", "ait", "ons", "ez",
)  # fmt: skip
#: words after which the next unknown word is probably a medicine ("I'm on X", "took X")
_DRUG_CONTEXT = frozenset(
    "take takes taking took taken on started start starting prescribed using use uses "
    "stopped stop tried try mixing mix mixed plus called named llamado llamada appele rx "
    "supplement prends prend prenait pris prise prescrit sous tomo toma tomar tomando "
    "tome recetaron receto du mon ma mes son sa ses mi mis su sus".split()
)
#: ordinary words outside the stop-word lists that still follow those verbs
_ORDINARY = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday january february march april
    june july august september october november december tonight today tomorrow yesterday
    vacation holiday holidays trip walk walks walking break breaks shower nap naps bath
    lunch dinner breakfast meal meals supper snack snacks time call board track purpose
    call omg lol usa fda cdc nhs icu ed ok fyi asap btw pls plz thx
    """.split()
)


@dataclass
class Reading:
    """What `read_query` read: the cleaned text, and every mention in order."""

    text: str
    is_list: bool
    mentions: list[Mention] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def resolved(self) -> list[Mention]:
        return [m for m in self.mentions if m.drug is not None]

    @property
    def unresolved(self) -> list[Mention]:
        return [m for m in self.mentions if m.drug is None]


# ---------------------------------------------------------------- input hygiene
# (review reasons for input the dictionary cannot read: never a silent drop)

_KEEP_CONTROL = frozenset("\n\r\t")
_MICRO = frozenset("\u00b5\u03bc")  # micro sign / Greek mu in "500 µg"


#: invisible code points that are not in the Cc/Cf categories (variation selectors, the
#: combining grapheme joiner, Mongolian free variation selectors, Hangul fillers, the
#: braille blank): removed wherever they are
_INVISIBLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180E, 0x180F]
    + [0x2800, 0x3164, 0xFFA0]
    + list(range(0xFE00, 0xFE10))
    + list(range(0xE0100, 0xE01F0))
)
#: Latin look-alike letters that NFKC leaves alone, folded to the letter they imitate
_LATIN_CONFUSABLES = str.maketrans(
    {
        "ı": "i",  # dotless i
        "ɑ": "a",  # Latin alpha
        "ɡ": "g",  # script g
        "ſ": "s",  # long s
        "ɩ": "i",  # Latin iota
        "ɪ": "i",  # small capital i
        "ᴀ": "a",  # small capital a
        "ʙ": "b",
        "ᴄ": "c",
        "ᴅ": "d",
        "ᴇ": "e",
        "ʜ": "h",
        "ᴊ": "j",
        "ᴋ": "k",
        "ʟ": "l",
        "ᴍ": "m",
        "ɴ": "n",
        "ᴏ": "o",
        "ᴘ": "p",
        "ʀ": "r",
        "ᴛ": "t",
        "ᴜ": "u",
        "ᴠ": "v",
        "ᴡ": "w",
        "ʏ": "y",
        "ᴢ": "z",
    }
)


_BENIGN = frozenset("µ½¼¾²³¹°™® ")  # compatibility forms in doses and units


def _strip_surrogates(text: str) -> tuple[str, int]:
    bad = sum(1 for ch in text if 0xD800 <= ord(ch) <= 0xDFFF)
    if not bad:
        return text, 0
    return "".join("�" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text), bad


def clean_text(text: str) -> tuple[str, list[str]]:
    """The user's text under one Unicode policy, with a review note for anything changed.

    Lone surrogates become U+FFFD; NFC composes decomposed accents ("Lévothyrox");
    control characters become spaces; invisible characters (Cf, variation selectors,
    joiners, fillers, the braille blank) and combining marks left after composition are
    removed; NFKC folds compatibility forms (fullwidth letters, ligatures) and a table
    folds Latin look-alikes (dotless ı, Latin ɑ). A word is never split into pieces, and
    any word that was altered is named in the note, which keeps the answer in review.
    """
    text, surrogates = _strip_surrogates(text)
    text = unicodedata.normalize("NFC", text)
    removed: list[str] = []
    out: list[str] = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in _KEEP_CONTROL or (
            cat not in ("Cc", "Cf", "Co", "Cs", "Mn", "Me") and ord(ch) not in _INVISIBLE
        ):
            out.append(ch)
            continue
        removed.append(f"U+{ord(ch):04X}")
        out.append(" " if cat == "Cc" else "")
    stripped = "".join(out)
    folded = unicodedata.normalize("NFKC", stripped).translate(_LATIN_CONFUSABLES)
    notes: list[str] = []
    if surrogates:
        notes.append(
            f"the question contained {surrogates} invalid character(s) (lone surrogates): "
            "they were replaced; check that it says what was meant"
        )
    if removed:
        shown = ", ".join(dict.fromkeys(removed[:20]))
        notes.append(
            f"the question contained {len(removed)} control, invisible or combining "
            f"character(s) ({shown}); they were removed before reading it: check that it "
            "says what was meant"
        )
    changed = [
        b
        for a, b in zip(stripped.split(), folded.split(), strict=False)
        if a != b and any(not ch.isascii() and ch not in _BENIGN for ch in a)
    ][:10]
    if changed:
        notes.append(
            "look-alike or compatibility characters were read as plain letters in "
            f"{', '.join(repr(w) for w in changed)}: check that it says "
            "what was meant"
        )
    return folded, notes


def scripts(token: str) -> set[str]:
    """Unicode script names of a word's letters ("LATIN", "CYRILLIC", ...)."""
    if token.isascii():  # the common case, without a Unicode name lookup per letter
        return {"LATIN"} if any(ch.isalpha() for ch in token) else set()
    out = set()
    for ch in token:
        if ch.isalpha() and ch not in _MICRO:
            name = unicodedata.name(ch, "")
            out.add(name.split(" ", 1)[0] if name else "UNKNOWN")
    return out


def mask_foreign(text: str) -> str:
    """The text with every word holding non-Latin letters blanked (same length, so offsets
    hold): the dictionary never reads a look-alike word as a drug; `unread` reports it."""
    parts = []
    last = 0
    for s, e in token_spans(text):
        if scripts(text[s:e]) - {"LATIN"}:
            parts.append(text[last:s])
            parts.append(" " * (e - s))
            last = e
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _product_drug(idx: NameIndex, text: str, keys: tuple[str, ...]) -> ResolvedDrug:
    first = idx.exact(keys[0])
    kb = idx.kb
    if first is None:  # the reviewed table names KB keys (tests check): a key without a name
        d = kb.drugs.get(keys[0])
        return ResolvedDrug(
            mention=text, key=keys[0], name=d.name if d else keys[0],
            drug_id=d.drug_id if d else f"kb:{keys[0]}", match_kind="product",
            matched_name=keys[0], score=100.0,
        )  # fmt: skip
    return first.model_copy(
        update={"mention": text, "key": keys[0], "match_kind": "product", "score": 100.0,
                "matched_name": text, "suggestions": ()}
    )  # fmt: skip


_TRAILING_FORM = frozenset(
    "er xr sr xl cr la dr ir od mr ec odt patch patches spray sprays pen pens solostar "
    "flexpen kwikpen inhaler tablet tablets tab tabs capsule capsules cream gel "
    "respimat diskus hfa ellipta handihaler turbuhaler inhub redihaler".split()
)
#: a brand followed by one of these adds hydrochlorothiazide ("Lotensin HCT", "Diovan
#: HCT"): the US naming convention for a fixed combination with the thiazide
_HCT_SUFFIX = frozenset({"hct", "hctz"})
_HCT = "hydrochlorothiazide"


def _with_hct(idx: NameIndex, text: str, mentions: list[Mention]) -> list[Mention]:
    """A brand and "HCT": "Lotensin HCT" -> benazepril + hydrochlorothiazide."""
    if _HCT not in idx.kb.drugs:
        return mentions
    out = []
    for m in mentions:
        nxt = _HCT_NEXT.match(text, m.end)
        if m.drug is not None and nxt and nxt.group(1).casefold() in _HCT_SUFFIX:
            keys = tuple(dict.fromkeys((*(m.ingredients or (m.drug.key,)), _HCT)))
            end = nxt.end()
            m = m.model_copy(
                update={"text": text[m.start : end], "end": end, "ingredients": keys,
                        "reason": f"{m.text} + HCT (hydrochlorothiazide)"}
            )  # fmt: skip
        out.append(m)
    return out


_HCT_NEXT = re.compile(r"[ \t-]?([A-Za-z]{3,4})\b")


def _with_products(idx: NameIndex, text: str, mentions: list[Mention]) -> list[Mention]:
    """Mentions with the reviewed names (`products.ENTRIES`) added: a reviewed span
    replaces dictionary mentions inside it ("Maalox", "Tylenol PM"), never a longer one
    ("grapefruit juice"); trailing formulation words join the span ("Lantus pen")."""
    tokens = token_spans(text)
    raw = [text[s:e] for s, e in tokens]
    norms = [normalise(w) for w in raw]
    found = find_products(norms, raw, _segments(text, tokens))
    if not found:
        return mentions
    # dictionary mentions do not overlap and are in order: their starts and ends are
    # sorted, so the ones a span touches are found by bisection (linear time overall)
    base = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in base]
    ends = [m.end for m in base]
    dropped: set[int] = set()
    added: list[Mention] = []
    for lo, hi, keys in found:
        while hi < len(tokens) and norms[hi] in _TRAILING_FORM:
            hi += 1
        start, end = tokens[lo][0], tokens[hi - 1][1]
        if added and start < added[-1].end:
            continue  # inside or across the previous reviewed span
        near = range(bisect_right(ends, start), bisect_left(starts, end))
        if any(not (start <= base[k].start and base[k].end <= end) for k in near):
            continue  # a longer dictionary mention ("grapefruit juice")
        dropped.update(near)
        span = text[start:end]
        entry = ENTRIES[" ".join(norms[lo : lo + _entry_len(norms, lo, hi)])]
        added.append(
            Mention(
                text=span, start=start, end=end, drug=_product_drug(idx, span, keys),
                ingredients=keys, reason=f"{entry.kind}: {entry.reason} ({entry.source})",
            )
        )  # fmt: skip
    kept = [m for k, m in enumerate(base) if k not in dropped]
    return sorted(_without_unless_with(kept + added), key=lambda m: m.start)


def _without_unless_with(mentions: list[Mention]) -> list[Mention]:
    """Reviewed mentions whose ``unless_with`` keys another mention of the text has are
    not read ("weed ... I only smoke on weekends" is not tobacco)."""
    keys = {k for m in mentions for k in (m.ingredients or ((m.drug.key,) if m.drug else ()))}
    out = []
    for m in mentions:
        entry = ENTRIES.get(normalise(m.text)) if m.drug is not None else None
        if entry is not None and entry.unless_with & (keys - set(entry.ingredients)):
            continue
        out.append(m)
    return out


def _span_mask(text: str, mentions: list[Mention]) -> bytearray:
    """Which characters of `text` lie inside one of `mentions`: overlap checks in linear
    time."""
    mask = bytearray(len(text) + 1)
    for m in mentions:
        mask[m.start : m.end] = b"\x01" * (m.end - m.start)
    return mask


def _with_added(text: str, mentions: list[Mention], added: list[Mention]) -> list[Mention]:
    """`mentions` with `added` in order; an unresolved reading that an added mention
    overlaps gives way (added mentions never overlap a resolved one)."""
    if not added:
        return mentions
    taken = _span_mask(text, added)
    kept = [m for m in mentions if m.drug is not None or 1 not in taken[m.start : m.end]]
    return sorted(kept + added, key=lambda m: m.start)


def _with_misspelt_products(idx: NameIndex, text: str, mentions: list[Mention]) -> list[Mention]:
    """A word that nothing resolved and that misspells a one-word reviewed product
    ("adderal XR") reads as that product's ingredients, as a fuzzy match."""
    mask = _span_mask(text, [m for m in mentions if m.drug is not None])
    cw = common_words(idx)
    added: list[Mention] = []
    for s, e in token_spans(text):
        if e - s < MIN_MISSPELT_LEN or 1 in mask[s:e]:
            continue
        raw = text[s:e]
        norm = normalise(raw)
        name = misspelt_product(norm) if _word_like(norm, raw, cw) else None
        if name is None:
            continue
        entry = ENTRIES[name]
        drug = _product_drug(idx, raw, entry.ingredients).model_copy(
            update={
                "match_kind": "fuzzy",
                "matched_name": name,
                "score": round(fuzz.ratio(norm, name), 2),
            }
        )
        reason = f"a misspelling of {name}: {entry.reason} ({entry.source})"
        added.append(
            Mention(
                text=raw, start=s, end=e, drug=drug, ingredients=entry.ingredients, reason=reason
            )
        )
    return _with_added(text, mentions, added)


_LETTER_RUN = re.compile(r"[^\W\d_]+")


def _with_hyphen_parts(idx: NameIndex, text: str, mentions: list[Mention]) -> list[Mention]:
    """A hyphenated word that nothing read and in which a part is a drug's exact name is
    read part by part ("losartan-hydrochlorothiazide", "amlodipine-benazepril": a combination as a
    medication list writes it), unless another part is an ordinary word ("alcohol-free");
    its other parts, names nothing read, are reported."""
    mask = _span_mask(text, [m for m in mentions if m.drug is not None])
    cw = common_words(idx)
    added: list[Mention] = []
    for s, e in token_spans(text):
        if "-" not in text[s:e] or 1 in mask[s:e]:
            continue
        parts = [(p.start(), p.end()) for p in _LETTER_RUN.finditer(text, s, e)]
        read = [
            (ps, pe, None if cw.is_common(normalise(text[ps:pe])) else idx.exact(text[ps:pe]))
            for ps, pe in parts
            if pe - ps >= 3
        ]  # exact names only, no common word: "sugar-free", "anti-inflammatory" stay words
        if len(parts) < 2 or not any(d is not None for _, _, d in read):
            continue
        others = [text[ps:pe] for ps, pe, d in read if d is None]
        if any(not _word_like(normalise(w), w, cw) for w in others):
            continue  # a drug with an ordinary word: "alcohol-free", "iron-rich"
        for ps, pe, drug in read:
            word = text[ps:pe]
            if drug is not None:
                added.append(_folded(idx, Mention(text=word, start=ps, end=pe, drug=drug)))
            else:  # word-like: checked above
                reason = f"not recognised as a drug name (part of {text[s:e]!r})"
                sugg = idx.suggest(word) if word.isascii() else []
                added.append(Mention(text=word, start=ps, end=pe, suggestions=sugg, reason=reason))
    return _with_added(text, mentions, added)


def _entry_len(norms: list[str], lo: int, hi: int) -> int:
    for n in range(hi - lo, 0, -1):
        if " ".join(norms[lo : lo + n]) in ENTRIES:
            return n
    return 1


def _segments(text: str, tokens: list[tuple[int, int]]) -> list[int]:
    """For each token, the number of the punctuation-delimited part it is in: context
    rules look only inside it ("1 ppd tobacco x20y, marijuana" keeps tobacco)."""
    breaks = [m.start() for m in _ITEM_BREAK.finditer(text)]
    out = []
    b = 0
    for s, _e in tokens:
        while b < len(breaks) and breaks[b] < s:
            b += 1
        out.append(b)
    return out


def _word_like(norm: str, raw: str, cw: CommonWords | None = None) -> bool:
    """A word that could be a medicine's name: letters only, no common word (of the word
    lists, `words.CommonWords`, or the stop lists), dose, unit or frequency; two letters
    only in capitals ("K", "Mg" are not enough)."""
    if not norm.isalpha() or not norm.isascii():
        return False
    if norm in BLOCK_EXACT or norm in UNITS or norm in FREQUENCIES or norm in _ORDINARY:
        return False
    if cw is not None and cw.is_frequent(norm):
        return False  # an ordinary word, or a drug word its context ruled out
    if len(norm) > 6 and norm.endswith(NON_DRUG_SUFFIXES):
        return False  # a condition or procedure ("bradycardia", "cellulitis")
    if norm.endswith("s") and norm[:-1] in BLOCK_EXACT:
        return False
    if len(norm) == 2:
        return raw.isupper()
    return len(norm) >= 3


_QUOTES = "'\"\u2018\u2019\u201c\u201d"


def _quoted(text: str, start: int, end: int) -> bool:
    """The word stands alone between quotes ('mivoraxin'): someone naming a product."""
    return start > 0 and end < len(text) and text[start - 1] in _QUOTES and text[end] in _QUOTES


def unread(idx: NameIndex, text: str, found: list[Mention]) -> list[Mention]:
    """Words the dictionary and the reviewed table did not read that may be medicines, as
    unresolved mentions (never a silent drop):

    * words with letters in a non-Latin script ("варфарин") or mixing scripts;
    * in a short list item with no recognised drug (when the text names a drug, or the
      item is the whole input): every word that is no common word, dose or unit ("Yaz",
      "zorblaxin"), two-letter words only in capitals;
    * anywhere: a word right before a dose ("flurbizzle 10 mg"), right after "take / on /
      started / called / ..." ("I'm on flurbizzle"), quoted ("'mivoraxin'"), with a
      drug-name suffix ("-azole", "-pril"),
      written in capitals like an abbreviation ("PCN"), or within a near miss of a
      well-known drug name.
    """

    any_drug = any(m.drug is not None for m in found)
    cw = common_words(idx)
    tokens = token_spans(text)
    raws = [text[s:e] for s, e in tokens]
    norms = [normalise(w) for w in raws]
    mask = _span_mask(text, found)

    def covered(t: int) -> bool:
        s, e = tokens[t]
        return 1 in mask[s:e]

    out: list[Mention] = []
    seen: set[str] = set()

    def add(t: int, reason: str, sugg: list[Suggestion] | None = None) -> None:
        s, e = tokens[t]
        word = text[s:e]
        if word.casefold() in seen:
            return
        seen.add(word.casefold())
        if sugg is None:
            sugg = idx.suggest(word) if word.isascii() else []
        out.append(Mention(text=word, start=s, end=e, suggestions=sugg, reason=reason))

    for t, (s, e) in enumerate(tokens):
        sc = scripts(text[s:e])
        if covered(t) or not sc or sc == {"LATIN"}:
            continue
        if "LATIN" in sc:
            others = ", ".join(sorted(x.title() for x in sc - {"LATIN"}))
            reason = (
                f"mixes Latin and {others} letters (look-alike characters?): not recognised "
                "as a drug name"
            )
        else:
            names = ", ".join(sorted(x.title() for x in sc))
            reason = f"written in {names} script: only Latin-script drug names can be recognised"
        add(t, reason, [])

    injected: set[int] = set()
    for lo, hi in _items(text, tokens, norms):
        if find_injection(text[tokens[lo][0] : tokens[hi - 1][1]]):
            injected.update(range(lo, hi))  # reported by injection_resistance
            continue
        if hi - lo > MAX_ITEM_TOKENS or any(covered(t) for t in range(lo, hi)):
            continue
        if not (any_drug or hi - lo == 1):
            continue
        for t in range(lo, hi):
            if norms[t] in SALT_WORDS or scripts(text[slice(*tokens[t])]) - {"LATIN"}:
                continue  # a salt word alone ("hydrochloride, X"); scripts: above
            if _word_like(norms[t], raws[t], cw):
                add(t, "not recognised as a drug name")

    for t, raw in enumerate(raws):
        norm = norms[t]
        if t in injected or covered(t) or not _word_like(norm, raw, cw):
            continue
        if norm in SALT_WORDS or scripts(raw) - {"LATIN"}:
            continue
        prev = norms[t - 1] if t > 0 else ""
        # the raw word: normalising turns "0.5" into "0 5", which is no dose token
        nxt_raw = raws[t + 1].lower() if t + 1 < len(raws) else ""
        dosed = DOSE_TOKEN.match(nxt_raw) is not None and nxt_raw[:1].isdigit()
        if dosed:
            add(t, "not recognised as a drug name (a dose follows it)")
        elif prev in _DRUG_CONTEXT and len(norm) >= 4:
            add(t, f"not recognised as a drug name (after {prev!r})")
        elif len(norm) >= 5 and _quoted(text, *tokens[t]):
            add(t, "not recognised as a drug name (a quoted name)")
        elif _looks_like_drug(norm):
            add(t, "not recognised, but it looks like a drug name")
        elif raw.isupper() and 2 <= len(raw) <= 6:
            add(t, "an abbreviation that is not recognised as a drug")
        elif _fuzzy_candidate(norm) and len(norm) >= 6:
            near = tuple(
                h for h in idx.fuzzy(norm, NEAR_MISS, core=True) if _same_ending(norm, h.norm)
            )
            if near:
                reason = "not recognised as a drug name (close to a known name)"
                add(t, reason, _suggestions(idx, near))
            elif len(norm) >= UNCOMMON_MIN_LEN and not norm.endswith(_WORD_ENDINGS):
                add(t, "not recognised as a drug name (no common word either)")
    return out


def read_text(text: str, *, index: NameIndex | None = None) -> list[Mention]:
    """Every mention in a (cleaned) text, resolved or not, in order of appearance."""
    idx = index or default_index()
    masked = mask_foreign(text)
    found = [_folded(idx, m) for m in extract_drugs(masked, index=idx)]
    found = _with_products(idx, masked, found)
    found = _with_misspelt_products(idx, masked, found)
    found = _with_hyphen_parts(idx, masked, found)
    found = _with_hct(idx, masked, found)
    found.extend(unread(idx, text, found))
    return sorted(found, key=lambda m: m.start)


def _folded(idx: NameIndex, m: Mention) -> Mention:
    if m.drug is None:
        return m
    keys = ingredients(idx.kb, m.drug.key)
    if keys != (m.drug.key,):
        return m.model_copy(
            update={"ingredients": keys, "reason": f"{m.drug.key} read as {' + '.join(keys)}"}
        )
    return m.model_copy(update={"ingredients": keys})


def read_item(item: str, *, index: NameIndex | None = None) -> list[Mention]:
    """One list item: read as text; when nothing in it resolves, the whole item is looked
    up (a bare, misspelt name gets the resolver's cutoff) before it is reported."""
    idx = index or default_index()
    found = read_text(item, index=idx)
    if any(m.drug is not None for m in found):
        return found
    if scripts(item) - {"LATIN"}:
        return found or unread(idx, item, [])
    cw = common_words(idx)
    words = normalise(item).split()
    if words and all(cw.is_common(w) or w in BLOCK_EXACT for w in words):
        # ordinary words given as a medicine ("ability"): never fuzzy-matched, but the
        # item was named as a drug, so it is reported rather than dropped
        reason = "an ordinary word, not recognised as a drug name"
        sugg = idx.suggest(item) if item.isascii() else []
        return [Mention(text=item, start=0, end=len(item), suggestions=sugg, reason=reason)]
    res = idx.lookup(item)
    if res.drug is not None:
        return [_folded(idx, Mention(text=item, start=0, end=len(item), drug=res.drug))]
    reason = found[0].reason if len(found) == 1 else "not recognised as a drug name"
    return [Mention(text=item, start=0, end=len(item), suggestions=res.suggestions, reason=reason)]


def read_query(query: str | list[str] | tuple[str, ...], *, index=None) -> Reading:
    """The one reading of a question (str) or a list of names (list): see the module doc."""
    if isinstance(query, list | tuple):
        notes: list[str] = []
        items: list[str] = []
        for x in query:
            item, item_notes = clean_text(str(x))
            notes.extend(item_notes[:1] if not notes else [])
            if item.strip():
                items.append(" ".join(item.split()))
        text = ", ".join(items)
        mentions: list[Mention] = []
        offset = 0
        for item in items:
            for m in read_item(item, index=index):
                mentions.append(
                    m.model_copy(update={"start": m.start + offset, "end": m.end + offset})
                )
            offset += len(item) + 2
        return Reading(text=text, is_list=True, mentions=mentions, notes=notes)
    text, notes = clean_text(str(query))
    text = text.strip()
    return Reading(text=text, is_list=False, mentions=read_text(text, index=index), notes=notes)
