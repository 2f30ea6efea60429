"""`ddi graph`: print the LangGraph workflow (ASCII, or Mermaid with --mermaid)."""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mermaid", action="store_true", help="print Mermaid source (no network needed)"
    )


def text_listing(drawable) -> str:
    """Plain listing of nodes and edges (fallback when grandalf is not installed)."""
    lines = ["nodes:"]
    lines += [f"  {node_id}" for node_id in drawable.nodes]
    lines.append("edges:")
    for e in drawable.edges:
        style = " (conditional)" if e.conditional else ""
        lines.append(f"  {e.source} -> {e.target}{style}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from pipeline.graph import build_graph

    drawable = build_graph().get_graph()
    if args.mermaid:
        print(drawable.draw_mermaid())
        return 0
    try:
        import grandalf  # noqa: F401

        print(drawable.draw_ascii())
    except ImportError:
        print(text_listing(drawable))
    return 0
