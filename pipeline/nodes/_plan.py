"""plan -> wave -> (Send probe)*: which probes to ask, in which order, within budget.

`plan` builds, per unordered pair, the ordered list of candidate probes (name variant of
A x name variant of B x template x order, deduplicated): name combinations are visited
canonical x canonical first, then the user's wording / international / brand variants,
and each visit rotates templates and orders, so the first few probes are the most
informative. `wave` hands out the next probes: every open pair gets the fewest probes
that can decide it in the first wave (two under ``recall``: see `first_wave_size`) and
then up to ``wave_size`` per wave (all its allowance at once when not adaptive), one pair
at a time round-robin so that a tight per-query budget is shared fairly; pairs whose
verdict can no longer change (policy `can_change`) get nothing more. `revise` plans a
revision round for flagged pairs: more name variants, templates not used yet, and the
evaluator model as prober.
"""

from __future__ import annotations

from collections.abc import Sequence

from langgraph.runtime import Runtime
from langgraph.types import Send

from pipeline.context import Context
from pipeline.kb._text import normalise
from pipeline.llm import cache_key, model_name, model_params
from pipeline.nodes._common import (
    probe_budget_left,
    probe_prompt,
    reserve_run_budget,
)
from pipeline.nodes._expand import name_variants
from pipeline.nodes._policy import PolicyParams, can_change, group_results, tally, vote
from pipeline.state import NameVariant, Probe, State, pair_key

__all__ = [
    "candidate_probes",
    "plan",
    "first_wave_size",
    "plan_wave",
    "revise",
    "route_after_aggregate",
    "route_probes",
    "wave",
]


def _combos(n_a: int, n_b: int) -> list[tuple[int, int]]:
    combos = [(i, j) for i in range(n_a) for j in range(n_b)]
    combos.sort(key=lambda ij: (ij[0] + ij[1], max(ij), ij[0]))
    if (1, 1) in combos:  # second name of both drugs right after canonical x canonical:
        combos.remove((1, 1))  # two probes then cover two names per drug (and both orders)
        combos.insert(1, (1, 1))
    return combos


def candidate_probes(
    pair: tuple[str, str],
    variants_a: Sequence[NameVariant],
    variants_b: Sequence[NameVariant],
    templates: Sequence[str],
    *,
    role: str = "prober",
    round_no: int = 0,
    exclude: set[tuple[str, str, str]] | None = None,
    limit: int | None = None,
) -> list[Probe]:
    """Every distinct probe of a pair, most informative first (see module docstring).

    `exclude` holds (template, norm drug_a, norm drug_b) already asked. `limit` stops after
    that many probes (the same first probes as without it, built without the rest).
    """
    a, b = pair
    combos = _combos(len(variants_a), len(variants_b))
    n_t = len(templates)
    m = 2 * n_t
    seen = set(exclude or ())
    out: list[Probe] = []
    norms_a = [normalise(v.text) for v in variants_a]
    norms_b = [normalise(v.text) for v in variants_b]
    for r in range(m):
        for ci, (i, j) in enumerate(combos):
            if limit is not None and len(out) >= limit:
                return out
            slot = (ci + r) % m
            template = templates[slot % n_t]
            order = "ab" if (slot % n_t + slot // n_t) % 2 == 0 else "ba"
            name_a, name_b = variants_a[i].text, variants_b[j].text
            norm_a, norm_b = norms_a[i], norms_b[j]
            dedup = (template, norm_a, norm_b) if order == "ab" else (template, norm_b, norm_a)
            if dedup in seen or norm_a == norm_b:
                continue
            seen.add(dedup)
            out.append(
                Probe(
                    pair=(a, b),
                    name_a=name_a,
                    name_b=name_b,
                    template=template,
                    order=order,
                    role=role,
                    round=round_no,
                )
            )
    return out


def _with_key(
    ctx: Context, probe: Probe, index: int, wave_no: int, params: dict | None = None
) -> Probe:
    """The probe with its position and stable key. `params` caches (per wave) each role's
    model name and sampling parameters, which are slow to read from a pydantic model."""

    if params is None:
        params = {}
    if probe.role not in params:
        model = ctx.model(probe.role)
        params[probe.role] = (model_name(model), model_params(model))
    name, model_args = params[probe.role]
    key = cache_key(
        name, probe_prompt(probe.template), probe.data, seed=ctx.seed, params=model_args
    )
    return probe.model_copy(update={"index": index, "wave": wave_no, "key": key})


async def plan(state: State, runtime: Runtime[Context]) -> dict:
    """Candidate probes for every pair that no evidence source decided."""
    ctx = runtime.context
    variants = state.get("variants") or {}
    pairs = state.get("pairs") or []
    evidence = state.get("evidence") or {}
    # pairs an evidence source lists are decided: no probes unless asked for
    open_pairs = [
        p
        for p in pairs
        if ctx.probe_listed or not (pair_key(p) in evidence and evidence[pair_key(p)].listed)
    ]
    cap = ctx.budget.calls_per_pair
    schedule = {
        pair_key((a, b)): candidate_probes(
            (a, b), variants[a], variants[b], ctx.templates, limit=cap
        )
        for a, b in open_pairs
    }
    notes = []
    need = len(open_pairs) * ctx.budget.min_probes_per_pair
    spent = state.get("spent", 0)  # extractor calls already made
    if need > ctx.budget.calls_per_query - spent:
        notes.append(
            f"probe budget too small: {len(open_pairs)} pairs need at least {need} probes "
            f"(min_probes_per_pair={ctx.budget.min_probes_per_pair}) but calls_per_query="
            f"{ctx.budget.calls_per_query} with {spent} extractor calls made; pairs left "
            "short are unresolved"
        )
    return {
        "schedule": schedule,
        "spent": spent,
        "wave_no": 0,
        "round": 0,
        "notes": notes,
    }


def first_wave_size(ctx: Context) -> int:
    """Probes per pair in the first adaptive wave: the fewest votes that can decide a pair.

    Under ``recall`` one credible yes decides a pair; a ``no_evidence`` verdict needs
    ``min_probes_per_pair`` answers, and each pair is to be asked under two names per drug
    and in both orders (tests/evaluators/test_pipeline_invariants.py), which the first two
    candidates give. So the first wave asks two probes per pair
    under ``recall`` (``k`` or more under ``k_of_n``; a full ``wave_size`` under
    ``majority``, which a few votes never decide). Later waves top the pair up to
    ``wave_size`` probes per wave (cumulative 2, 4, 8, 12 with the defaults): a positive
    pair usually costs two calls instead of a whole wave, while a pair that stays open
    needs at most one more wave than with fixed-size waves.
    """
    if ctx.policy == "recall":
        need = 1
    elif ctx.policy == "k_of_n":
        need = ctx.k
    else:
        need = ctx.wave_size
    # a no_evidence verdict needs min_probes_per_pair answers anyway, and each drug is to be
    # probed under two names and each pair in both orders: the first two
    # candidates cover both (see `_combos`)
    need = max(need, ctx.budget.min_probes_per_pair, 2)
    return max(1, min(need, ctx.wave_size))


def _share_round_robin(wanted: dict[str, int], budget: int) -> dict[str, int]:
    """Probes granted per pair key: one per pair per turn, pairs in key order, until each
    has what it wanted or `budget` is spent, so that a tight budget is shared fairly."""
    chosen = {pk: 0 for pk in sorted(wanted)}
    total = 0
    progress = True
    while progress and total < budget:
        progress = False
        for pk in chosen:
            if chosen[pk] < wanted[pk] and total < budget:
                chosen[pk] += 1
                total += 1
                progress = True
    return chosen


def _issue(
    ctx: Context,
    candidates: dict[str, list[Probe]],
    chosen: dict[str, int],
    first_index: int,
    wave_no: int,
) -> list[Probe]:
    """Each pair's first ``chosen[pk]`` candidates (pairs in key order), numbered on from
    `first_index` and given their stable keys."""
    probes: list[Probe] = []
    model_params: dict = {}
    for pk in sorted(chosen):
        for p in candidates[pk][: chosen[pk]]:
            probes.append(_with_key(ctx, p, first_index + len(probes), wave_no, model_params))
    return probes


def _wave_allocation(state: State, ctx: Context, *, run_budget: bool = True) -> dict[str, int]:
    """How many first-pass probes each pair gets in the next wave (see `plan_wave`).

    Cheap: no probe is keyed, so routing can ask "is there another wave?" without
    building it."""
    if state.get("round", 0) > 0:
        return {}
    schedule = state.get("schedule") or {}
    wave_no = state.get("wave_no", 0)
    budget_left = probe_budget_left(state, ctx, run=run_budget)
    if budget_left <= 0 or not schedule:
        return {}
    if wave_no > 0 and not ctx.adaptive:
        return {}
    params = PolicyParams.from_context(ctx)
    grouped = group_results(state.get("results") or [])
    targets: dict[str, int] = {}
    first = first_wave_size(ctx)
    for pk in sorted(schedule):
        remaining = schedule[pk]
        if not remaining:
            continue
        if wave_no == 0:
            per_wave = first if ctx.adaptive else len(remaining)
            targets[pk] = min(per_wave, len(remaining))
            continue
        done = grouped.get(pk, [])
        votes = tally(vote(r.verdict, params.min_confidence) for r in done)
        if can_change(votes, len(remaining), params):
            # ramp: cumulative `first`, then wave_size per wave (2, 2, 4, 4, ... by default)
            size = max(1, wave_no * ctx.wave_size - len(done))
            targets[pk] = min(size, ctx.wave_size, len(remaining))
    return _share_round_robin(targets, budget_left)


def plan_wave(state: State, ctx: Context, *, run_budget: bool = True) -> list[Probe]:
    """The next wave of first-pass probes (empty when done or out of budget; with
    ``run_budget=False`` the run's shared budget is ignored)."""
    chosen = _wave_allocation(state, ctx, run_budget=run_budget)
    if not chosen:
        return []
    schedule = state.get("schedule") or {}
    return _issue(ctx, schedule, chosen, state.get("spent", 0), state.get("wave_no", 0))


async def wave(state: State, runtime: Runtime[Context]) -> dict:
    """Hand out the next wave of probes (reserved from the run budget, if any)."""
    ctx = runtime.context
    probes = plan_wave(state, ctx)
    wanted = 0
    if ctx.run_budget is not None:
        wanted = sum(_wave_allocation(state, ctx, run_budget=False).values())
    probes, notes = reserve_run_budget(ctx, probes, wanted)
    schedule = dict(state.get("schedule") or {})
    taken: dict[str, int] = {}
    for p in probes:
        taken[pair_key(p.pair)] = taken.get(pair_key(p.pair), 0) + 1
    for pk, n in taken.items():
        schedule[pk] = schedule[pk][n:]
    return {
        "wave": probes,
        "schedule": schedule,
        "spent": state.get("spent", 0) + len(probes),
        "wave_no": state.get("wave_no", 0) + 1,
        "notes": notes,
    }


def route_probes(state: State) -> list[Send] | str:
    """Fan the current wave out to `probe`, one Send per pair (its probes of this wave, run
    concurrently inside the task), or go straight to aggregate."""
    probes = state.get("wave") or []
    if not probes:
        return "aggregate"
    batches: dict[str, list[Probe]] = {}
    for p in probes:
        batches.setdefault(pair_key(p.pair), []).append(p)
    deadline_at = state.get("deadline_at")
    return [
        Send("probe", {"probe": batch[0], "probes": batch, "deadline_at": deadline_at})
        for batch in batches.values()
    ]


def route_after_aggregate(state: State, runtime: Runtime[Context]) -> str:
    """Another wave while some pair can still change and budget remains; else draft."""
    if state.get("round", 0) == 0 and state.get("wave"):
        # the run budget is ignored here: `wave` notes a run-budget cut
        if any(_wave_allocation(state, runtime.context, run_budget=False).values()):
            return "wave"
    return "draft"


def _dedup(p: Probe) -> tuple[str, str, str]:
    d = p.data
    return (p.template, normalise(d["drug_a"]), normalise(d["drug_b"]))


def _asked(state: State) -> dict[str, set[tuple[str, str, str]]]:
    out: dict[str, set[tuple[str, str, str]]] = {}
    for r in state.get("results") or []:
        out.setdefault(pair_key(r.probe.pair), set()).add(_dedup(r.probe))
    return out


async def revise(state: State, runtime: Runtime[Context]) -> dict:
    """A revision wave for the flagged pairs: more names, unused templates, evaluator model."""

    ctx = runtime.context
    round_no = state.get("round", 0) + 1
    flagged = [tuple(p) for p in state.get("revise_pairs") or []]
    drugs = {d.key: d for d in state.get("drugs") or []}
    variants = dict(state.get("variants") or {})
    wider = max(ctx.synonyms_per_drug * 2, ctx.synonyms_per_drug + 2)
    for key in {k for p in flagged for k in p}:
        if key in drugs:
            more = name_variants(drugs[key], wider)
            have = {normalise(v.text) for v in variants.get(key, [])}
            variants[key] = list(variants.get(key, [])) + [
                v for v in more if normalise(v.text) not in have
            ]
    asked = _asked(state)
    spent = state.get("spent", 0)
    budget_left = probe_budget_left(state, ctx)
    per_pair: dict[str, list[Probe]] = {}
    for pair in flagged:
        a, b = pair
        if a not in variants or b not in variants:
            continue
        cands = candidate_probes(
            (a, b),
            variants[a],
            variants[b],
            ctx.templates,
            role="evaluator",
            round_no=round_no,
            exclude=asked.get(pair_key(pair)),
        )
        if len(cands) < ctx.budget.calls_per_pair:  # few new probes: re-ask with the evaluator
            have = {_dedup(p) for p in cands}
            again = candidate_probes(
                (a, b), variants[a], variants[b], ctx.templates, role="evaluator", round_no=round_no
            )
            cands += [p for p in again if _dedup(p) not in have]
        per_pair[pair_key(pair)] = cands[: ctx.budget.calls_per_pair]
    chosen = _share_round_robin({pk: len(c) for pk, c in per_pair.items()}, budget_left)
    wave_no = state.get("wave_no", 0)
    probes = _issue(ctx, per_pair, chosen, spent, wave_no)
    notes: list[str] = []
    if ctx.run_budget is not None:
        wanted = sum(len(v) for v in per_pair.values())
        wanted = min(wanted, probe_budget_left(state, ctx, run=False))
        probes, notes = reserve_run_budget(ctx, probes, wanted)
    if flagged and not probes:
        notes.append("revision round skipped: the probe budget is spent")
    return {
        "round": round_no,
        "wave": probes,
        "variants": variants,
        "spent": spent + len(probes),
        "wave_no": wave_no + 1,
        "notes": notes,
    }
