"""Find drug, food and herb mentions in free text (questions, lists, clinical notes).

1. Tokenise (words may contain inner ``'`` ``-`` ``.``; offsets kept).
2. Greedy longest match, left to right: spans of 4..1 tokens (joined only by spaces or a
   single ``- . ' /``) are normalised and looked up in the KB name index. Multi-token
   spans are tried only when the first token starts some multi-word KB name. Lone
   stopwords / common words (``lexicon.BLOCK_EXACT``) are never taken as drugs.
3. Remaining word tokens of >= 5 letters that are not stopwords, doses or units are
   fuzzy-matched (stricter cutoff than `resolve`).
4. In short list items (text between commas, semicolons, newlines, "and", "with", ...)
   that contain no resolved drug, leftover word tokens that look like a drug name (a
   near-miss suggestion, an INN-like suffix, or a dose right after it: "blorptex 5 mg")
   are returned unresolved, with suggestions.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from pipeline.names._lexicon import (
    ANALYTE_AFTER,
    ANALYTE_BEFORE,
    ANALYTE_FILLERS,
    ANALYTE_GAP,
    ANALYTE_VERBS,
    ANALYTES,
    BLOCK_EXACT,
    DOSE_TOKEN,
    DRUG_SUFFIXES,
    FREQUENCIES,
    NON_DRUG_SUFFIXES,
    SUBJECT_PRONOUNS,
    UNITS,
)
from pipeline.names._resolver import FUZZY_CUTOFF, NameIndex, default_index, few_edits
from pipeline.names._results import Mention, Suggestion
from pipeline.names._words import common_words

__all__ = ["EXTRACT_FUZZY_CUTOFF", "MAX_NGRAM", "extract_drugs", "token_spans"]

MAX_NGRAM = 4
EXTRACT_FUZZY_CUTOFF = max(FUZZY_CUTOFF, 85.0)
SHORT_FUZZY_CUTOFF = 90.0  # tokens of <= 6 letters: one inserted/dropped letter at most
MIN_EXTRACT_FUZZY_LEN = 5
UNRESOLVED_MIN_SCORE = 80.0  # a near-miss this close makes a list item "look like" a drug
MAX_ITEM_TOKENS = 6
MIN_ANY_NAME_LEN = 4  # a word no language uses, this long, resolves by any KB name of it

_TOKEN = re.compile(r"[^\W_](?:[\w'\u2019.\-]*[^\W_])?")
# French elision ("l'ibuprofène", "d'Advil", "c'est", "qu'il"): the article is not part
# of the word that follows it
_ELISION = re.compile(r"(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['\u2019](?=[^\W\d_]{2})", re.I)
_JOIN = re.compile(r"[ \t]*[-.'\u2019/]?[ \t]*")
_ALPHA = re.compile(r"[a-z]+")
_ITEM_BREAK = re.compile(r"[,;:\n\r\u2022\u00b7|+&()\[\]{}]|[.?!](?=\s|$)")
_ITEM_WORDS = frozenset("and or with plus vs versus also then nor".split())
_WEAK_SUFFIXES = frozenset({"ine", "ol", "in", "amine", "amide"})
# English inflections: "creating" is not a misspelling of "creatine", nor "connection"
# of "connectin", unless the KB name has the same ending.
_ENGLISH_ENDINGS = (
    "ing", "ion", "ions", "ed", "ers", "ly", "ment", "ments", "ness", "ive", "ful", "ous",
    "able", "ible", "ity", "ise", "ize", "ure", "ance", "ence", "ship", "less", "est",
)  # fmt: skip


def _looks_like_drug(norm: str) -> bool:
    return any(
        norm.endswith(s) and len(norm) > len(s) + 2
        for s in DRUG_SUFFIXES
        if s not in _WEAK_SUFFIXES
    )


def token_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word: letters, digits and inner ``' - .`` ("St. John's",
    "5-FU"), a French elided article left out ("l'ibuprofène" -> "ibuprofène")."""
    out = []
    for m in _TOKEN.finditer(text):
        s, e = m.start(), m.end()
        el = _ELISION.match(text, s, e)
        if el is not None:
            s = el.end()
        out.append((s, e))
    return out


def _dosed(norms: list[str], i: int) -> bool:
    """A dose follows token ``i`` ("folate 1 mg", "Soma 350")."""
    nxt = norms[i + 1] if i + 1 < len(norms) else ""
    return bool(nxt) and nxt[:1].isdigit() and DOSE_TOKEN.match(nxt) is not None


# a decimal as normalised ("3.9" -> "3 9")
_DECIMAL = re.compile(r"^\d+[., ]\d+$")
_DECIMAL_PART = re.compile(r"^\d{1,2}$")


def _value_follows(norms: list[str], k: int) -> bool:
    """A number follows from token ``k`` on after a verb and fillers ("was 3.1", "me salio
    en 3,1", "came back at 5.6"), or a decimal with no unit ("potassium 3.9, creatinine
    1.1"): a result, not a dose ("potassium 20 mEq", "magnesium 400")."""
    if k < len(norms) and _DECIMAL.match(norms[k]):
        return k + 1 == len(norms) or norms[k + 1] not in UNITS
    if k + 1 < len(norms) and norms[k].isdigit() and _DECIMAL_PART.match(norms[k + 1]):
        # a decimal comma splits in two tokens ("potasio 6,1"): a one- or two-digit
        # fraction with no unit after it
        return k + 2 == len(norms) or norms[k + 2] not in UNITS
    verb = False
    for tok in norms[k : k + ANALYTE_GAP + 1]:
        if tok[:1].isdigit():
            return verb
        if tok in ANALYTE_VERBS:
            verb = True
        elif tok not in ANALYTE_FILLERS:
            return False
    return False


def _ordinary_sense(norms: list[str], i: int, j: int, frequent: bool) -> bool:
    """The words ``i..j`` are a drug name used in an ordinary sense: a body chemical as a
    lab value or condition ("my potassium was 3.1", "iron levels", "serotonin syndrome",
    "for thyroid"), or a frequent word used as a verb ("I iron clothes")."""
    span = " ".join(norms[i : j + 1])
    prev = norms[i - 1] if i > 0 else ""
    nxt = norms[j + 1] if j + 1 < len(norms) else ""
    if span in ANALYTES:
        if nxt in ANALYTE_AFTER or prev in ANALYTE_BEFORE:
            return True
        if _value_follows(norms, j + 1):
            return True
    return frequent and i == j and prev in SUBJECT_PRONOUNS and not _dosed(norms, j)


def extract_drugs(text: str, *, index: NameIndex | None = None) -> list[Mention]:
    """Drug mentions in ``text``, in order; ``text[m.start:m.end] == m.text`` for each."""
    idx = index or default_index()
    normalise = idx.normalise
    cw = common_words(idx)
    tokens = token_spans(text)
    norms = [normalise(text[s:e]) for s, e in tokens]
    n = len(tokens)
    names = idx.names
    first_words = idx.first_words
    covered = [False] * n
    found: list[tuple[int, int, Mention]] = []  # (first token, last token, mention)

    i = 0
    while i < n:
        tok_norm = norms[i]
        hit = None
        name = None  # the KB name matched, when it is not the span itself (a plural)
        if tok_norm and tok_norm.split(" ", 1)[0] in first_words:
            for k in range(min(MAX_NGRAM, n - i), 1, -1):
                j = i + k - 1
                if not all(
                    _JOIN.fullmatch(text, tokens[t][1], tokens[t + 1][0]) for t in range(i, j)
                ):
                    continue
                if norms[j].isdigit() and j + 1 < n and norms[j + 1] in UNITS:
                    continue  # a number that is a dose ("NS 2 L"), not a code ("NS2")
                span_norm = normalise(text[tokens[i][0] : tokens[j][1]])
                if span_norm in names and _accept_multi(norms[i : j + 1], idx, span_norm):
                    hit = j
                    break
        if hit is None and tok_norm in names:
            if _accept_single(idx, tok_norm) or (_dosed(norms, i) and _accept_dosed(idx, tok_norm)):
                hit = i
        if hit is None and tok_norm not in names and _plural_of_name(idx, tok_norm):
            hit, name = i, tok_norm[:-1]  # "Duonebs", "aspirinas"
        if hit is None and " " in tok_norm and tok_norm not in names:
            head = _modified_head(idx, text, tokens[i], tok_norm)
            if head is not None:  # "ritonavir-boosted": the drug, not "-boosted"
                s_, e_ = tokens[i][0], tokens[i][0] + head
                drug = idx.exact(text[s_:e_])
                if drug is not None:
                    found.append((i, i, Mention(text=text[s_:e_], start=s_, end=e_, drug=drug)))
                    covered[i] = True
                    i += 1
                    continue
        if hit is not None and _ordinary_sense(
            norms, i, hit, cw.is_frequent(" ".join(norms[i : hit + 1]))
        ):
            hit = None
        if hit is not None:
            start, end = tokens[i][0], tokens[hit][1]
            span = text[start:end]
            drug = idx.exact(span) if name is None else idx.exact(span, name)
            if drug is not None:
                found.append((i, hit, Mention(text=span, start=start, end=end, drug=drug)))
                for t in range(i, hit + 1):
                    covered[t] = True
                i = hit + 1
                continue
        i += 1

    # fuzzy pass over leftover word tokens (and 2-3 token spans starting like a
    # multi-word name: "st john wort")
    for i in range(n):
        if covered[i]:
            continue
        tok_norm = norms[i]
        if tok_norm in names and tok_norm not in first_words:
            continue  # a KB name its context ruled out
        if tok_norm in first_words or (
            _fuzzy_candidate(tok_norm)
            and i + 1 < n
            and not covered[i + 1]
            and norms[i + 1] in idx.last_words
        ):
            span_hit = _fuzzy_span(idx, text, tokens, covered, i)
            if span_hit is not None:
                j, hits = span_hit
                s, e = tokens[i][0], tokens[j][1]
                drug = idx._from_hits(text[s:e], hits)
                found.append((i, j, Mention(text=text[s:e], start=s, end=e, drug=drug)))
                for t in range(i, j + 1):
                    covered[t] = True
                continue
        if not _fuzzy_candidate(tok_norm) or cw.is_frequent(tok_norm) or tok_norm in names:
            continue  # an ordinary word, or a KB name its context ruled out
        cutoff = SHORT_FUZZY_CUTOFF if len(tok_norm) <= 6 else EXTRACT_FUZZY_CUTOFF
        near = idx.fuzzy_any_start(tok_norm, cutoff, core=True)
        hits = tuple(
            h for h in near if _same_ending(tok_norm, h.norm) and few_edits(tok_norm, h.norm)
        )
        if hits:
            s, e = tokens[i]
            drug = idx._from_hits(text[s:e], hits)
            found.append((i, i, Mention(text=text[s:e], start=s, end=e, drug=drug)))
            covered[i] = True

    # unresolved drug-like tokens in short list items without any resolved drug
    for lo, hi in _items(text, tokens, norms):
        if any(covered[t] for t in range(lo, hi)) or hi - lo > MAX_ITEM_TOKENS:
            continue
        for t in range(lo, hi):
            tok_norm = norms[t]
            if not _fuzzy_candidate(tok_norm) or cw.is_frequent(tok_norm):
                continue
            dosed = t + 1 < n and norms[t + 1][:1].isdigit()  # "blorptex 5 mg"
            near = tuple(
                h
                for h in idx.fuzzy(tok_norm, UNRESOLVED_MIN_SCORE, core=True)
                if _same_ending(tok_norm, h.norm)
            )
            if near or dosed or _looks_like_drug(tok_norm):
                sugg = idx.suggest(tok_norm) if not near else _suggestions(idx, near)
                s, e = tokens[t]
                found.append((t, t, Mention(text=text[s:e], start=s, end=e, suggestions=sugg)))

    found.sort(key=lambda f: (f[0], -f[1]))
    out: list[Mention] = []
    last = -1
    for first, lastt, m in found:
        if first > last:
            out.append(m)
            last = lastt
    return out


def _fuzzy_span(idx: NameIndex, text: str, tokens, covered, i: int):
    for j in range(min(i + 2, len(tokens) - 1), i, -1):
        if any(covered[t] for t in range(i, j + 1)) or not all(
            _JOIN.fullmatch(text, tokens[t][1], tokens[t + 1][0]) for t in range(i, j)
        ):
            continue
        span_norm = idx.normalise(text[tokens[i][0] : tokens[j][1]])
        if len(span_norm) < 8 or _blocked(span_norm.rsplit(" ", 1)[-1]):
            continue
        if span_norm in idx.names:
            continue  # a KB name its context ruled out ("vitamin D level")
        hits = tuple(
            h
            for h in idx.fuzzy(span_norm, EXTRACT_FUZZY_CUTOFF, core=True)
            if " " in h.norm
            and _same_ending(span_norm, h.norm)
            and few_edits(span_norm, h.norm)
            # the first word must itself be close: "take hydrochloride" is no drug
            and fuzz.ratio(span_norm.split(" ", 1)[0], h.norm.split(" ", 1)[0]) >= 75
        )
        if hits:
            return j, hits
    return None


def _blocked(norm: str) -> bool:
    return norm in BLOCK_EXACT or (norm.endswith("s") and norm[:-1] in BLOCK_EXACT)


def _accept_single(idx: NameIndex, norm: str) -> bool:
    """A lone token names a drug if it is no common word (`words.CommonWords`) and is a
    KB name: any non-brand name of a substance when the word is at least
    `MIN_ANY_NAME_LEN` letters long and no language uses it ("Kcentra", "clavulanate"),
    else only when it is a
    generic/INN/salt name, a curated name, or any name of a clinical drug. Brand names
    (mostly UNII's) count only for clinical drugs ("Splenda" is no medicine)."""
    if len(norm) < 3 or _blocked(norm) or DOSE_TOKEN.match(norm):
        return False
    if sum(ch.isalpha() for ch in norm) < 2:
        return False  # "2-3" is no name, whatever the KB's synonyms say
    if common_words(idx).is_common(norm):
        return False
    if (
        len(norm) >= MIN_ANY_NAME_LEN
        and norm.isalpha()
        and any(n.kind != "brand" and _substance(idx, n.drug) for n in idx.names.get(norm, ()))
    ):
        return True
    return any(
        n.kind in ("generic", "international", "salt")
        or n.source in ("ansm", "lexicon")
        or idx.is_clinical(n.drug)
        for n in idx.names.get(norm, ())
    )


def _substance(idx: NameIndex, key: str) -> bool:
    """A KB entry for a substance, not a MeSH class heading ("penicillins", "NSAIDs")."""
    d = idx.kb.drugs.get(key)
    return d is not None and (d.covered or bool(set(d.ids) - {"mesh"}))


def _accept_dosed(idx: NameIndex, norm: str) -> bool:
    """A common word right before a dose is a drug's name when the KB has it as a name of
    a drug people take ("folate 1 mg", "Soma 350"): not for lone letters or stop words."""
    from pipeline.names._words import _real_drug

    if len(norm) < 4 or _blocked(norm) or not norm.isalpha():
        return False
    return any(_real_drug(idx, n.drug) for n in idx.names.get(norm, ()))


#: the second part of "<drug>-<word>" that keeps the drug mentioned ("ritonavir-boosted",
#: "statin-induced"); "-free" is absent by definition ("alcohol-free") and is not here
_HYPHEN_MODIFIERS = frozenset(
    """
    boosted induced related associated containing based treated resistant sensitive
    dependent naive exposed like type only alone level levels dose dosed
    """.split()
)


def _modified_head(idx: NameIndex, text: str, span: tuple[int, int], norm: str) -> int | None:
    """Length of the drug name before "-boosted" / "-induced" in one token, if any."""
    head, _, tail = norm.rpartition(" ")
    if tail not in _HYPHEN_MODIFIERS or head not in idx.names:
        return None
    if not (_accept_single(idx, head) or " " in head):
        return None
    raw = text[span[0] : span[1]]
    cut = raw.rfind("-")
    return cut if cut > 0 and idx.normalise(raw[:cut]) == head else None


def _plural_of_name(idx: NameIndex, norm: str) -> bool:
    """A plural ("Duonebs", "aspirinas") of an accepted single-word KB name."""
    if len(norm) < 5 or not norm.endswith("s") or not norm.isalpha():
        return False
    stem = norm[:-1]
    cw = common_words(idx)
    return stem in idx.names and not cw.is_common(norm) and _accept_single(idx, stem)


def _same_ending(token: str, name: str) -> bool:
    for e in _ENGLISH_ENDINGS:
        if token.endswith(e):
            return name.endswith(e)
    return True


def _suggestions(idx: NameIndex, hits) -> list[Suggestion]:
    out: list[Suggestion] = []
    seen: set[str] = set()
    for h in hits:
        n = idx.ranked(h.norm)[0]
        if n.drug not in seen:
            seen.add(n.drug)
            out.append(Suggestion(name=n.text, key=n.drug, score=h.score))
    return out[:5]


def _accept_multi(parts: list[str], idx: NameIndex | None = None, span: str = "") -> bool:
    """A multi-word KB name: not only stop words or doses, not starting or ending with
    "and" / "with"; made only of common words ("hand sanitizer"), only when it names a
    drug people take ("fish oil")."""
    words = [w for p in parts for w in p.split()]
    if not any(w not in BLOCK_EXACT and not DOSE_TOKEN.match(w) for w in words):
        return False
    if words[0] in _ITEM_WORDS or words[-1] in _ITEM_WORDS:
        return False
    if idx is not None:
        from pipeline.names._words import _real_drug, drug_word

        cw = common_words(idx)
        if all(cw.is_common(w) or len(w) == 1 for w in words) and not drug_word(idx, span):
            return any(_real_drug(idx, n.drug) for n in idx.names.get(span, ()))
    return True


def _fuzzy_candidate(norm: str) -> bool:
    return (
        len(norm) >= MIN_EXTRACT_FUZZY_LEN
        and _ALPHA.fullmatch(norm) is not None
        and not _blocked(norm)
        and norm not in UNITS
        and norm not in FREQUENCIES
        and not (len(norm) > 6 and norm.endswith(NON_DRUG_SUFFIXES))
    )


def _items(text: str, tokens: list[tuple[int, int]], norms: list[str]) -> list[tuple[int, int]]:
    """Token index ranges [lo, hi) of list items: split on punctuation and "and"/"with"/..."""
    breaks = [m.start() for m in _ITEM_BREAK.finditer(text)]
    items: list[tuple[int, int]] = []
    lo = 0
    b = 0
    for t, (s, _e) in enumerate(tokens):
        split = False
        while b < len(breaks) and breaks[b] < s:
            b += 1
            split = True
        if split or norms[t] in _ITEM_WORDS:
            if t > lo:
                items.append((lo, t))
            lo = t + 1 if norms[t] in _ITEM_WORDS else t
    if lo < len(tokens):
        items.append((lo, len(tokens)))
    return items
