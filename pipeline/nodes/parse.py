"""parse -> extract (fan-out per chunk) -> resolve: from the user's input to canonical drugs.

Free text is read by the dictionary extractor (`pipeline.names.extract_drugs`) and, when
`extract_with_model` is on, also by the extractor model over ~`chunk_chars` chunks (one
`Send` per chunk). The union is kept: model mentions can add drugs, never remove a
dictionary mention; a model mention that does not occur in the text or does not resolve
is reported as unresolved (with suggestions), never silently dropped.
"""

from __future__ import annotations

import asyncio
import time
import unicodedata
from typing import NotRequired, TypedDict

from langgraph.runtime import Runtime
from langgraph.types import Send

from pipeline.context import Context, check_query
from pipeline.evidence import default_sources
from pipeline.kb.text import normalise
from pipeline.names.products import find_products, ingredients, product_ingredients
from pipeline.nodes.common import call_model, mention_norm, split_chunks
from pipeline.schemas import UnresolvedMention
from pipeline.state import DrugEntry, MentionRecord, State

__all__ = ["ChunkTask", "extract", "parse", "resolve", "route_after_parse"]


class ChunkTask(TypedDict):
    chunk: str
    index: int
    deadline_at: NotRequired[float | None]


def _record_from_resolution(text: str, source: str, drug, suggestions=()) -> MentionRecord:
    if drug is None:
        return MentionRecord(
            text=text,
            source=source,
            suggestions=tuple(s.name for s in suggestions)[:5],
            reason="not recognised as a drug name",
        )
    return MentionRecord(
        text=text,
        source=source,
        key=drug.key,
        match_kind=drug.match_kind,
        score=float(drug.score),
    )


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


def _scripts(token: str) -> set[str]:
    out = set()
    for ch in token:
        if ch.isalpha() and ch not in _MICRO:
            name = unicodedata.name(ch, "")
            out.add(name.split(" ", 1)[0] if name else "UNKNOWN")
    return out


def _product_record(text: str, source: str, keys: tuple[str, ...], start=None) -> MentionRecord:
    return MentionRecord(
        text=text, source=source, key=keys[0], ingredients=keys, match_kind="product",
        score=100.0, start=start,
    )  # fmt: skip


def _with_products(text: str, mentions: list[MentionRecord]) -> list[MentionRecord]:
    """Mentions with the reviewed product and everyday names (`PRODUCTS`) added: a product
    span replaces dictionary mentions inside it ("Maalox", "Tylenol PM"), never a longer
    one ("grapefruit juice")."""
    from pipeline.names.extract import _TOKEN as TOKEN

    tokens = [(t.start(), t.end()) for t in TOKEN.finditer(text)]
    found = find_products([normalise(text[s:e]) for s, e in tokens])
    if not found:
        return mentions
    out = list(mentions)
    for lo, hi, keys in found:
        start, end = tokens[lo][0], tokens[hi - 1][1]
        inside = [
            m for m in out
            if m.start is not None and start <= m.start and m.start + len(m.text) <= end
        ]  # fmt: skip
        longer = [
            m for m in out
            if m.start is not None and m.start < end and start < m.start + len(m.text)
            and m not in inside
        ]  # fmt: skip
        if longer:
            continue
        out = [m for m in out if m not in inside]
        out.append(_product_record(text[start:end], "dictionary", keys, start))
    return sorted(out, key=lambda m: (m.start is None, m.start or 0))


def _mask_foreign(text: str) -> str:
    """The text with every word holding non-Latin letters blanked (same length, so offsets
    hold): the dictionary never reads a look-alike word as a drug; `unread_mentions`
    reports it instead."""
    from pipeline.names.extract import _TOKEN as TOKEN

    parts = []
    last = 0
    for t in TOKEN.finditer(text):
        if _scripts(t.group()) - {"LATIN"}:
            parts.append(text[last : t.start()])
            parts.append(" " * (t.end() - t.start()))
            last = t.end()
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def unread_mentions(text: str, found: list[MentionRecord]) -> list[MentionRecord]:
    """Words the dictionary did not read that may be drugs, as unresolved mentions:

    * words with letters in a non-Latin script ("варфарин", "华法林") or mixing scripts
      (a Cyrillic "а" inside "wаrfarin"): the name index is Latin-script only;
    * unrecognised words (>= 5 letters, not a common word, dose or unit) standing in a
      short list item with no recognised drug ("zorblaxin, amoxicillin, paracetamol"),
      when the text names at least one drug or the item is a single word.
    """
    from pipeline.kb.rules import SALT_WORDS
    from pipeline.models.reference import find_injection
    from pipeline.names.extract import _TOKEN as TOKEN
    from pipeline.names.extract import MAX_ITEM_TOKENS, _fuzzy_candidate, _items

    spans = [(m.start, m.start + len(m.text)) for m in found if m.start is not None]
    any_drug = any(m.key for m in found)
    tokens = [(t.start(), t.end()) for t in TOKEN.finditer(text)]
    norms = [normalise(text[s:e]) for s, e in tokens]

    mask = bytearray(len(text) + 1)  # characters inside a found mention: linear time
    for a, b in spans:
        mask[max(a, 0) : b] = b"\x01" * (max(b, 0) - max(a, 0))

    def covered(s: int, e: int) -> bool:
        return 1 in mask[s:e]

    out: list[MentionRecord] = []
    seen: set[str] = set()

    def add(s: int, e: int, reason: str) -> None:
        word = text[s:e]
        if word.casefold() not in seen:
            seen.add(word.casefold())
            out.append(MentionRecord(text=word, source="dictionary", start=s, reason=reason))

    for s, e in tokens:
        scripts = _scripts(text[s:e])
        if covered(s, e) or not scripts or scripts == {"LATIN"}:
            continue
        if "LATIN" in scripts:
            others = ", ".join(sorted(x.title() for x in scripts - {"LATIN"}))
            reason = (
                f"mixes Latin and {others} letters (look-alike characters?): not recognised "
                "as a drug name"
            )
        else:
            names = ", ".join(sorted(x.title() for x in scripts))
            reason = f"written in {names} script: only Latin-script drug names can be recognised"
        add(s, e, reason)
    for lo, hi in _items(text, tokens, norms):
        if hi - lo > MAX_ITEM_TOKENS or any(covered(*tokens[t]) for t in range(lo, hi)):
            continue
        if not (any_drug or hi - lo == 1):
            continue
        if find_injection(text[tokens[lo][0] : tokens[hi - 1][1]]):
            continue  # reported by injection_resistance, not as a drug name
        for t in range(lo, hi):
            if norms[t] in SALT_WORDS or _scripts(text[slice(*tokens[t])]) - {"LATIN"}:
                continue  # a salt word alone ("hydrochloride, X"); scripts: above
            if _fuzzy_candidate(norms[t]):
                add(*tokens[t], "not recognised as a drug name")
    return out


async def parse(state: State, runtime: Runtime[Context]) -> dict:
    """Normalise the input; find dictionary mentions; cut text into extractor chunks.
    Starts the query's deadline. The text work runs in a worker thread: a long note must
    not hold the event loop that other queries share."""
    from pipeline.names.resolver import aprepare_default

    # first, before any work: a served graph's input comes from an untrusted caller
    query = check_query(state.get("query"))
    await aprepare_default()  # first query of a process: load KB + index off the event loop
    ctx = runtime.context
    deadline_at = state.get("deadline_at") or time.time() + ctx.deadline
    update = await asyncio.to_thread(_read_query, query, ctx)
    return {**update, "deadline_at": deadline_at}


def _read_query(query: str | list[str], ctx: Context) -> dict:
    from pipeline.names import extract_drugs, lookup

    mentions: list[MentionRecord] = []
    notes: list[str] = []
    if isinstance(query, list | tuple):
        items = []
        for x in query:
            item, item_notes = clean_text(str(x))
            notes.extend(item_notes[:1] if not notes else [])
            if item.strip():
                items.append(" ".join(item.split()))
        for item in items:
            if _scripts(item) - {"LATIN"}:  # never fuzzy-matched: look-alikes mislead
                reason = unread_mentions(item, [])[0].reason
                mentions.append(MentionRecord(text=item, source="list", reason=reason))
                continue
            product = product_ingredients(normalise(item))
            if product:
                mentions.append(_product_record(item, "list", product))
                continue
            res = lookup(item)
            mentions.append(_record_from_resolution(item, "list", res.drug, res.suggestions))
        return {
            "text": ", ".join(items),
            "is_list": True,
            "mentions": mentions,
            "chunks": [],
            "notes": notes,
        }
    text, notes = clean_text(str(query))
    text = text.strip()
    masked = _mask_foreign(text)
    for m in extract_drugs(masked):
        rec = _record_from_resolution(m.text, "dictionary", m.drug, m.suggestions)
        mentions.append(rec.model_copy(update={"start": m.start}))
    mentions = _with_products(masked, mentions)
    mentions.extend(unread_mentions(text, mentions))
    chunks = split_chunks(text, ctx.chunk_chars) if ctx.extract_with_model else []
    if len(chunks) > ctx.budget.calls_per_query:  # extractor calls count in the budget
        notes.append(
            f"the extractor model read only the first {ctx.budget.calls_per_query} of "
            f"{len(chunks)} parts of the text (calls_per_query); the dictionary read all of it"
        )
        chunks = chunks[: ctx.budget.calls_per_query]
    return {
        "text": text,
        "is_list": False,
        "mentions": mentions,
        "chunks": chunks,
        "notes": notes,
        "spent": len(chunks),
    }


def route_after_parse(state: State) -> list[Send] | str:
    chunks = state.get("chunks") or []
    if not chunks:
        return "resolve"
    deadline_at = state.get("deadline_at")
    return [
        Send("extract", {"chunk": c, "index": i, "deadline_at": deadline_at})
        for i, c in enumerate(chunks)
    ]


async def extract(task: ChunkTask, runtime: Runtime[Context]) -> dict:
    """Extractor model on one chunk: mention texts (resolved later, in `resolve`)."""
    from pipeline.prompts import EXTRACT

    ctx = runtime.context
    result, record = await call_model(
        ctx, "extractor", EXTRACT, {"text": task["chunk"]}, deadline=task.get("deadline_at")
    )
    mentions = []
    notes = []
    if result.value is not None:
        for m in result.value.mentions:
            t = m.text.strip()
            if t:
                mentions.append(MentionRecord(text=t, source="model", start=task["index"]))
    else:  # never a silent gap: a drug only the model would have found was not checked
        notes.append(
            f"the extractor model failed on part {task['index'] + 1} of the question "
            f"({result.error}): drugs only it would have found were not checked"
        )
    return {"mentions": mentions, "calls": [record], "notes": notes}


def _resolve_model_mention(text: str, full_norm: str) -> MentionRecord:
    from pipeline.names import lookup

    norm = normalise(text)
    if not norm or f" {norm} " not in f" {full_norm} ":
        return MentionRecord(
            text=text,
            source="model",
            reason="the extractor model reported it, but it does not occur in the question",
        )
    res = lookup(text)
    return _record_from_resolution(text, "model", res.drug, res.suggestions)


async def resolve(state: State, runtime: Runtime[Context]) -> dict:
    """Merge dictionary, list and model mentions into canonical drugs + unresolved ones."""
    from pipeline.kb import load_kb

    ctx = runtime.context
    kb = load_kb()
    text = state.get("text", "")
    full_norm = normalise(_mask_foreign(text))
    raw = list(state.get("mentions") or [])
    base = [m for m in raw if m.source != "model"]
    model = [m for m in raw if m.source == "model"]

    resolved_norms = {normalise(m.text) for m in base if m.key}
    merged: list[MentionRecord] = list(base)
    seen_model: set[str] = set()
    for m in sorted(model, key=lambda m: m.start or 0):  # start holds the chunk index
        norm = normalise(m.text)
        if not norm or norm in seen_model:
            continue
        seen_model.add(norm)
        if norm in resolved_norms:
            continue  # the dictionary already has it
        rec = _resolve_model_mention(m.text, full_norm)
        if rec.key is None and any(
            norm in r or r in norm for r in resolved_norms if r
        ):  # a longer/shorter span of a mention the dictionary resolved
            continue
        merged.append(rec)

    drugs: dict[str, dict] = {}
    unresolved: dict[str, UnresolvedMention] = {}
    for m in merged:
        if m.key is None:
            norm = mention_norm(m.text)
            if norm and norm not in unresolved:
                unresolved[norm] = UnresolvedMention(
                    mention=m.text,
                    reason=m.reason or "not recognised as a drug name",
                    suggestions=list(m.suggestions),
                )
            continue
        keys = m.ingredients or ingredients(kb, m.key)
        if keys != (m.key,):  # a combination, formulation or everyday name
            m = m.model_copy(update={"match_kind": "product"})
        for key in keys:
            entry = drugs.get(key)
            if entry is None:
                drugs[key] = {"first": m, "mentions": [m.text], "norms": {normalise(m.text)}}
            elif normalise(m.text) not in entry["norms"]:
                entry["mentions"].append(m.text)
                entry["norms"].add(normalise(m.text))

    exhaustive = [s for s in default_sources(ctx.sources) if s.exhaustive]
    out: list[DrugEntry] = []
    for key, entry in drugs.items():
        d = kb.drug(key)
        first: MentionRecord = entry["first"]
        out.append(
            DrugEntry(
                key=key,
                name=d.name if d else key,
                drug_id=d.drug_id if d else f"kb:{key}",
                match_kind=first.match_kind or "exact",
                score=first.score,
                mentions=tuple(entry["mentions"]),
                covered=any(s.covers(key) for s in exhaustive),
                classes=tuple(d.classes) if d else (),
            )
        )
    notes: list[str] = []
    if len(out) > ctx.max_drugs:
        notes.append(
            f"too many drugs: {len(out)} found, the limit is max_drugs={ctx.max_drugs}; only "
            f"the first {ctx.max_drugs} were checked "
            f"(not checked: {', '.join(d.name for d in out[ctx.max_drugs :])})"
        )
        out = out[: ctx.max_drugs]
    if not out:
        notes.append("no drugs found in the question")
    elif len(out) == 1:
        notes.append(f"only one drug found ({out[0].name}): there is nothing to pair")
    for d in out:
        if not d.covered:
            notes.append(
                f"{d.name} is outside every evidence source's coverage (ANSM thesaurus "
                "2020-01, pharmacology profiles): its answers rest on model probes alone"
            )
    return {"drugs": out, "unresolved": list(unresolved.values()), "notes": notes}
