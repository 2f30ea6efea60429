"""Shared helpers of the benchmark scripts (machine description, JSON output, timing)."""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine() -> dict:
    """What the numbers were measured on (recorded next to every result)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_avg_1m": load,
    }


def replace_block(doc: str, begin: str, end: str, body: str) -> str:
    """`doc` with the text between the `begin` and `end` markers replaced by `body` (the
    generated tables of the documents)."""
    block = f"{begin}\n{body}\n{end}"
    return re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, doc, flags=re.S)


def store_summary(path: Path, summary: dict) -> None:
    """Write a benchmark's committed summary (the source of its published table)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")


def publish(doc: Path, begin: str, end: str, body: str) -> None:
    """Rewrite the generated table between `begin` and `end` in `doc`."""
    text = doc.read_text(encoding="utf-8")
    if begin not in text:
        raise SystemExit(f"{doc.name} has no {begin} marker")
    doc.write_text(replace_block(text, begin, end, body), encoding="utf-8")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def emit(name: str, result: dict, as_json: bool) -> None:
    result = {"benchmark": name, "machine": machine(), **result}
    if as_json:
        print(json.dumps(result, indent=2, default=str))
    out = ROOT / "runs" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


if __name__ == "__main__":  # pragma: no cover
    json.dump(machine(), sys.stdout, indent=2)
