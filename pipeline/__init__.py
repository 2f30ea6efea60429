"""ddi-pipeline: high-recall drug-drug interaction question answering.

`from pipeline import ask` — see README.md. Imports are lazy so that `ddi resolve` and the
names layer start without loading LangGraph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["ask", "aask", "ask_many", "Report"]

if TYPE_CHECKING:
    from pipeline.api import aask, ask, ask_many
    from pipeline.schemas import Report


def __getattr__(name: str) -> Any:
    if name in {"ask", "aask", "ask_many"}:
        from pipeline import api

        return getattr(api, name)
    if name == "Report":
        from pipeline.schemas import Report

        return Report
    raise AttributeError(name)
