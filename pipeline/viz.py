"""Notebook helpers: tables and plots of a `Report`, its probe trace, eval summaries and
cascade-study results.

Everything here is built on the public API only (`pipeline.schemas.Report`,
`pipeline.names.synonyms`, the summary dicts of `pipeline.evals` and the cells returned by
`pipeline.evals._study.run_study`), so it never reaches into the graph's state.

Tables are `Table` objects: a plain ``list`` of ``dict`` rows that renders itself as an
HTML table in Jupyter and as Markdown with ``str(table)`` (no pandas needed). Plots need
matplotlib (imported lazily) and return a ``matplotlib.figure.Figure`` that is *not* left
open in pyplot: in Jupyter, make it the last expression of a cell to show it (once);
elsewhere call ``fig.savefig(path)``.

    >>> from pipeline import viz
    >>> report = await aask("Coumadin and Advil?", trace=True)       # doctest: +SKIP
    >>> viz.report_table(report)                                      # doctest: +SKIP
    >>> viz.permutation_matrix(report, ("ibuprofen", "warfarin"))     # doctest: +SKIP
    >>> viz.plot_vote_heatmap(report)                                 # doctest: +SKIP
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pipeline.kb import normalise
from pipeline.names import resolve, synonyms

__all__ = [
    "Table",
    "baseline_table",
    "diff_table",
    "drugs_table",
    "evaluator_table",
    "metrics_table",
    "permutation_matrices",
    "permutation_matrix",
    "plot_study",
    "plot_vote_heatmap",
    "report_table",
    "review_explanation",
    "severity_table",
    "study_table",
    "summary_table",
    "synonym_table",
    "trace_table",
    "variant_votes",
]

#: One-letter code of a probe answer in permutation matrices.
VOTE_LETTERS = {"yes": "Y", "no": "N", "unknown": "?", None: "!"}
ROLES = ("extractor", "prober", "evaluator")


# --------------------------------------------------------------------------- tables


def _cell(value: Any) -> str:
    """Display text of one table cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✔" if value else "✘"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    if isinstance(value, tuple):
        return " + ".join(_cell(v) for v in value)
    if isinstance(value, list | set | frozenset):
        return ", ".join(_cell(v) for v in value)
    return str(value)


class Table(list):
    """Rows (dicts) rendered as an HTML table in Jupyter, as Markdown by ``str()``.

    ``columns`` fixes the column order (default: keys in order of first appearance);
    ``title`` becomes the caption. A Table is a list, so ``len``, indexing and
    comparisons with a list of dicts work as usual.
    """

    def __init__(
        self,
        rows: Iterable[Mapping[str, Any]] = (),
        columns: Sequence[str] | None = None,
        title: str = "",
    ) -> None:
        super().__init__(dict(r) for r in rows)
        if columns is None:
            seen: dict[str, None] = {}
            for row in self:
                for key in row:
                    seen.setdefault(key, None)
            columns = list(seen)
        self.columns: list[str] = list(columns)
        self.title = title

    def column(self, name: str) -> list[Any]:
        """The values of one column (None where a row lacks it)."""
        return [row.get(name) for row in self]

    def to_markdown(self) -> str:
        def esc(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", "<br>")

        lines = []
        if self.title:
            lines += [f"**{esc(self.title)}**", ""]
        if not self.columns:
            return "\n".join([*lines, "(empty table)"])
        lines.append("| " + " | ".join(esc(c) for c in self.columns) + " |")
        lines.append("|" + "---|" * len(self.columns))
        for row in self:
            cells = (esc(_cell(row.get(c))) for c in self.columns)
            lines.append("| " + " | ".join(cells) + " |")
        if not self:
            lines.append("| " + " | ".join("" for _ in self.columns) + " |")
        return "\n".join(lines)

    def to_html(self) -> str:
        def esc(text: str) -> str:
            return html.escape(text).replace("\n", "<br>")

        out = ['<table class="ddi-table">']
        if self.title:
            out.append(f"<caption>{esc(self.title)}</caption>")
        out.append("<thead><tr>")
        out += [f'<th style="text-align:left">{esc(c)}</th>' for c in self.columns]
        out.append("</tr></thead><tbody>")
        for row in self:
            out.append("<tr>")
            out += [
                f'<td style="text-align:left">{esc(_cell(row.get(c)))}</td>' for c in self.columns
            ]
            out.append("</tr>")
        out.append("</tbody></table>")
        return "".join(out)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __str__(self) -> str:
        return self.to_markdown()


# --------------------------------------------------------------------------- reports


def _display_names(report: Any) -> dict[str, str]:
    """drug key -> "Warfarin (Coumadin)": canonical name plus how the query named it."""
    out = {}
    for d in report.drugs:
        mentions = [m for m in (d.mentions or [d.mention]) if m.lower() != d.canonical.lower()]
        out[d.canonical] = d.canonical + (f" ({', '.join(mentions)})" if mentions else "")
    return out


def summary_table(report: Any) -> Table:
    """One row per headline field: verdict, models per role, calls per role, ..."""
    failed = [e.name for e in report.evaluations if not e.passed]
    rows = [
        {"field": "query", "value": report.query},
        {"field": "verdict", "value": report.verdict},
        {"field": "drugs", "value": [d.canonical for d in report.drugs]},
        {"field": "unresolved mentions", "value": [u.mention for u in report.unresolved] or "-"},
        {
            "field": "pairs interacting",
            "value": f"{sum(p.verdict == 'interacts' for p in report.pairs)} of "
            f"{len(report.pairs)}",
        },
        {
            "field": "evaluators signed off",
            "value": f"{len(report.evaluations) - len(failed)} of {len(report.evaluations)}",
        },
        {"field": "review reasons", "value": len(report.review_reasons)},
        {"field": "policy", "value": report.policy},
        {"field": "seed", "value": report.seed},
    ]
    for role in ROLES:
        usage = report.usage.by_role.get(role)
        calls = usage.calls if usage else 0
        rows.append(
            {"field": f"{role} model", "value": f"{report.models.get(role, '?')} ({calls} calls)"}
        )
    return Table(rows, title="report summary")


def drugs_table(report: Any) -> Table:
    """How each mention resolved: canonical drug, id, match kind and score."""
    rows = [
        {
            "mention": d.mentions or [d.mention],
            "canonical": d.canonical,
            "drug_id": d.drug_id,
            "match_kind": d.match_kind,
            "score": d.score,
            "names probed": d.synonyms_used,
        }
        for d in report.drugs
    ]
    for u in report.unresolved:
        rows.append(
            {
                "mention": [u.mention],
                "canonical": "(unresolved)",
                "drug_id": "",
                "match_kind": u.reason,
                "score": None,
                "names probed": [f"did you mean {s}?" for s in u.suggestions[:3]],
            }
        )
    return Table(rows, title="drugs")


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def report_table(report: Any, mechanism_chars: int = 90) -> Table:
    """The report as a table: one row per drug pair (verdict, severity, votes, evidence)."""
    names = _display_names(report)
    rows = []
    for p in report.pairs:
        rows.append(
            {
                "pair": (names.get(p.drug_a, p.drug_a), names.get(p.drug_b, p.drug_b)),
                "verdict": p.verdict,
                "severity": p.severity if p.verdict == "interacts" else "",
                "votes yes/no/unknown": f"{p.votes.yes}/{p.votes.no}/{p.votes.unknown}",
                "confidence": p.confidence,
                "mechanism": _short(p.mechanism, mechanism_chars),
                "evidence": list(dict.fromkeys(e.source for e in p.evidence)),
            }
        )
    return Table(rows, title=f"{report.verdict}: {len(rows)} pair(s)")


def _require_trace(report: Any) -> list:
    if report.trace is None:
        raise ValueError("the report has no probe trace: ask(..., trace=True)")
    return report.trace


def _answer(t: Any) -> str | None:
    return None if t.verdict is None else t.verdict.interacts


def trace_table(report: Any, pair: Sequence[str] | None = None, round: int | None = None) -> Table:  # noqa: A002
    """Every probe of the trace (optionally of one pair / one round), in order."""
    rows = []
    wanted = tuple(sorted(pair)) if pair is not None else None
    for i, t in enumerate(_require_trace(report)):
        if wanted is not None and tuple(sorted(t.pair)) != wanted:
            continue
        if round is not None and t.round != round:
            continue
        rows.append(
            {
                "#": i,
                "pair": tuple(t.pair),
                "name_a": t.name_a,
                "name_b": t.name_b,
                "template": t.template,
                "round": t.round,
                "model": t.model,
                "answer": _answer(t) or f"error: {t.error}",
                "severity": t.verdict.severity if t.verdict else "",
                "confidence": t.verdict.confidence if t.verdict else None,
                "prompt_hash": t.prompt_hash,
            }
        )
    return Table(rows, title=f"{len(rows)} probe(s)")


def synonym_table(report: Any, limit: int = 8) -> Table:
    """Name variants per drug: the user's mention(s), the KB's ranked synonyms (first
    ``limit``), and the names the cascade actually probed, with probe and yes counts
    (counts need ``trace=True``)."""

    counts: dict[tuple[str, str], list[int]] = {}  # (drug, norm name) -> [probes, yes]
    if report.trace is not None:
        for t in report.trace:
            for key, name in ((t.pair[0], t.name_a), (t.pair[1], t.name_b)):
                c = counts.setdefault((key, normalise(name)), [0, 0])
                c[0] += 1
                c[1] += _answer(t) == "yes"
    rows = []
    for d in report.drugs:
        entries: dict[str, dict] = {}

        def add(name: str, kind: str, source: str, rank: int | None, _e=entries) -> None:
            n = normalise(name)
            if n and n not in _e:
                _e[n] = {"name": name, "kind": kind, "source": source, "rank": rank}

        for m in d.mentions or [d.mention]:
            found = resolve(m)
            add(m, found.match_kind if found else d.match_kind, "query", None)
        for s in synonyms(d.canonical, limit):
            add(s.text, s.kind, s.source, s.rank)
            if normalise(s.text) in entries and entries[normalise(s.text)]["rank"] is None:
                entries[normalise(s.text)]["rank"] = s.rank
        for name in d.synonyms_used:
            add(name, "other", "model", None)
        used = {normalise(x) for x in d.synonyms_used}
        for n, e in entries.items():
            probes, yes = counts.get((d.canonical, n), [0, 0])
            rows.append(
                {
                    "drug": d.canonical,
                    "name": e["name"],
                    "kind": e["kind"],
                    "source": e["source"],
                    "synonym rank": e["rank"],
                    "probed": n in used,
                    "probes": probes if report.trace is not None else None,
                    "yes": yes if report.trace is not None else None,
                }
            )
    return Table(rows, title="name variants per drug")


def _pair_names(trace: list, pair: tuple[str, str]) -> tuple[list[str], list[str]]:
    names_a: dict[str, None] = {}
    names_b: dict[str, None] = {}
    for t in trace:
        if tuple(t.pair) == pair:
            names_a.setdefault(t.name_a, None)
            names_b.setdefault(t.name_b, None)
    return list(names_a), list(names_b)


def _pairs_of(report: Any, pairs: Iterable[Sequence[str]] | None) -> list[tuple[str, str]]:
    if pairs is None:
        return [(p.drug_a, p.drug_b) for p in report.pairs]
    return [tuple(sorted(p)) for p in pairs]  # type: ignore[misc]


def permutation_matrix(report: Any, pair: Sequence[str], cell: str = "templates") -> Table:
    """Probes of one pair as a matrix: rows are the names used for ``pair[0]``, columns the
    names used for ``pair[1]`` (after sorting the pair, as in the report).

    ``cell="templates"`` lists ``template:answer`` (answer Y / N / ? / ! = error, a revision
    probe marked ``r1``...); ``cell="count"`` gives the number of probes; ``cell="yes"``
    gives ``yes/answered``.
    """
    if cell not in ("templates", "count", "yes"):
        raise ValueError(f"cell must be 'templates', 'count' or 'yes', not {cell!r}")
    trace = _require_trace(report)
    key = tuple(sorted(pair))
    names_a, names_b = _pair_names(trace, key)  # type: ignore[arg-type]
    grid: dict[tuple[str, str], list] = {}
    for t in trace:
        if tuple(t.pair) == key:
            grid.setdefault((t.name_a, t.name_b), []).append(t)
    corner = f"{key[0]} \\ {key[1]}"
    rows = []
    for na in names_a:
        row: dict[str, Any] = {corner: na}
        for nb in names_b:
            probes = grid.get((na, nb), [])
            if cell == "count":
                row[nb] = len(probes) or None
            elif cell == "yes":
                answered = [p for p in probes if p.verdict is not None]
                yes = sum(_answer(p) == "yes" for p in answered)
                row[nb] = f"{yes}/{len(answered)}" if probes else ""
            else:
                row[nb] = " ".join(
                    f"{p.template}:{VOTE_LETTERS.get(_answer(p), '?')}"
                    + (f"(r{p.round})" if p.round else "")
                    for p in probes
                )
        rows.append(row)
    n = sum(len(v) for v in grid.values())
    return Table(rows, columns=[corner, *names_b], title=f"{key[0]} + {key[1]}: {n} probe(s)")


def permutation_matrices(report: Any, cell: str = "templates") -> dict[tuple[str, str], Table]:
    """`permutation_matrix` of every pair of the report."""
    return {pair: permutation_matrix(report, pair, cell) for pair in _pairs_of(report, None)}


def variant_votes(report: Any) -> Table:
    """Answers per name variant: for each drug and each name it was probed under, how many
    probes answered yes / no / unknown / failed (each probe counts once per side)."""
    trace = _require_trace(report)
    tally: dict[tuple[str, str], dict[str, int]] = {}
    for t in trace:
        for key, name in ((t.pair[0], t.name_a), (t.pair[1], t.name_b)):
            c = tally.setdefault((key, name), {"yes": 0, "no": 0, "unknown": 0, "error": 0})
            c[_answer(t) or "error"] += 1
    rows = []
    for (key, name), c in tally.items():
        total = sum(c.values())
        rows.append(
            {"drug": key, "name": name, **c, "probes": total, "yes share": c["yes"] / total}
        )
    rows.sort(key=lambda r: (r["drug"], -r["probes"], r["name"]))
    return Table(rows, title="answers per name variant")


def evaluator_table(report: Any) -> Table:
    """Each evaluator's record: signed off?, rule or model, reason, flagged pairs."""
    rows = [
        {
            "evaluator": e.name,
            "signed off": e.passed,
            "by": e.model,
            "reason": e.reason,
            "flagged pairs": [tuple(p) for p in e.flagged_pairs],
            "prompt_hash": e.prompt_hash or "",
        }
        for e in report.evaluations
    ]
    failed = sum(not r["signed off"] for r in rows)
    return Table(rows, title=f"{len(rows) - failed} of {len(rows)} evaluators signed off")


def review_explanation(report: Any) -> str:
    """Markdown: why the gate signed the draft off or sent the query to review.

    The report keeps only the final evaluator records; a revision round is detected from
    the trace (probes with ``round > 0``) or, without a trace, from the review reasons.
    """
    failed = [e for e in report.evaluations if not e.passed]
    n = len(report.evaluations)
    revision = [t for t in report.trace or [] if t.round > 0]
    revised = bool(revision) or any(r.startswith("a revision round") for r in report.review_reasons)
    lines = [f"**Verdict: `{report.verdict}`.**", ""]
    if not failed and not revised:
        lines.append(
            f"All {n} evaluators signed off on the first draft, so the gate passed it "
            "straight to `compose`."
        )
    elif not failed:
        lines.append(
            "At least one evaluator flagged pairs on the first draft, so the gate sent them "
            f"back for one revision round; after it all {n} evaluators signed off."
        )
    else:
        names = ", ".join(f"`{e.name}`" for e in failed)
        when = " after the revision round" if revised else ""
        lines.append(
            f"{len(failed)} of {n} evaluators did not sign off{when} ({names}). The gate "
            "re-probes the pairs they flag in one bounded revision round (while budget "
            "remains); whatever still fails becomes a review reason."
        )
    if revision:
        pairs = sorted({" + ".join(t.pair) for t in revision})
        models = sorted({t.model for t in revision})
        lines += [
            "",
            f"Revision round: {len(revision)} extra probe(s) of {', '.join(pairs)} "
            f"(model: {', '.join(models)}).",
        ]
    if report.review_reasons:
        lines += ["", "Review reasons:", ""]
        lines += [f"- {r}" for r in report.review_reasons]
    else:
        lines += ["", "No review reasons: nothing for a human to double-check."]
    if report.verdict == "interaction" and report.review_reasons:
        lines += [
            "",
            "An interaction was found, so the verdict stays `interaction`; the review "
            "reasons travel with it (a warning is never withheld).",
        ]
    elif report.verdict == "needs_review":
        lines += [
            "",
            "No interaction was found but the answer could not be signed off, so the "
            "verdict is `needs_review` rather than `no_known_interaction`.",
        ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- plots


def _pyplot():
    """pyplot under whatever backend is active. Unlike `pipeline.evals._report._pyplot`,
    no headless backend is forced: these figures are returned for display, and choosing
    the backend here would also change it for the caller's own pyplot figures."""
    import matplotlib.pyplot as plt

    return plt


def _detached(fig: Any) -> Any:
    """Remove a pyplot figure from pyplot's registry: no implicit second display in
    Jupyter, no leak; the Figure still renders when returned and can still be saved."""
    _pyplot().close(fig)
    return fig


def plot_vote_heatmap(
    report: Any, pairs: Iterable[Sequence[str]] | None = None, ncols: int = 3
) -> Any:
    """Heatmap of probe answers per name variant: one panel per pair, rows are the names
    of the pair's first drug, columns the names of its second drug; the colour is the
    share of *yes* among answered probes (grey: combination not probed), the annotation
    ``yes/answered``. Needs ``trace=True`` and matplotlib."""
    from matplotlib.colors import LinearSegmentedColormap

    plt = _pyplot()
    trace = _require_trace(report)
    selected = _pairs_of(report, pairs)
    n = max(1, len(selected))
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.4 * ncols, 3.4 * nrows), squeeze=False, layout="constrained"
    )
    cmap = LinearSegmentedColormap.from_list(
        "no_yes", ["#3b7dd8", "#f4f1de", "#d04040"]
    ).with_extremes(bad="#dddddd")
    image = None
    for ax, pair in zip(axes.flat, selected, strict=False):
        names_a, names_b = _pair_names(trace, pair)
        grid = [[[0, 0] for _ in names_b] for _ in names_a]  # [yes, answered]
        for t in trace:
            if tuple(t.pair) != pair or t.verdict is None:
                continue
            cell = grid[names_a.index(t.name_a)][names_b.index(t.name_b)]
            cell[0] += _answer(t) == "yes"
            cell[1] += 1
        probed = {(t.name_a, t.name_b) for t in trace if tuple(t.pair) == pair}
        values = [[c[0] / c[1] if c[1] else math.nan for c in row] for row in grid] or [[math.nan]]
        image = ax.imshow(values, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto")
        for i, na in enumerate(names_a):
            for j, nb in enumerate(names_b):
                yes, answered = grid[i][j]
                if (na, nb) in probed:
                    text = f"{yes}/{answered}" if answered else "err"
                    ax.text(j, i, text, ha="center", va="center", fontsize=8)
        ax.set_xticks(range(len(names_b)), names_b, rotation=30, ha="right", fontsize=8)
        ax.set_yticks(range(len(names_a)), names_a, fontsize=8)
        ax.set_xlabel(pair[1], fontsize=8)
        ax.set_ylabel(pair[0], fontsize=8)
        verdict = next(
            (p.verdict for p in report.pairs if (p.drug_a, p.drug_b) == pair), "not in report"
        )
        ax.set_title(f"{pair[0]} + {pair[1]}: {verdict}", fontsize=9)
    for ax in list(axes.flat)[len(selected) :]:
        ax.axis("off")
    if image is not None:
        fig.colorbar(image, ax=axes, shrink=0.8, label="share of yes answers")
    fig.suptitle("probe answers per name variant (yes/answered)", fontsize=10)
    return _detached(fig)


# --------------------------------------------------------------------------- evals


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _ci(m: Mapping | None) -> str:
    ci = (m or {}).get("ci95")
    return "" if not ci else f"[{100 * ci[0]:.1f}%, {100 * ci[1]:.1f}%]"


def _rate_row(name: str, m: Mapping | None) -> dict:
    m = m or {}
    return {"metric": name, "value": _pct(m.get("value")), "95% CI": _ci(m), "n": m.get("n")}


def metrics_table(summary: Mapping) -> Table:
    """Headline metrics of an eval summary (``EvalOutcome.summary`` / summary.json), each
    with its 95 % Wilson interval and denominator."""
    pm, qm, um = summary["pairs"], summary["queries"], summary.get("usage", {})
    rows = [
        _rate_row("pair recall", pm.get("recall")),
        _rate_row("pair recall incl. review", pm.get("recall_incl_review")),
        _rate_row("pair specificity", pm.get("specificity")),
        _rate_row("pair precision", pm.get("precision")),
        _rate_row("pair abstention", pm.get("abstention")),
        _rate_row("severity agreement", pm.get("severity_agreement")),
        {
            "metric": "F2 (recall-weighted)",
            "value": "n/a" if pm.get("f2") is None else f"{pm['f2']:.3f}",
            "95% CI": "",
            "n": None,
        },
        _rate_row("query accuracy", qm.get("accuracy")),
        _rate_row("query recall", qm.get("recall")),
        _rate_row("query specificity", qm.get("specificity")),
        _rate_row("query abstention (needs review)", qm.get("abstention")),
    ]
    cpq = (um.get("calls_per_query") or {}).get("mean")
    rows.append(
        {
            "metric": "model calls per query (mean)",
            "value": "n/a" if cpq is None else f"{cpq:.1f}",
            "95% CI": "",
            "n": um.get("queries"),
        }
    )
    ppp = um.get("prober_calls_per_pair")
    rows.append(
        {
            "metric": "prober calls per pair",
            "value": "n/a" if ppp is None else f"{ppp:.1f}",
            "95% CI": "",
            "n": None,
        }
    )
    title = (
        f"suite {summary.get('suite')} ({summary.get('samples_n')} samples x "
        f"{summary.get('repeats')}), config {summary.get('config_hash')}"
    )
    return Table(rows, title=title)


def severity_table(summary: Mapping) -> Table:
    """Recall per gold severity and false alarms per predicted severity."""
    rows = []
    for sev, e in summary["pairs"].get("per_severity", {}).items():
        rec = e.get("recall")
        rows.append(
            {
                "severity": sev,
                "positives": e.get("positives", 0),
                "recall": _pct(rec.get("value")) if rec else "",
                "95% CI": _ci(rec),
                "false alarms": e.get("false_alarms", 0),
            }
        )
    return Table(rows, title="per severity")


def baseline_table(baseline: Any) -> Table:
    """A baseline comparison (``EvalOutcome.baseline`` dict or a ``BaselineResult``)."""
    b = baseline.to_dict() if hasattr(baseline, "to_dict") else dict(baseline)
    rows = [
        {"": "regression", "value": b.get("regression")},
        {"": "baseline recall", "value": _pct(b.get("baseline_recall"))},
        {"": "current recall", "value": _pct(b.get("current_recall"))},
        {"": "drop", "value": _pct(b.get("drop"))},
        {"": "test", "value": b.get("test")},
        {"": "p-value (one-sided)", "value": f"{b.get('p_value', 1.0):.3g}"},
        {
            "": "alpha / minimum effect",
            "value": f"{b.get('alpha')} / {_pct(b.get('min_effect'))}",
        },
        {
            "": "positive pairs worse / better / shared",
            "value": f"{b.get('worse_pairs', 0)} / {b.get('better_pairs', 0)} / "
            f"{b.get('shared_pairs', 0)}",
        },
    ]
    for note in b.get("notes") or []:
        rows.append({"": "note", "value": note})
    return Table(rows, columns=["", "value"], title="baseline check")


def diff_table(changed: Iterable[Mapping], limit: int = 20, per_cell: int = 3) -> Table:
    """Samples whose outcome changed against the baseline (``baseline["changed"]``): at
    most ``limit`` samples and ``per_cell`` pairs per cell."""

    def few(items: Sequence[str]) -> list[str]:
        items = list(items)
        return items[:per_cell] + (
            [f"... +{len(items) - per_cell} more"] if len(items) > per_cell else []
        )

    changed = list(changed)
    rows = []
    for entry in changed[:limit]:
        v = entry.get("verdict")
        rows.append(
            {
                "sample": entry["sample_id"],
                "verdict": f"{v[0]} -> {v[1]}" if v else "",
                "positives lost": few(entry.get("lost", [])),
                "positives found": few(entry.get("found", [])),
                "new false alarms": few(entry.get("new_false_alarms", [])),
                "false alarms cleared": few(entry.get("cleared_false_alarms", [])),
            }
        )
    more = f", first {limit} shown" if len(changed) > limit else ""
    return Table(rows, title=f"{len(changed)} changed sample(s){more}")


def study_table(cells: Iterable[Mapping]) -> Table:
    """Cascade-study cells (``run_study(...)["cells"]``) as a table."""
    rows = []
    for c in cells:
        rows.append(
            {
                "rho": c["rho"],
                "arm": c["arm"],
                "recall": _pct(c["recall"].get("value")),
                "recall 95% CI": _ci(c["recall"]),
                "specificity": _pct(c["specificity"].get("value")),
                "specificity 95% CI": _ci(c["specificity"]),
                "abstention": _pct(c["abstention"].get("value")),
                "calls/pair": round(float(c.get("calls_per_pair") or 0), 2),
            }
        )
    return Table(rows, title="cascade study")


_COLORS = ("#3b7dd8", "#e0a030", "#d04040", "#5a9e6f", "#8a5cc2", "#444444")
_MARKERS = "os^vDP*X"


def plot_study(cells: Sequence[Mapping]) -> Any:
    """Cascade-study cells against the probe correlation ``rho``: recall, specificity
    (95 % CI error bars) and calls per pair, one line per arm."""
    cells = [c for c in cells if c["recall"].get("value") is not None]
    if not cells:
        raise ValueError("no study cell has a recall value to plot")
    return draw_study(_pyplot(), cells, "cascade study (simulated models)")


def draw_study(plt: Any, cells: Sequence[Mapping], title: str) -> Any:
    """The figure of `plot_study`, drawn with the given pyplot module and detached from
    it. Shared with `pipeline.evals._study.plot_study`, which saves it with a headless
    backend; cells without a value are left out of their panel."""
    arms = list(dict.fromkeys(c["arm"] for c in cells))
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), squeeze=False, layout="constrained")
    panels = (
        ("recall", "pair recall (95% CI)"),
        ("specificity", "pair specificity (95% CI)"),
        ("calls_per_pair", "model calls per pair (arm)"),
    )
    for ax, (key, label) in zip(axes[0], panels, strict=True):
        for i, arm in enumerate(arms):
            pts = []
            for c in sorted((c for c in cells if c["arm"] == arm), key=lambda c: c["rho"]):
                value = c.get(key)
                m = value if isinstance(value, Mapping) else {"value": value}
                if m.get("value") is None:
                    continue
                y = float(m["value"])
                ci = m.get("ci95") or [y, y]
                pts.append((float(c["rho"]), y, max(0.0, y - ci[0]), max(0.0, ci[1] - y)))
            if not pts:
                continue
            xs, ys, lo, hi = zip(*pts, strict=True)
            ax.errorbar(
                xs,
                ys,
                yerr=[lo, hi],
                marker=_MARKERS[i % len(_MARKERS)],
                color=_COLORS[i % len(_COLORS)],
                capsize=3,
                label=arm,
            )
        ax.set_xlabel("correlation between probes of a pair (rho)")
        ax.set_ylabel(label)
        if key != "calls_per_pair":
            ax.set_ylim(0, 1.05)
        ax.grid(alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=8)
    fig.suptitle(title)
    return _detached(fig)
