"""The `ddi` command line: a thin dispatcher onto sub-command modules.

Each sub-command lives beside the code it drives and exposes `configure(parser)` and
`run(args) -> int`. Exit codes are part of the public contract (see README.md).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import traceback
from importlib import metadata

EXIT_OK = 0
EXIT_FAILED_CHECK = 1  # e.g. `ddi eval --baseline` found a significant recall drop
EXIT_USAGE = 2  # bad option or argument (argparse uses 2 as well)
EXIT_BAD_INPUT = 3  # the input was understood but unusable (no drugs found, empty query)
EXIT_INTERNAL = 70  # a bug or an unexpected failure inside the pipeline

#: the console script's cyclic-GC thresholds: a command's process allocates mostly
#: long-lived objects (modules, the KB), which the default first threshold (700) makes the
#: collector traverse again and again (~0.1 s of a two-drug `ddi ask`); cycles are still
#: collected, only less often
GC_THRESHOLD = (10_000, 10, 10)

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "resolve": ("pipeline.commands._resolve", "find drugs in text, resolve names, list synonyms"),
    "ask": ("pipeline.commands._ask", "answer an interaction question through the cascade"),
    "graph": ("pipeline.commands._graph", "print the LangGraph workflow (ASCII or Mermaid)"),
    "eval": ("pipeline.evals._cli", "run regression eval suites and the cascade study"),
}


class UsageError(Exception):
    """Raised by sub-commands for invalid options; printed as one line, exit code 2."""


def _selected(argv: list[str]) -> str | None:
    """The sub-command named on the command line (the first non-option word), if any."""
    for arg in argv:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg if arg in SUBCOMMANDS else None
    return None


def _version() -> str:
    try:
        return metadata.version("ddi-pipeline")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def build_parser(only: str | None = "*") -> argparse.ArgumentParser:
    """The `ddi` parser. ``only`` names the one sub-command module to import and configure
    (``None``: none, enough for top-level help and usage errors; ``"*"``: all of them), so
    that ``ddi ask`` never imports the eval harness and its dependencies."""
    parser = argparse.ArgumentParser(
        prog="ddi",
        description="High-recall drug-drug interaction pipeline (reference model by default).",
        epilog="Exit codes: 0 ok, 1 check failed, 2 usage error, 3 bad input, 70 internal failure.",
    )
    parser.add_argument("--version", action="version", version=f"ddi {_version()}")
    parser.add_argument(
        "--debug", action="store_true", help="print a traceback on an internal failure"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        if only != "*" and name != only:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a sub-command not built yet stays listed but inert
            if exc.name and exc.name.startswith("pipeline"):
                sub_parser.set_defaults(_missing=module_name)
                continue
            raise
        module.configure(sub_parser)
        sub_parser.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(only=_selected(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if getattr(args, "_missing", None):
        print(f"ddi {args.command}: not available in this build", file=sys.stderr)
        return EXIT_INTERNAL
    try:
        return int(args._run(args) or 0)
    except UsageError as exc:
        print(f"ddi {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `ddi ... | head`: the reader left; not an error of ours
        try:  # silence the interpreter's own flush of the dead pipe at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - last line of defence: one clear line, not a trace
        print(f"ddi {args.command}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if getattr(args, "debug", False):
            traceback.print_exc()
        return EXIT_INTERNAL


def entry() -> int:
    """The `ddi` console script: `main` under `GC_THRESHOLD`, then hand every object to the
    GC's permanent generation, so that the interpreter's final collections do not traverse
    the loaded KB once more (~0.4 s of a two-drug `ddi ask`); the OS frees the memory."""
    gc.set_threshold(*GC_THRESHOLD)
    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    # run the imported module's entry, not this copy's: the commands import `pipeline.cli`,
    # and its UsageError must be the class that main() catches
    from pipeline.cli import entry as _entry

    sys.exit(_entry())
