"""Eval reports: ``report.md`` always, ``report.html`` and PNG plots when matplotlib is
installed (the optional ``eval`` extra). Both documents are rendered from one list of
blocks, so they always say the same thing.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.evals._baseline import format_diff
from pipeline.evals._metrics import SEVERITY_LEVELS

__all__ = ["have_matplotlib", "write_report", "fmt_pct", "fmt_rate_ci", "render_markdown"]

Block = tuple[str, Any]  # ("h1"|"h2"|"p"|"table"|"img"|"pre", payload)


def have_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _pyplot():
    """pyplot for saving PNGs; headless (Agg) unless a backend is already in use (Jupyter)."""
    import os
    import sys

    import matplotlib

    if "matplotlib.pyplot" not in sys.modules and "MPLBACKEND" not in os.environ:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(plt, fig, path: Path) -> Path:
    """Lay out, write ``path`` as a PNG and release the figure from pyplot."""
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def fmt_pct(x: float | None, digits: int = 1) -> str:
    return "n/a" if x is None else f"{100 * x:.{digits}f}%"


def fmt_rate_ci(m: Mapping | None) -> str:
    """``"93.1% [88.0–96.1] (n=120)"`` from a metric dict with value/ci95/n."""
    if not m or m.get("value") is None:
        return "n/a"
    ci = m.get("ci95")
    text = fmt_pct(m["value"])
    if ci:
        text += f" [{100 * ci[0]:.1f}–{100 * ci[1]:.1f}]"
    n = m.get("n")
    if n is not None:
        text += f" (n={n:g})"
    return text


def _num(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


# --------------------------------------------------------------------------- plots


def plot_severity(summary: Mapping, path: Path) -> Path:
    plt = _pyplot()
    per = summary["pairs"].get("per_severity", {})
    sevs = [s for s in SEVERITY_LEVELS if s in per and per[s].get("positives")]
    labels = [*sevs, "all"]
    recalls = [per[s]["recall"] for s in sevs] + [summary["pairs"]["recall"]]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    xs = list(range(len(labels)))

    def bars(offset: float, metrics: list, label: str, color: str) -> None:
        vals = [m.get("value") or 0.0 for m in metrics]
        lo = [v - (m.get("ci95") or [v, v])[0] for v, m in zip(vals, metrics, strict=True)]
        hi = [(m.get("ci95") or [v, v])[1] - v for v, m in zip(vals, metrics, strict=True)]
        ax.bar(
            [x + offset for x in xs],
            vals,
            0.38,
            yerr=[lo, hi],
            label=label,
            color=color,
            capsize=3,
        )

    bars(-0.2, recalls, "recall (gold severity)", "#3b7dd8")
    specs = [per[s].get("specificity", {}) for s in sevs] + [summary["pairs"]["specificity"]]
    bars(0.2, specs, "specificity (false alarms at severity)", "#e0a030")
    ax.set_xticks(xs, labels)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("rate (95% Wilson CI)")
    ax.set_title(f"{summary.get('suite')}: recall and specificity per severity")
    ax.legend(loc="lower left", fontsize=8)
    return _save(plt, fig, path)


def plot_calls(rows: Sequence[Mapping], path: Path) -> Path:
    plt = _pyplot()
    calls = [r.get("calls", 0) for r in rows]
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.hist(calls, bins=min(30, max(5, len(set(calls)))), color="#5a9e6f")
    ax.set_xlabel("model calls per query")
    ax.set_ylabel("queries")
    ax.set_title("calls per query")
    return _save(plt, fig, path)


def plot_diff(changed: Sequence[Mapping], path: Path, limit: int = 30) -> Path:
    plt = _pyplot()
    items = list(changed)[:limit]
    names = [c["sample_id"] for c in items]
    lost = [-len(c["lost"]) for c in items]
    found = [len(c["found"]) for c in items]
    fa = [-len(c["new_false_alarms"]) for c in items]
    cleared = [len(c["cleared_false_alarms"]) for c in items]
    fig, ax = plt.subplots(figsize=(7, 0.35 * max(4, len(items)) + 1))
    ys = list(range(len(items)))
    ax.barh(ys, lost, color="#d04040", label="positives lost")
    ax.barh(ys, found, color="#3b7dd8", label="positives found")
    ax.barh(ys, fa, left=lost, color="#e0a030", label="new false alarms")
    ax.barh(ys, cleared, left=found, color="#8fbf8f", label="false alarms cleared")
    ax.set_yticks(ys, names, fontsize=7)
    ax.axvline(0, color="black", linewidth=0.8)
    span = max([1, *(abs(a + b) for a, b in zip(lost, fa, strict=True))])
    span = max([span, *(a + b for a, b in zip(found, cleared, strict=True))])
    ax.set_xlim(-span - 0.5, span + 0.5)
    ax.set_xlabel("pairs changed against the baseline (left: worse, right: better)")
    ax.set_title("sample-level diff against the baseline")
    ax.legend(fontsize=7, loc="best")
    return _save(plt, fig, path)


# --------------------------------------------------------------------------- blocks


def _blocks(
    summary: Mapping,
    rows: Sequence[Mapping],
    baseline: Mapping | None,
    images: Mapping[str, str],
    plots_note: str | None,
) -> list[Block]:
    pm, qm, um = summary["pairs"], summary["queries"], summary["usage"]
    cfg = summary.get("config", {})
    models = ", ".join(f"{r}={m.get('name')}" for r, m in (cfg.get("models") or {}).items())
    b: list[Block] = [("h1", f"Eval report: {summary.get('suite')}")]
    b.append(
        (
            "p",
            f"Dataset version {summary.get('dataset_version')}; {summary.get('samples_n')} "
            f"samples x {summary.get('repeats')} repeat(s) = {summary.get('rows')} runs, "
            f"{summary.get('errors')} error(s). Config {summary.get('config_hash')}: {models}; "
            f"policy {(cfg.get('options') or {}).get('policy')}.",
        )
    )
    if plots_note:
        b.append(("p", plots_note))
    b.append(("h2", "Headline"))
    b.append(
        (
            "table",
            (
                ["metric", "value [95% CI]"],
                [
                    ["pair recall (sensitivity)", fmt_rate_ci(pm["recall"])],
                    [
                        "pair recall counting review as a warning",
                        fmt_rate_ci(pm["recall_incl_review"]),
                    ],
                    ["pair specificity", fmt_rate_ci(pm["specificity"])],
                    ["pair precision", fmt_rate_ci(pm["precision"])],
                    ["F2 / F1", f"{_num(pm['f2'], 3)} / {_num(pm['f1'], 3)}"],
                    ["pair abstention (unresolved or missing)", fmt_rate_ci(pm["abstention"])],
                    ["severity agreement on detected pairs", fmt_rate_ci(pm["severity_agreement"])],
                    ["query accuracy", fmt_rate_ci(qm["accuracy"])],
                    ["query recall", fmt_rate_ci(qm["recall"])],
                    ["query abstention (needs_review / error)", fmt_rate_ci(qm["abstention"])],
                ],
            ),
        )
    )
    b.append(
        (
            "p",
            "Counting: an unresolved or missing positive pair is not a detection; an "
            "abstention is never a correct negative. With repeats, counts pool all repeats, "
            "so intervals are optimistic for correlated repeats (see recall across repeats).",
        )
    )
    rr = summary.get("recall_across_repeats") or {}
    if len(rr.get("per_repeat", [])) > 1:
        b.append(
            (
                "p",
                f"Recall across repeats: mean {fmt_pct(rr.get('mean'))}, standard deviation "
                f"{fmt_pct(rr.get('stdev'))} over {len(rr['per_repeat'])} repeats.",
            )
        )
    b.append(("h2", "Per severity"))
    rows_sev = []
    for sev in SEVERITY_LEVELS:
        e = pm.get("per_severity", {}).get(sev)
        if not e:
            continue
        rows_sev.append(
            [
                sev,
                str(e.get("positives", 0)),
                fmt_rate_ci(e.get("recall")),
                str(e.get("false_alarms", 0)),
                fmt_rate_ci(e.get("specificity")),
            ]
        )
    b.append(
        (
            "table",
            (
                ["severity", "positives", "recall", "false alarms at it", "specificity"],
                rows_sev,
            ),
        )
    )
    if "severity" in images:
        b.append(("img", (images["severity"], "recall and specificity per severity")))
    b.append(("h2", "Cost and latency"))
    lat = summary.get("latency_s", {})
    cost_rows = [
        [
            "calls per query (mean / p50 / p90 / max)",
            " / ".join(
                _num(um["calls_per_query"].get(k), 1) for k in ("mean", "p50", "p90", "max")
            ),
        ],
        ["prober calls per pair", _num(um.get("prober_calls_per_pair"), 2)],
        [
            "calls per query by role",
            ", ".join(f"{k} {v:.1f}" for k, v in um.get("calls_per_query_by_role", {}).items()),
        ],
        ["failed calls", str(um.get("failed_calls", 0))],
        [
            "tokens per query (in / out)",
            f"{_num(um.get('input_tokens_per_query'), 0)} / "
            f"{_num(um.get('output_tokens_per_query'), 0)}",
        ],
        [
            "latency s (p50 / p90 / p99 / max)",
            " / ".join(_num(lat.get(k), 3) for k in ("p50", "p90", "p99", "max")),
        ],
    ]
    if "cost_per_query" in um:
        cost_rows.append(["cost per query", _num(um.get("cost_per_query"), 6)])
        if um.get("unpriced_models"):
            cost_rows.append(["unpriced models", ", ".join(um["unpriced_models"])])
    b.append(("table", (["measure", "value"], cost_rows)))
    if "calls" in images:
        b.append(("img", (images["calls"], "calls per query")))
    for title, key in (("By perturbation", "by_perturbation"), ("By tag", "by_tag")):
        groups = summary.get(key) or {}
        if len(groups) <= 1:
            continue
        b.append(("h2", title))
        b.append(
            (
                "table",
                (
                    ["group", "queries", "recall", "specificity", "abstention", "query accuracy"],
                    [
                        [
                            g,
                            str(v["queries"]),
                            fmt_rate_ci(v["recall"]),
                            fmt_rate_ci(v["specificity"]),
                            fmt_rate_ci(v["abstention"]),
                            fmt_rate_ci(v["query_accuracy"]),
                        ]
                        for g, v in groups.items()
                    ],
                ),
            )
        )
    if baseline is not None:
        b.append(("h2", "Against the baseline"))
        b.append(("p", baseline.get("headline", "")))
        for note in baseline.get("notes", []):
            b.append(("p", f"Note: {note}"))
        b.append(("pre", format_diff(baseline.get("changed", []), limit=200)))
        if "diff" in images:
            b.append(("img", (images["diff"], "sample-level diff against the baseline")))
    missed = []
    for r in rows:
        for p in r["pairs"]:
            if p["outcome"] in ("fn", "abstain_pos", "fp"):
                missed.append(
                    [
                        r["sample_id"],
                        str(r["repeat"]),
                        p["pair"],
                        p["severity"] or "",
                        p["outcome"],
                        p["predicted"],
                    ]
                )
    if missed:
        b.append(("h2", f"Errors on pairs ({len(missed)}, first 100)"))
        b.append(
            (
                "table",
                (
                    ["sample", "repeat", "pair", "gold severity", "outcome", "predicted"],
                    missed[:100],
                ),
            )
        )
    errors = [r for r in rows if r.get("error")]
    if errors:
        b.append(("h2", f"Failed queries ({len(errors)})"))
        b.append(
            ("pre", "\n".join(f"{r['sample_id']}#{r['repeat']}: {r['error']}" for r in errors[:50]))
        )
    return b


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    for kind, payload in blocks:
        if kind == "h1":
            out.append(f"# {payload}\n")
        elif kind == "h2":
            out.append(f"## {payload}\n")
        elif kind == "p":
            out.append(f"{payload}\n")
        elif kind == "pre":
            out.append(f"```\n{payload}\n```\n")
        elif kind == "img":
            src, alt = payload
            out.append(f"![{alt}]({src})\n")
        elif kind == "table":
            header, rows = payload
            lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |"]
            lines.append("|" + "|".join("---" for _ in header) + "|")
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
            out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def render_html(blocks: Sequence[Block], title: str) -> str:
    e = html.escape
    body: list[str] = []
    for kind, payload in blocks:
        if kind in ("h1", "h2"):
            body.append(f"<{kind}>{e(payload)}</{kind}>")
        elif kind == "p":
            body.append(f"<p>{e(payload)}</p>")
        elif kind == "pre":
            body.append(f"<pre>{e(payload)}</pre>")
        elif kind == "img":
            src, alt = payload
            body.append(f'<p><img src="{e(src)}" alt="{e(alt)}"></p>')
        elif kind == "table":
            header, rows = payload
            head = "".join(f"<th>{e(str(h))}</th>" for h in header)
            rows_html = "".join(
                "<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows_html}</tbody></table>")
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:.25em .6em;text-align:left;font-size:.9em}th{background:#f3f3f3}"
        "pre{background:#f7f7f7;padding:.8em;overflow-x:auto}img{max-width:100%}"
    )
    return (
        f"<!doctype html>\n<html><head><meta charset='utf-8'><title>{e(title)}</title>"
        f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def write_report(
    out_dir: Path,
    summary: Mapping,
    rows: Sequence[Mapping],
    baseline: Mapping | None = None,
    *,
    plots: bool = True,
) -> dict[str, Any]:
    """Write report.md (always) and, with matplotlib, report.html and plots/*.png.

    ``baseline`` is a `BaselineResult.to_dict()` with an added ``headline``. Returns
    ``{"files": [...], "plots": bool, "note": str | None}``.
    """
    out_dir = Path(out_dir)
    files: list[Path] = []
    images: dict[str, str] = {}
    note = None
    use_plots = plots and have_matplotlib()
    if plots and not use_plots:
        note = (
            "matplotlib is not installed: report.md only, without plots or report.html "
            "(install the `eval` extra: pip install 'ddi-pipeline[eval]')."
        )
    if use_plots:
        pdir = out_dir / "plots"
        pdir.mkdir(parents=True, exist_ok=True)
        files.append(plot_severity(summary, pdir / "severity.png"))
        images["severity"] = "plots/severity.png"
        files.append(plot_calls(rows, pdir / "calls.png"))
        images["calls"] = "plots/calls.png"
        if baseline is not None and baseline.get("changed"):
            files.append(plot_diff(baseline["changed"], pdir / "baseline_diff.png"))
            images["diff"] = "plots/baseline_diff.png"
    blocks = _blocks(summary, rows, baseline, images, note)
    md = out_dir / "report.md"
    md.write_text(render_markdown(blocks), encoding="utf-8")
    files.append(md)
    if use_plots:
        page = out_dir / "report.html"
        page.write_text(render_html(blocks, f"Eval report: {summary.get('suite')}"), "utf-8")
        files.append(page)
    return {"files": [str(f) for f in files], "plots": use_plots, "note": note}
