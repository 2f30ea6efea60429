"""answer_completeness: the answer covers the question, not just the run.

The question is read again with the dictionary (a list item by item), independently of
what the run kept: every drug it names, and every checked drug, must be named in the
answer, and every pair of them must have a line naming both drugs with a verdict. Catches
a drug dropped on the way (mention lost, merge, truncation without a note) and a pair
left out of the answer; what the answer says about each pair is checked by grounding and
safety_wording.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.evaluators._base import EvalInput, failure
from pipeline.evaluators._knowledge import (
    all_pairs,
    drug_names,
    lines_naming,
    names_in,
    question_drugs,
)
from pipeline.schemas import Evaluation
from pipeline.state import checked_pairs

if TYPE_CHECKING:
    from pipeline.context import Context

NAME = "answer_completeness"
#: a line that gives a verdict (not merely names both drugs, as "Read 'Percocet' as ...")
VERDICT_RE = re.compile(
    r"interact|could not be determined|undetermined|unresolved|needs? review", re.IGNORECASE
)


async def evaluate(inp: EvalInput, ctx: Context) -> Evaluation:
    named = question_drugs(inp.query, inp.text)
    mentions = {d.key: d.mentions for d in inp.drugs}
    keys = set(named) | set(mentions)
    if any("max_drugs" in n for n in inp.notes):
        keys = set(mentions)  # the rest is named in the review note instead
    names = {
        k: drug_names(k, mentions.get(k, ()) + ((named[k],) if k in named else ())) for k in keys
    }
    draft = inp.draft
    missing: list[str] = []
    pairs = []
    for k in sorted(keys):
        if not names_in(draft, names[k]):
            missing.append(f"{named.get(k, k)!r} ({k}) is not named in the answer")
    checked_keys = {d.key for d in inp.drugs}
    intended = set(all_pairs(checked_keys)) - set(checked_pairs(inp.drugs))  # one product
    for a, b in all_pairs(keys):
        if (a, b) in intended:
            continue
        if not any(VERDICT_RE.search(x) for x in lines_naming(draft, names[a], names[b])):
            missing.append(f"{a}+{b} has no line in the answer")
            pairs.append((a, b))
    if missing:
        return failure(NAME, missing, pairs, shown=8, prefix="not addressed in the answer: ")
    n = len(keys)
    return Evaluation(
        name=NAME,
        passed=True,
        reason=f"{n} drug(s) of the question and their {n * (n - 1) // 2} pair(s) addressed",
    )
