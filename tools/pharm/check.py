"""Check pharmacology profile files: format, and that every key is a KB drug key.

    python -m tools.pharm.check [data/kb/pharm-cns.jsonl ...]

Exit 1 with one line per problem; prints a per-file summary otherwise.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from pipeline.evidence._profiles import PROFILE_GLOB, ProfileError, read_profiles
from pipeline.kb import default_data_dir, load_kb


def problems(paths: list[Path]) -> tuple[list[str], Counter]:
    kb = load_kb()
    seen: dict[str, str] = {}
    out: list[str] = []
    counts: Counter = Counter()
    for path in paths:
        try:
            profiles = list(read_profiles(path))
        except ProfileError as exc:
            out.append(str(exc))
            continue
        for p in profiles:
            counts[path.name] += 1
            for key in p.keys:
                if kb.drug(key) is None:
                    out.append(f"{path.name}: {key!r} is not a KB drug key (see `ddi resolve`)")
                if key in seen:
                    out.append(f"{path.name}: {key!r} already has a profile in {seen[key]}")
                seen[key] = path.name
            if not p.facts and not p.no_facts_source:  # the schema refuses it too
                out.append(f"{path.name}: {p.drug!r} has no facts")
    return out, counts


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a) for a in args] or sorted(default_data_dir().glob(PROFILE_GLOB))
    found, counts = problems(paths)
    for line in found:
        print(line)
    for name, n in sorted(counts.items()):
        print(f"{name}: {n} profiles")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
