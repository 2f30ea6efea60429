"""`ddi resolve`: show which drugs a text mentions, how each name resolved, and its synonyms."""

from __future__ import annotations

import argparse

from pipeline.cli import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", help='free text or a list, e.g. "Coumadin, advil and simvastatine"')
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--synonyms", type=int, default=8, metavar="N", help="synonyms listed per drug (default 8)"
    )


def run(args: argparse.Namespace) -> int:
    if args.synonyms < 0:
        raise UsageError("--synonyms must be >= 0")
    from pipeline.names._cli import resolve_command

    return resolve_command(args.text, as_json=args.json, limit=args.synonyms)
