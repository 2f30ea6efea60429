"""draft -> eval_<name> x N (parallel) -> gate.

`draft` composes the answer draft the evaluators check. Each evaluator node wraps one
registry entry: the function is looked up at call time and any exception is recorded as
``passed=False`` with the error (a crashed evaluator never signs off).
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from pipeline._answer import draft_answer
from pipeline.context import Context
from pipeline.evaluators import REGISTRY
from pipeline.evaluators._base import EvalInput
from pipeline.schemas import Evaluation
from pipeline.state import State

__all__ = ["draft", "evaluator_node", "node_name"]


def node_name(evaluator: str) -> str:
    return f"eval_{evaluator}"


async def draft(state: State, runtime: Runtime[Context]) -> dict:

    text = draft_answer(
        state.get("drugs") or [], state.get("outcomes") or [], state.get("unresolved") or []
    )
    return {"draft": text}


def evaluator_node(name: str):
    """A graph node running the registry's evaluator `name` on the current state."""

    async def run_evaluator(state: State, runtime: Runtime[Context]) -> dict:

        inp = EvalInput.from_state(state)
        try:
            fn = REGISTRY[name]
            evaluation = await fn(inp, runtime.context)
            if not isinstance(evaluation, Evaluation):
                raise TypeError(f"returned {type(evaluation).__name__}, not Evaluation")
            if evaluation.name != name:
                evaluation = evaluation.model_copy(update={"name": name})
        except Exception as exc:  # noqa: BLE001 - recorded as a failed sign-off
            evaluation = Evaluation(
                name=name,
                passed=False,
                reason=f"evaluator crashed: {type(exc).__name__}: {str(exc)[:300]}",
            )
        return {"evaluations": {name: evaluation}, "calls": list(inp.calls)}

    run_evaluator.__name__ = node_name(name)
    run_evaluator.__qualname__ = node_name(name)
    return run_evaluator
