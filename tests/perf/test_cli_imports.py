"""`ddi <command>` imports only that sub-command's module (cheap start-up)."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
from pipeline import cli
parser = cli.build_parser(only=cli._selected(sys.argv[1:]))
heavy = [m for m in ("pipeline.evals", "pipeline.evals._cli", "langgraph", "pipeline.graph",
                     "pipeline.kb", "rapidfuzz") if m in sys.modules]
print(",".join(heavy) or "none")
"""


def _heavy(*argv: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", CHECK, *argv], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_ask_parser_imports_nothing_heavy():
    assert _heavy("ask", "warfarin and ibuprofen") == "none"
    assert _heavy("--help") == "none"
    assert _heavy("resolve", "x") == "none"


def test_selected_subcommand():
    from pipeline.cli import _selected

    assert _selected(["ask", "x"]) == "ask"
    assert _selected(["-h"]) is None
    assert _selected(["nope"]) is None
    assert _selected(["--", "ask"]) is None


def test_full_parser_still_configures_every_subcommand():
    from pipeline.cli import SUBCOMMANDS, build_parser

    parser = build_parser()
    args = parser.parse_args(["eval", "--list"])
    assert args.command == "eval" and args._run is not None
    assert set(SUBCOMMANDS) >= {"ask", "resolve", "graph", "eval"}
