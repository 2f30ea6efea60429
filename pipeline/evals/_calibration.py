"""Calibration of the vote policy and the probe templates (``python benchmarks/calibration.py``).

Question: an any-yes policy over up to 12 probes, with templates that lean towards yes
("any risk ... counts as yes"), finds more interactions and raises more false alarms.
Which policy and template set keep recall at its best with the least loss of
specificity?

Method: the cascade study's simulated prober (`KnowledgeModel`: knowledge of its own,
drawn independently of the gold; correlation ``rho`` between the probes of a pair) runs
the full cascade without revision under every (policy, template set). The template
effects of the simulation are *assumptions*, not measurements, so the whole grid runs
under several assumptions (`ASSUMPTIONS`); a choice is adopted only where it is the same
under all of them, and the current default is kept where it is not.

Choice rule (`choose`): under one assumption, a configuration is *eligible* when its
recall is within `TOLERANCE` of the best configuration's recall at every rho studied;
among the eligible ones the highest mean specificity wins (fewer calls break ties). The
policy and the template set are adopted separately, each only when every assumption
agrees on it.

Per-template rates (`template_rates`) are the probe-level yes rates on the positive and
negative pairs under canonical names, measured by asking the simulated prober directly;
they show what the assumed template effects do to one probe, before aggregation.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.context import TEMPLATES, Context
from pipeline.evals._report import _pyplot, fmt_pct, have_matplotlib
from pipeline.evals._run import write_json_atomic
from pipeline.evals._study import (
    DEFAULT_REPEAT,
    PROBER,
    SEED,
    Arm,
    _Job,
    _run_cells,
    default_workers,
    progress_printer,
    study_samples,
)
from pipeline.models._simulated_knowledge import DEFAULT_TEMPLATE_EFFECTS, KnowledgeModel

__all__ = [
    "ASSUMPTIONS",
    "BEGIN",
    "END",
    "POLICY_CHOICES",
    "TEMPLATE_CHOICES",
    "choose",
    "current_default",
    "render_markdown",
    "run_calibration",
    "template_rates",
]

BEGIN, END = "<!-- calibration:begin -->", "<!-- calibration:end -->"
DEFAULT_RHOS: tuple[float, ...] = (0.0, 0.5, 1.0)
DEFAULT_SAMPLES = 90
#: recall within this of the best (absolute) counts as "at its best"
TOLERANCE = 0.01

POLICY_CHOICES: dict[str, dict[str, Any]] = {
    "any yes": {"policy": "recall"},
    "2 yes": {"policy": "k_of_n", "k": 2},
    "majority": {"policy": "majority"},
}
TEMPLATE_CHOICES: dict[str, tuple[str, ...]] = {
    "all four": TEMPLATES,
    "without risks": tuple(t for t in TEMPLATES if t != "risks"),
}
#: what the templates do to a probe, (recall offset, false-alarm offset): unknown for real
#: models, so the grid runs under each of these
ASSUMPTIONS: dict[str, dict[str, tuple[float, float]]] = {
    "as assumed": dict(DEFAULT_TEMPLATE_EFFECTS),
    "neutral templates": {t: (0.0, 0.0) for t in TEMPLATES},
    "risks: false alarms only": {**DEFAULT_TEMPLATE_EFFECTS, "risks": (0.0, 0.04)},
}


def _config(policy: str, templates: str) -> str:
    return f"{policy} / {templates}"


def _slug(text: str) -> str:
    return text.replace(" ", "_")


def _arm(policy: str, templates: str) -> Arm:
    options = {**POLICY_CHOICES[policy], "templates": TEMPLATE_CHOICES[templates]}
    return Arm({**options, "revision_rounds": 0}, False, _config(policy, templates))


def current_default() -> dict[str, str]:
    """The policy and template set the pipeline uses today, by their names here."""
    ctx = Context()
    policy = next(
        name
        for name, opts in POLICY_CHOICES.items()
        if opts["policy"] == ctx.policy and opts.get("k", ctx.k) == ctx.k
    )
    templates = next(n for n, ts in TEMPLATE_CHOICES.items() if ts == ctx.templates)
    return {"policy": policy, "templates": templates}


# --------------------------------------------------------------------------- choice


def _winner(cells: Sequence[Mapping], rhos: Sequence[float], tolerance: float) -> dict:
    by = {(c["config"], c["rho"]): c for c in cells}
    configs = list(dict.fromkeys(c["config"] for c in cells))

    def recall(cfg: str, rho: float) -> float:
        return by[(cfg, rho)]["recall"]["value"] or 0.0

    best = {rho: max(recall(cfg, rho) for cfg in configs) for rho in rhos}
    eligible = [
        cfg for cfg in configs if all(recall(cfg, rho) >= best[rho] - tolerance for rho in rhos)
    ]

    def score(cfg: str) -> tuple[float, float]:
        spec = sum(by[(cfg, r)]["specificity"]["value"] or 0.0 for r in rhos) / len(rhos)
        calls = sum(by[(cfg, r)]["calls_per_pair"] for r in rhos) / len(rhos)
        return (spec, -calls)

    win = max(eligible, key=score)
    return {
        "winner": win,
        "policy": by[(win, rhos[0])]["policy"],
        "templates": by[(win, rhos[0])]["templates"],
        "eligible": eligible,
        "mean_specificity": score(win)[0],
    }


def choose(
    cells: Sequence[Mapping], rhos: Sequence[float], default: Mapping[str, str],
    tolerance: float = TOLERANCE,
) -> dict:  # fmt: skip
    """The choice rule of the module docstring: the winner under each assumption, and the
    adopted policy and template set (the common winner's, else the current default's)."""
    per = {}
    for assumption in dict.fromkeys(c["assumption"] for c in cells):
        mine = [c for c in cells if c["assumption"] == assumption]
        per[assumption] = _winner(mine, rhos, tolerance)
    adopted = {}
    for part in ("policy", "templates"):
        picks = {w[part] for w in per.values()}
        adopted[part] = picks.pop() if len(picks) == 1 else default[part]
        adopted[f"{part}_robust"] = len({w[part] for w in per.values()}) == 1
    return {"per_assumption": per, "adopted": adopted, "default_before": dict(default)}


# --------------------------------------------------------------------------- probes


def template_rates(
    samples: Sequence[Any], rhos: Sequence[float], effects: Mapping[str, tuple[float, float]],
    seeds: Sequence[int],
) -> list[dict]:  # fmt: skip
    """Probe-level yes rates per template on positive and negative pairs (canonical names,
    both orders), asked of the simulated prober directly."""
    pairs = [(p.drug_a, p.drug_b, p.interacts) for s in samples for p in s.expected_pairs]
    out = []
    for rho in rhos:
        models = [
            KnowledgeModel(**PROBER, rho=rho, seed=seed, template_effects=dict(effects))
            for seed in seeds
        ]
        for template in TEMPLATES:
            yes = {True: 0, False: 0}
            asked = {True: 0, False: 0}
            for model in models:
                for a, b, truth in pairs:
                    for x, y in ((a, b), (b, a)):
                        reply = model.answer(f"probe.{template}", {"drug_a": x, "drug_b": y})
                        asked[truth] += 1
                        yes[truth] += reply["interacts"] == "yes"
            out.append(
                {
                    "rho": rho,
                    "template": template,
                    "yes_on_positives": yes[True] / (asked[True] or 1),
                    "yes_on_negatives": yes[False] / (asked[False] or 1),
                    "probes": asked[True] + asked[False],
                }
            )
    return out


# --------------------------------------------------------------------------- run


def run_calibration(
    *,
    out: Path,
    suite: str = "pairs",
    limit: int | None = None,
    repeat: int = DEFAULT_REPEAT,
    rhos: Sequence[float] | None = None,
    concurrency: int = 4,
    workers: int | None = None,
    progress: bool = True,
    doc_plot: Path | None = None,
) -> dict:
    """Run the grid (assumption x policy x template set x rho; resumable per cell under
    ``out``) and return the summary: ``meta``, ``cells``, ``template_rates``, ``choice``."""
    rhos = tuple(DEFAULT_RHOS if rhos is None else rhos)
    workers = default_workers() if workers is None else workers
    samples = study_samples(suite, DEFAULT_SAMPLES if limit is None else limit, None)
    out.mkdir(parents=True, exist_ok=True)
    jobs, labels = [], {}
    for a_i, (assumption, effects) in enumerate(ASSUMPTIONS.items()):
        for policy in POLICY_CHOICES:
            for templates in TEMPLATE_CHOICES:
                arm = _arm(policy, templates)
                for rho in rhos:
                    name = f"a{a_i}|{arm.what}"
                    labels[name] = (assumption, policy, templates)
                    jobs.append(
                        _Job(
                            arm=name,
                            rho=rho,
                            run_dir=out / _slug(f"a{a_i}-{policy}-{templates}-rho{rho:g}"),
                            samples=samples,
                            suite=suite,
                            repeat=repeat,
                            concurrency=concurrency,
                            seed=SEED,
                            prober={"template_effects": dict(effects)},
                            judge={"template_effects": dict(effects)},
                            definition=arm,
                        )
                    )  # fmt: skip
    say = progress_printer(progress)
    started = time.perf_counter()
    raw = _run_cells(jobs, workers, say)
    seconds = time.perf_counter() - started
    cells = []
    for c in raw:
        assumption, policy, templates = labels[c["arm"]]
        cells.append(
            {
                "assumption": assumption,
                "config": _config(policy, templates),
                "policy": policy,
                "templates": templates,
                "rho": c["rho"],
                "recall": c["recall"],
                "specificity": c["specificity"],
                "abstention": c["abstention"],
                "calls_per_pair": c["prober_calls_per_pair"],
                "errors": c["errors"],
            }
        )
    order = {a: i for i, a in enumerate(ASSUMPTIONS)}
    configs = [_config(p, t) for p in POLICY_CHOICES for t in TEMPLATE_CHOICES]
    cells.sort(key=lambda c: (order[c["assumption"]], c["rho"], configs.index(c["config"])))
    seeds = [SEED + r for r in range(repeat)]
    rates = {
        assumption: template_rates(samples, rhos, effects, seeds)
        for assumption, effects in ASSUMPTIONS.items()
    }
    n_pos = sum(1 for s in samples for p in s.expected_pairs if p.interacts)
    n_neg = sum(1 for s in samples for p in s.expected_pairs if not p.interacts)
    meta = {
        "suite": suite,
        "samples": len(samples),
        "positive_pairs": n_pos,
        "negative_pairs": n_neg,
        "repeat": repeat,
        "seeds": seeds,
        "rhos": list(rhos),
        "prober": {k: v for k, v in PROBER.items() if k != "identity"},
        "assumptions": {a: {t: list(v) for t, v in e.items()} for a, e in ASSUMPTIONS.items()},
        "tolerance": TOLERANCE,
        "workers": workers,
        "seconds": round(seconds),
    }
    summary = {
        "meta": meta,
        "cells": cells,
        "template_rates": rates,
        "choice": choose(cells, rhos, current_default()),
    }
    write_json_atomic(out / "calibration.json", summary)
    if have_matplotlib():
        path = plot_calibration(summary, out / "calibration.png")
        if doc_plot is not None:
            doc_plot.parent.mkdir(parents=True, exist_ok=True)
            doc_plot.write_bytes(path.read_bytes())
    return summary


def plot_calibration(summary: Mapping, path: Path) -> Path:
    """The trade-off curve: recall against false-alarm rate (1 - specificity) per
    configuration, one panel per assumption, one marker per rho."""
    plt = _pyplot()
    assumptions = list(summary["meta"]["assumptions"])
    fig, axes = plt.subplots(
        1, len(assumptions), figsize=(5 * len(assumptions), 4.2), squeeze=False,
        layout="constrained",
    )  # fmt: skip
    markers = {r: m for r, m in zip(summary["meta"]["rhos"], "os^Dv", strict=False)}
    configs = list(dict.fromkeys(c["config"] for c in summary["cells"]))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, assumption in zip(axes[0], assumptions, strict=True):
        for i, cfg in enumerate(configs):
            mine = [c for c in summary["cells"] if c["assumption"] == assumption]
            pts = sorted((c for c in mine if c["config"] == cfg), key=lambda c: c["rho"])
            xs = [1 - (c["specificity"]["value"] or 0.0) for c in pts]
            ys = [c["recall"]["value"] or 0.0 for c in pts]
            color = colors[i % len(colors)]
            ax.plot(xs, ys, color=color, alpha=0.5, label=cfg)
            for c, x, y in zip(pts, xs, ys, strict=True):
                ax.scatter([x], [y], marker=markers.get(c["rho"], "o"), color=color)
        ax.set_title(assumption)
        ax.set_xlabel("false-alarm rate (1 - specificity)")
        ax.set_ylabel("recall")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7, title="rho: o 0, s 0.5, ^ 1", title_fontsize=7)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- words


def _pct(m: Mapping) -> str:
    return fmt_pct(m.get("value"))


def render_markdown(summary: Mapping) -> str:
    """The calibration block of EVALS.md (between `BEGIN` and `END`), from its summary."""
    meta, choice = summary["meta"], summary["choice"]
    rhos = meta["rhos"]
    head = (
        f"{meta['samples']} samples of `{meta['suite']}` ({meta['positive_pairs']} positive, "
        f"{meta['negative_pairs']} negative pairs) × {meta['repeat']} repeats (seeds "
        f"{', '.join(str(s) for s in meta['seeds'])}); the full cascade without revision; "
        f"rho ∈ {{{', '.join(f'{r:g}' for r in rhos)}}}; prober knows "
        f"{100 * meta['prober']['know_rate']:g}% of interactions and believes "
        f"{100 * meta['prober']['false_belief_rate']:g}% of non-interacting pairs interact; "
        f"{meta['seconds']} s with {meta['workers']} worker process(es)."
    )
    lines = [head, ""]
    lines.append("Probe-level yes rates per template (one probe, canonical names), as assumed:")
    lines.append("")
    lines.append("| rho | template | yes on interacting pairs | yes on non-interacting pairs |")
    lines.append("|---:|---|---:|---:|")
    for r in summary["template_rates"]["as assumed"]:
        lines.append(
            f"| {r['rho']:g} | {r['template']} | {fmt_pct(r['yes_on_positives'])} | "
            f"{fmt_pct(r['yes_on_negatives'])} |"
        )
    lines.append("")
    configs = list(dict.fromkeys(c["config"] for c in summary["cells"]))
    by = {(c["assumption"], c["config"], c["rho"]): c for c in summary["cells"]}
    cols = " | ".join(f"recall / specificity at rho {r:g}" for r in rhos)
    lines.append(f"| assumption | policy / templates | {cols} | probes per pair |")
    lines.append("|---|---|" + "---|" * len(rhos) + "---:|")
    for assumption in meta["assumptions"]:
        for cfg in configs:
            cs = [by[(assumption, cfg, r)] for r in rhos]
            vals = " | ".join(f"{_pct(c['recall'])} / {_pct(c['specificity'])}" for c in cs)
            calls = sum(c["calls_per_pair"] for c in cs) / len(cs)
            mark = " **(chosen)**" if choice["per_assumption"][assumption]["winner"] == cfg else ""
            lines.append(f"| {assumption} | {cfg}{mark} | {vals} | {calls:.1f} |")
    lines.append("")
    for assumption, w in choice["per_assumption"].items():
        lines.append(
            f"- {assumption}: recall within {100 * meta['tolerance']:g} point of the best at every "
            f"rho for {', '.join(w['eligible'])}; the most specific of them is "
            f"**{w['winner']}** (mean specificity {fmt_pct(w['mean_specificity'])})."
        )
    adopted, before = choice["adopted"], choice["default_before"]
    for part, word in (("policy", "policy"), ("templates", "template set")):
        if adopted[f"{part}_robust"]:
            change = "kept" if adopted[part] == before[part] else f"changed from {before[part]!r}"
            lines.append(
                f"- Default {word}: **{adopted[part]}**, the same under every assumption "
                f"({change})."
            )
        else:
            lines.append(
                f"- Default {word}: the assumptions disagree, so the default stays "
                f"**{adopted[part]}**; only recorded real-model replies can settle it."
            )
    return "\n".join(lines)
