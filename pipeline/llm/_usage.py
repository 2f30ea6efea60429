"""`UsageMeter`: calls and tokens per role, summed across concurrent tasks and threads."""

from __future__ import annotations

import threading

from pipeline.llm._calls import CallResult
from pipeline.schemas import RoleUsage, Usage

__all__ = ["UsageMeter"]


class UsageMeter:
    """Thread- and task-safe per-role accumulator of model usage.

    calls = model invocations (retries included, cache hits excluded); failed_calls =
    structured calls that ended without a valid answer; tokens summed over invocations.
    `cache_hits` counts answers served from the cache (not part of `Usage`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_role: dict[str, list[int]] = {}
        self.cache_hits: dict[str, int] = {}

    def add(
        self,
        role: str,
        *,
        calls: int = 0,
        failed_calls: int = 0,
        input_tokens: int = 0,
        output_tokens: int = 0,
    ) -> None:
        with self._lock:
            row = self._by_role.setdefault(role, [0, 0, 0, 0])
            row[0] += calls
            row[1] += failed_calls
            row[2] += input_tokens
            row[3] += output_tokens

    def record(self, role: str, result: CallResult) -> None:
        self.add(
            role,
            calls=result.attempts,
            failed_calls=0 if result.ok else 1,
            input_tokens=result.input_tokens,
            output_tokens=result.output_tokens,
        )
        if result.cached:
            with self._lock:
                self.cache_hits[role] = self.cache_hits.get(role, 0) + 1

    def merge(self, other: UsageMeter | Usage) -> None:
        usage = other.usage() if isinstance(other, UsageMeter) else other
        for role, u in usage.by_role.items():
            self.add(
                role,
                calls=u.calls,
                failed_calls=u.failed_calls,
                input_tokens=u.input_tokens,
                output_tokens=u.output_tokens,
            )

    def usage(self) -> Usage:
        with self._lock:
            return Usage(
                by_role={
                    role: RoleUsage(
                        calls=r[0], failed_calls=r[1], input_tokens=r[2], output_tokens=r[3]
                    )
                    for role, r in sorted(self._by_role.items())
                }
            )

    def __repr__(self) -> str:
        return f"UsageMeter({self.usage().by_role})"
