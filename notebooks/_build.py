"""Generate the tutorial notebooks (outputs stripped) from the cell sources below.

    python notebooks/_build.py            # (re)write notebooks/*.ipynb
    python notebooks/_build.py --check    # exit 1 if a committed notebook differs

Edit the notebooks here, not in Jupyter, so that the committed files stay output-free and
reproducible (deterministic cell ids). tests/notebooks/ executes every notebook and runs
``--check``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

MD, CODE = "markdown", "code"

# Cells are written ruff-clean and ruff-formatted (ruff also lints notebooks).
# `%matplotlib inline` registers Jupyter's figure display up front in notebooks that plot
# (the eval harness may switch matplotlib to Agg later, which would leave it unregistered).

# --------------------------------------------------------------------------- 01

QUICKSTART = [
    (
        MD,
        """\
# 01 · Quickstart

`ddi-pipeline` answers drug–drug interaction questions with a LangGraph cascade of many
small model calls, biased towards **recall** (missing a real interaction is worse than a
false alarm), and signed off by a panel of evaluators.

Everything here runs offline on the bundled **reference model** (`reference-kb`), a
deterministic model that answers from the ANSM-derived knowledge base shipped with the
package. Notebook 04 shows how to plug in OpenAI, Anthropic or Ollama models.""",
    ),
    (MD, "## Install check"),
    (
        CODE,
        """\
import importlib.metadata as md
import importlib.util
import platform

import pipeline
from pipeline import aask, viz
from pipeline.kb import load_kb

versions = [{"package": "python", "version": platform.python_version()}]
for dist in ("ddi-pipeline", "langgraph", "langchain-core", "pydantic", "rapidfuzz"):
    versions.append({"package": dist, "version": md.version(dist)})
kb = load_kb()
versions.append({"package": "knowledge base", "version": f"{kb.version} ({len(kb.drugs)} drugs)"})
providers = [
    m
    for m in ("langchain_openai", "langchain_anthropic", "langchain_ollama")
    if importlib.util.find_spec(m)
]
versions.append({"package": "providers extra", "version": ", ".join(providers) or "not installed"})
assert pipeline.__version__ == md.version("ddi-pipeline")
viz.Table(versions, title="versions")""",
    ),
    (
        MD,
        """\
## Ask a question

Brand names (Coumadin, Advil) and a misspelling / French spelling (simvastatine) are fine.

In a script use `from pipeline import ask; report = ask(question)`. Jupyter already runs
an event loop, where the synchronous `ask()` refuses to run: use `await aask(...)`.""",
    ),
    (
        CODE,
        """\
question = "Can I take Coumadin with Advil and simvastatine?"
report = await aask(question)
print(report.verdict)
print()
print(report.answer)""",
    ),
    (
        MD,
        """\
## The report as tables

`report` is a pydantic `Report` (`pipeline/schemas.py`); `report.model_dump_json()` is the
same JSON as `ddi ask --json`. `pipeline.viz` turns it into plain tables: how every
mention resolved, then one row per pair of drugs.""",
    ),
    (CODE, "viz.summary_table(report)"),
    (CODE, "viz.drugs_table(report)"),
    (CODE, "viz.report_table(report)"),
    (
        MD,
        """\
`no_evidence` means *no interaction found in the sources checked*, never "safe". Every
query is also checked by 12 evaluators; a failed check would be listed in
`report.review_reasons`.""",
    ),
    (
        CODE,
        """\
signed_off = sum(e.passed for e in report.evaluations)
print(f"{signed_off} of {len(report.evaluations)} evaluators signed off")
print("review reasons:", report.review_reasons or "none")
print("model calls per role:", {r: u.calls for r, u in report.usage.by_role.items()})""",
    ),
    (
        MD,
        """\
## The graph

The cascade drawn as Mermaid source (no network needed; JupyterLab ≥ 4.1 and GitHub render
it as a diagram). `ddi graph` prints the same from the command line.""",
    ),
    (
        CODE,
        """\
from IPython.display import Markdown, display

from pipeline.graph import build_graph

mermaid = build_graph().get_graph().draw_mermaid()
display(Markdown(f"```mermaid\\n{mermaid}\\n```"))""",
    ),
    (
        MD,
        """\
Next: **02** traces one question through every node, **03** runs the regression evals,
**04** plugs in your own models.""",
    ),
]

# --------------------------------------------------------------------------- 02

ANATOMY = [
    (
        MD,
        """\
# 02 · Anatomy of a cascade

One multi-drug question traced end to end with `trace=True`:

**parse → resolve → expand → plan → probe fan-out → aggregate → 12 evaluators → gate →
compose**

The reference model knows every name of every drug, so all its answers agree; we then
rerun the same question with a deliberately weak *simulated* prober to see what the
cascade is for.""",
    ),
    (
        CODE,
        """\
%matplotlib inline
from IPython.display import Markdown, display

from pipeline import aask, viz""",
    ),
    (
        CODE,
        """\
question = "I take Coumadin and Zolloft; is it OK to add Advil or St John's wort?"
report = await aask(question, trace=True)
print(report.verdict, "-", len(report.trace), "probes")""",
    ),
    (
        MD,
        """\
## 1 · Parse and resolve

Mentions are found in the text and resolved to knowledge-base drugs: exact names, brands,
international spellings, and fuzzy matches for misspellings (with a score below 100).""",
    ),
    (CODE, "viz.drugs_table(report)"),
    (
        CODE,
        """\
from pipeline.names import lookup

hit = lookup("Zolloft")
print(hit.drug.key, hit.drug.match_kind, hit.drug.score, "matched", repr(hit.drug.matched_name))""",
    ),
    (
        MD,
        """\
## 2 · Expand: name variants

A small model may know a drug by one name and not another, so each drug is probed under
several names: the generic name, the user's wording, international spellings and brands.
`probed` marks the names the cascade actually used, `probes` / `yes` count them in the
trace. (A misspelt mention is probed under the name it resolved to.)""",
    ),
    (CODE, "viz.synonym_table(report, limit=5)"),
    (
        MD,
        """\
## 3 · Plan and probe: the permutation matrix

Each pair is asked under combinations of name variants × prompt templates × both orders.
Rows are names of the pair's first drug, columns names of the second; each cell lists
`template:answer` (Y yes, N no, ? unknown, ! failed call). Probing is adaptive: a pair
whose verdict can no longer change gets no further waves, so interacting pairs stop early
while `no_evidence` pairs use more of their budget.""",
    ),
    (
        CODE,
        """\
from pipeline.api import aplan_probes

plan = await aplan_probes(question)  # dry run: no model call
print(
    f"{plan['pairs']} pairs, up to {plan['planned_probes']} probes planned, "
    f"first wave {plan['first_wave']}, actually sent {len(report.trace)}"
)""",
    ),
    (
        CODE,
        """\
matrices = viz.permutation_matrices(report)
shown = {}  # one pair per verdict: an interacting pair, a pair without evidence
for p in report.pairs:
    shown.setdefault(p.verdict, (p.drug_a, p.drug_b))
for pair in shown.values():
    display(matrices[pair])""",
    ),
    (
        MD,
        """\
## 4 · Aggregate

Votes per pair under the `recall` policy: one credible *yes* is enough for `interacts`.""",
    ),
    (CODE, "viz.report_table(report)"),
    (CODE, "viz.plot_vote_heatmap(report)"),
    (
        MD,
        """\
## 5 · Evaluators

Twelve checks run in parallel on the draft, each able to catch a real error class: rules
against independent knowledge (grounding and severity against the evidence sources,
class effects, the answer against the question) and model-judged ones (mention coverage,
name resolution, false-negative hunter, interaction re-check, mechanism plausibility,
safety wording, injection resistance). `benchmarks/evaluator_efficacy.py` measures which
catches what (BENCHMARKS.md).""",
    ),
    (CODE, "viz.evaluator_table(report)"),
    (MD, "## 6 · Gate"),
    (CODE, "Markdown(viz.review_explanation(report))"),
    (
        MD,
        """\
## The same question with a weak prober

`sim:weak` misses half of the interactions, often does not recognise brand names and
sometimes raises false alarms (seeded, so reproducible). The heatmap shows which name
combinations it gets wrong, and why probing under several names pays off.""",
    ),
    (
        CODE,
        """\
weak = await aask(question, trace=True, models={"prober": "sim:weak?seed=1"})
viz.report_table(weak)""",
    ),
    (CODE, "viz.plot_vote_heatmap(weak)"),
    (CODE, "viz.variant_votes(weak)"),
    (
        MD,
        """\
Evaluators that did not sign off flag pairs; the gate re-probes those once (round 1, with
the evaluator model), then lists whatever still fails as a review reason.""",
    ),
    (
        CODE,
        """\
viz.Table(
    [r for r in viz.evaluator_table(weak) if not r["signed off"]],
    title="evaluators that did not sign off",
)""",
    ),
    (CODE, "Markdown(viz.review_explanation(weak))"),
    (CODE, "viz.trace_table(weak, round=1)"),
]

# --------------------------------------------------------------------------- 03

EVALS = [
    (
        MD,
        """\
# 03 · Regression evals

The eval harness (`pipeline.evals`, CLI `ddi eval`) runs a gold suite through the cascade,
scores every pair recall-first (an abstention is never a detection), reports every rate
with a 95 % Wilson interval, and compares a run against a baseline with a paired sign test.

Runs go to a temporary directory here; use a folder under `runs/` to keep them
(`results.jsonl` is a resumable journal).""",
    ),
    (
        CODE,
        """\
%matplotlib inline
import asyncio
import tempfile
from pathlib import Path

from IPython.display import display

from pipeline import viz
from pipeline.evals import SUITES, arun_suite, load_samples

RUNS = Path(tempfile.mkdtemp(prefix="ddi-notebook-evals-"))
viz.Table(
    [{"suite": s.name, "in CI": s.ci, "what": s.description} for s in SUITES.values()],
    title="suites",
)""",
    ),
    (
        CODE,
        """\
samples = load_samples("smoke")
viz.Table(
    [
        {"id": s.id, "query": s.query, "expected": s.expected_verdict, "tags": list(s.tags)}
        for s in samples[:8]
    ],
    title=f"smoke: first 8 of {len(samples)} samples",
)""",
    ),
    (
        MD,
        """\
## Baseline: the reference model

`ddi eval --suite smoke` does the same from the command line. In a notebook use
`await arun_suite(...)` (`run_suite` is its synchronous twin for scripts).""",
    ),
    (
        CODE,
        """\
baseline = await arun_suite(
    "smoke", out=RUNS / "baseline", cache=None, report=False, progress=False
)
viz.metrics_table(baseline.summary)""",
    ),
    (CODE, "viz.severity_table(baseline.summary)"),
    (
        MD,
        """\
## Compare against the baseline

There is no committed baseline: we use the run above (a stored `summary.json` works the
same way: `baseline="runs/.../summary.json"`). First candidate: the full cascade with a
noisy simulated prober (30 % misses, 5 % false alarms per probe, half the brand names
unknown).""",
    ),
    (
        CODE,
        """\
noisy = await arun_suite(
    "smoke",
    out=RUNS / "noisy",
    models={"prober": "sim:noisy?seed=1"},
    baseline=baseline.summary,
    cache=None,
    report=False,
    progress=False,
)
print(noisy.baseline["headline"])
viz.baseline_table(noisy.baseline)""",
    ),
    (
        MD,
        """\
Which samples changed? Under the recall policy, a noisy prober tends to cost false alarms
(often on long medication lists) rather than missed interactions:""",
    ),
    (CODE, 'viz.diff_table(noisy.baseline["changed"])'),
    (
        MD,
        """\
Second candidate: the same noisy model asked **once** per pair under canonical names (the
`single` arm of the cascade study). The paired sign test should flag the recall drop.""",
    ),
    (
        CODE,
        """\
from pipeline.evals._study import SINGLE

single = await arun_suite(
    "smoke",
    out=RUNS / "single",
    models={"prober": "sim:noisy?seed=1"},
    options=SINGLE,
    ignore_gate=True,
    baseline=baseline.summary,
    cache=None,
    report=False,
    progress=False,
)
print(single.baseline["headline"])
display(viz.baseline_table(single.baseline))
viz.diff_table(single.baseline["changed"])""",
    ),
    (
        MD,
        """\
## Cascade study: does orchestration help?

`run_study` runs the arms (single prompt, synonyms only, templates only, full cascade,
cascade plus evaluators) with simulated models that have knowledge of their own, at
several correlations `rho` between the probes of one pair (0: independent errors; 1: a
pair the model does not know is missed under every name and template). A small version
on 16 samples here (`python benchmarks/study_cascade.py` runs the published one).
`run_study` is synchronous, so it runs in a worker thread.""",
    ),
    (
        CODE,
        """\
from pipeline.evals._study import run_study

study = await asyncio.to_thread(
    run_study,
    out=RUNS / "study",
    suite="pairs",
    limit=16,
    repeat=1,
    rhos=(0.0, 1.0),
    arms=["single", "cascade", "cascade+evaluators"],
    workers=1,
    progress=False,
)
viz.study_table(study["cells"])""",
    ),
    (CODE, 'viz.plot_study(study["cells"])'),
    (
        MD,
        """\
The statements are generated from the numbers (paired sign tests between arms on the same
pairs); on 16 samples they are mostly noise:""",
    ),
    (CODE, 'print("\\n".join(study["conclusions"]))'),
    (
        CODE,
        """\
# every run above: results.jsonl (journal), summary.json, config.json
print(RUNS)
print(sorted(p.name for p in RUNS.iterdir()))""",
    ),
]

# --------------------------------------------------------------------------- 04

BYOM = [
    (
        MD,
        """\
# 04 · Bring your own model

The cascade has three model roles, each set independently with
`models={"extractor": ..., "prober": ..., "evaluator": ...}` (missing roles use the
reference model):

| role | does | calls per query |
|---|---|---|
| `extractor` | finds drug mentions in free text | ~1 per chunk of text |
| `prober` | answers one pair under one name pair and one template | most of them |
| `evaluator` | judges mechanisms, wording, injections; revision probes | a handful |

So: a **small, cheap model for probes**, a **stronger model for evaluators**. A model is a
spec string (`"openai:gpt-4o-mini"`, `"anthropic:<model>"`, `"ollama:llama3.1"`,
`"sim:noisy?miss=0.3"`) or any LangChain `BaseChatModel` instance.

This notebook runs offline with simulated models; the cells that would call a real
provider only run when you opt in (see below).""",
    ),
    (
        CODE,
        """\
from IPython.display import display

from pipeline import aask, viz""",
    ),
    (
        MD,
        """\
## What a prober sees

Fixed instructions, and the data as JSON inside a `<data>` block (user text never appears
anywhere else). The answer must be JSON matching `ProbeVerdict`; it is validated, and
malformed answers are retried.""",
    ),
    (
        CODE,
        """\
import json

from pipeline.prompts import PROBE_TEMPLATES, render
from pipeline.schemas import ProbeVerdict

for message in render(PROBE_TEMPLATES["probe.direct"], {"drug_a": "Coumadin", "drug_b": "Advil"}):
    print(f"--- {message.type}\\n{message.content}\\n")
print(json.dumps(ProbeVerdict.model_json_schema()["properties"], indent=1)[:600])""",
    ),
    (
        MD,
        """\
## Offline: a small noisy prober and a stronger evaluator

`SimulatedModel` is a real `BaseChatModel` whose ground truth is the knowledge base, with
tunable noise; it stands in for a real provider here.""",
    ),
    (
        CODE,
        """\
from pipeline.models._doubles import SimulatedModel

small = SimulatedModel(
    name="small-prober", miss_rate=0.3, false_alarm_rate=0.05, brand_blind_rate=0.5, seed=1
)
strong = SimulatedModel(name="strong-judge", miss_rate=0.02, seed=1)
models = {"extractor": strong, "prober": small, "evaluator": strong}

question = "Can I take Coumadin with Advil and simvastatine?"
report = await aask(question, models=models)
display(viz.summary_table(report))
viz.report_table(report)""",
    ),
    (
        MD,
        """\
Spec strings do the same: `"sim:noisy?miss=0.3&brand_blind=0.5&seed=1"`. Cost knobs:
`budget` (probes per pair / per query), `concurrency` (calls in flight), `cache`
(`pipeline.cache.ResponseCache("runs/cache.sqlite")` reuses validated answers),
`templates`, `synonyms_per_drug`.""",
    ),
    (
        CODE,
        """\
from pipeline.evals._study import SINGLE  # one direct prompt per pair, canonical names

rows = []
for label, options in [
    ("defaults", {}),
    ("budget: at most 4 probes per pair", {"budget": {"calls_per_pair": 4}}),
    ("single prompt per pair", SINGLE),
]:
    r = await aask(
        question, models={"prober": "sim:noisy?miss=0.3&brand_blind=0.5&seed=1"}, **options
    )
    calls = {role: u.calls for role, u in r.usage.by_role.items()}
    rows.append(
        {
            "options": label,
            "verdict": r.verdict,
            "pairs flagged": sum(p.verdict == "interacts" for p in r.pairs),
            "prober calls": calls.get("prober", 0),
            "evaluator calls": calls.get("evaluator", 0),
        }
    )
viz.Table(rows, title="calls versus options (noisy prober)")""",
    ),
    (
        MD,
        """\
## Real providers

Needs the provider integrations: `pip install "ddi-pipeline[providers]"`
(langchain-openai, langchain-anthropic, langchain-ollama), plus:

* OpenAI: `OPENAI_API_KEY`
* Anthropic: `ANTHROPIC_API_KEY`
* Ollama: a running server (`ollama serve`, `OLLAMA_HOST` if not on localhost) and the
  models pulled (`ollama pull llama3.2:3b`)

Live calls cost money and time, so the cells below also need an explicit opt-in:
`DDI_LIVE_MODELS=1` in the environment that started Jupyter. Model names are examples:
use any model your account or server has.""",
    ),
    (
        CODE,
        """\
import importlib.util
import os

PROVIDERS = {
    "openai": {
        "package": "langchain_openai",
        "env": "OPENAI_API_KEY",
        "models": {
            "extractor": "openai:gpt-4o-mini",
            "prober": "openai:gpt-4o-mini",
            "evaluator": "openai:gpt-4o",
        },
    },
    "anthropic": {
        "package": "langchain_anthropic",
        "env": "ANTHROPIC_API_KEY",
        "models": {
            "extractor": "anthropic:claude-3-5-haiku-latest",
            "prober": "anthropic:claude-3-5-haiku-latest",
            "evaluator": "anthropic:claude-sonnet-4-5",
        },
    },
    "ollama": {
        "package": "langchain_ollama",
        "env": None,
        "models": {
            "extractor": "ollama:llama3.2:3b",
            "prober": "ollama:llama3.2:3b",
            "evaluator": "ollama:llama3.1:8b",
        },
    },
}
LIVE = os.environ.get("DDI_LIVE_MODELS") == "1"


def missing(provider: str) -> list[str]:
    \"\"\"What is missing before `provider` can be called (empty: ready).\"\"\"
    p = PROVIDERS[provider]
    out = []
    if importlib.util.find_spec(p["package"]) is None:
        out.append('pip install "ddi-pipeline[providers]"')
    if p["env"] and not os.environ.get(p["env"]):
        out.append(f"set {p['env']}")
    if not LIVE:
        out.append("set DDI_LIVE_MODELS=1")
    return out


viz.Table(
    [
        {
            "provider": name,
            "prober": p["models"]["prober"],
            "evaluator": p["models"]["evaluator"],
            "ready": not missing(name),
            "missing": missing(name),
        }
        for name, p in PROVIDERS.items()
    ],
    title="providers",
)""",
    ),
    (
        MD,
        """\
A spec for a provider that is not installed fails early, with the fix in the message
(`ask()` reports it as an `OptionError` naming the role):""",
    ),
    (
        CODE,
        """\
from pipeline.llm import resolve_model

try:
    model = resolve_model("openai:gpt-4o-mini")
    print("resolved:", type(model).__name__)
except Exception as exc:  # ProviderNotInstalledError, or a missing API key
    print(f"{type(exc).__name__}: {exc}")""",
    ),
    (
        CODE,
        """\
async def ask_live(provider: str):
    if missing(provider):
        print(f"{provider}: skipped, needs " + "; ".join(missing(provider)))
        return None
    live = await aask(
        question,
        models=PROVIDERS[provider]["models"],
        trace=True,
        concurrency=4,
        budget={"calls_per_pair": 6, "calls_per_query": 60},
    )
    display(viz.summary_table(live))
    display(viz.report_table(live))
    return live


live_openai = await ask_live("openai")""",
    ),
    (CODE, 'live_anthropic = await ask_live("anthropic")'),
    (CODE, 'live_ollama = await ask_live("ollama")'),
    (
        MD,
        """\
## Instances, and other OpenAI-compatible servers

Any LangChain chat model instance works, e.g. to set a timeout, a base URL (vLLM, LM
Studio, llama.cpp server...) or sampling parameters:

```python
from langchain_openai import ChatOpenAI
from langchain_anthropic import ChatAnthropic

models = {
    "prober": ChatOpenAI(model="my-small-model", base_url="http://localhost:8000/v1",
                         api_key="unused", temperature=0),
    "evaluator": ChatAnthropic(model="claude-sonnet-4-5", temperature=0),
}
report = await aask(question, models=models)
```

Then measure it: `ddi eval --suite smoke --model prober=openai:gpt-4o-mini
--model evaluator=openai:gpt-4o --baseline runs/<reference run>/summary.json`
(notebook 03).""",
    ),
]

NOTEBOOKS = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_anatomy_of_a_cascade.ipynb": ANATOMY,
    "03_regression_evals.ipynb": EVALS,
    "04_bring_your_own_model.ipynb": BYOM,
}


def build(name: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    stem = name.split("_", 1)[0]
    for i, (kind, source) in enumerate(cells):
        cell_id = f"nb{stem}-{i:02d}"
        if kind == MD:
            nb.cells.append(nbformat.v4.new_markdown_cell(source, id=cell_id))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(source, id=cell_id))
    nbformat.validate(nb)
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a notebook differs")
    args = parser.parse_args(argv)
    stale = []
    for name, cells in NOTEBOOKS.items():
        path = HERE / name
        text = render(build(name, cells))
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(HERE.parent)}")
    if stale:
        print(f"out of date (run python notebooks/_build.py): {', '.join(stale)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
