"""The cascade as a LangGraph `StateGraph`: this module only wires nodes.

    START -> parse -(Send per chunk)-> extract -> resolve -> expand -> evidence -> plan -> wave
    wave -(Send per probe)-> probe -> aggregate -> wave (adaptive: next wave) | draft
    draft -> eval_<name> x 13 (parallel, all run on every query) -> gate
    gate -> revise -(Send per probe)-> probe ...   (one bounded revision round)
    gate -> compose -> END

Run it with ``graph.ainvoke({"query": ...}, context=Context(...),
config={"max_concurrency": ctx.concurrency})`` (see `pipeline.api`). `graph` is the
compiled module-level instance that ``langgraph.json`` points at.
"""

from __future__ import annotations

from functools import cache

from langgraph.graph import END, START, StateGraph

from pipeline.context import Context
from pipeline.evaluators import EVALUATOR_NAMES
from pipeline.nodes._compose import compose
from pipeline.nodes._evaluate import draft, evaluator_node, node_name
from pipeline.nodes._evidence import evidence
from pipeline.nodes._expand import expand
from pipeline.nodes._gate import gate, route_after_gate
from pipeline.nodes._parse import ChunkTask, extract, parse, resolve, route_after_parse
from pipeline.nodes._plan import plan, revise, route_after_aggregate, route_probes, wave
from pipeline.nodes._probe import aggregate, probe
from pipeline.state import InputState, OutputState, ProbeTask, State

__all__ = [
    "build_graph",
    "build_planner",
    "get_planner",
    "graph",
    "state_serializer",
]

# types stored in the state, allowed for checkpoint (de)serialisation
STATE_TYPES = (
    ("pipeline.state", "MentionRecord"),
    ("pipeline.state", "DrugEntry"),
    ("pipeline.state", "NameVariant"),
    ("pipeline.state", "Probe"),
    ("pipeline.state", "ProbeResult"),
    ("pipeline.state", "CallRecord"),
    ("pipeline.state", "PairOutcome"),
    ("pipeline.schemas", "ProbeVerdict"),
    ("pipeline.schemas", "UnresolvedMention"),
    ("pipeline.schemas", "Votes"),
    ("pipeline.schemas", "Evidence"),
    ("pipeline.evidence._source", "PairEvidence"),
    ("pipeline.schemas", "Evaluation"),
    ("pipeline.schemas", "Report"),
    ("pipeline.schemas", "DrugReport"),
    ("pipeline.schemas", "PairReport"),
    ("pipeline.schemas", "ProbeTrace"),
    ("pipeline.schemas", "Usage"),
    ("pipeline.schemas", "RoleUsage"),
)


def state_serializer():
    """A checkpoint serializer that allows the state's own types, e.g.
    ``build_graph(InMemorySaver(serde=state_serializer()))``."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    return JsonPlusSerializer(allowed_msgpack_modules=list(STATE_TYPES))


def _add_front(builder: StateGraph) -> None:
    """parse -(Send per chunk)-> extract -> resolve -> expand -> evidence -> plan: shared by
    the cascade and the dry-run planner."""
    builder.add_node("parse", parse)
    builder.add_node("extract", extract, input_schema=ChunkTask)
    builder.add_node("resolve", resolve)
    builder.add_node("expand", expand)
    builder.add_node("evidence", evidence)
    builder.add_node("plan", plan)
    builder.add_edge(START, "parse")
    builder.add_conditional_edges("parse", route_after_parse, ["extract", "resolve"])
    builder.add_edge("extract", "resolve")
    builder.add_edge("resolve", "expand")
    builder.add_edge("expand", "evidence")
    builder.add_edge("evidence", "plan")


def build_graph(checkpointer=None):
    """Compile the cascade (optionally with a checkpointer, e.g. `InMemorySaver()`)."""
    builder = StateGraph(
        State, context_schema=Context, input_schema=InputState, output_schema=OutputState
    )
    _add_front(builder)
    builder.add_node("wave", wave)
    builder.add_node("probe", probe, input_schema=ProbeTask)
    builder.add_node("aggregate", aggregate)
    builder.add_node("draft", draft)
    evaluators = [node_name(n) for n in EVALUATOR_NAMES]
    for name in EVALUATOR_NAMES:
        builder.add_node(node_name(name), evaluator_node(name))
    builder.add_node("gate", gate)
    builder.add_node("revise", revise)
    builder.add_node("compose", compose)

    builder.add_edge("plan", "wave")
    builder.add_conditional_edges("wave", route_probes, ["probe", "aggregate"])
    builder.add_edge("probe", "aggregate")
    builder.add_conditional_edges("aggregate", route_after_aggregate, ["wave", "draft"])
    for name in evaluators:
        builder.add_edge("draft", name)
    builder.add_edge(evaluators, "gate")
    builder.add_conditional_edges("gate", route_after_gate, ["revise", "compose"])
    builder.add_conditional_edges("revise", route_probes, ["probe", "aggregate"])
    builder.add_edge("compose", END)
    return builder.compile(checkpointer=checkpointer, name="ddi")


def build_planner():
    """The cascade's front half, parse -> resolve -> expand -> evidence -> plan, as its own
    graph with the same state and reducers: the dry run (`plan_probes`) runs exactly the
    nodes a real query runs, and stops before any probe is sent."""
    builder = StateGraph(State, context_schema=Context, input_schema=InputState)
    _add_front(builder)
    builder.add_edge("plan", END)
    return builder.compile(name="ddi-planner")


graph = build_graph()


@cache
def get_planner():
    """The compiled planner, built on first use: only the dry run needs it."""
    return build_planner()


def __getattr__(name: str):
    if name == "planner":  # module attribute, compiled on first access
        return get_planner()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
