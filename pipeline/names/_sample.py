"""Deterministic synthetic clinical text, for benchmarks and tests of extraction speed."""

from __future__ import annotations

import random

__all__ = ["make_note"]

_DRUGS = (
    "warfarin", "Coumadin", "metformin", "Lipitor", "atorvastatin", "lisinopril", "Advil",
    "ibuprofin", "Tylenol", "paracetamol", "clarithromicin", "simvastatine", "Zoloft",
    "sertraline hydrochloride", "St John's Wort", "grapefruit juice", "amlodipine",
    "omeprazole", "levothyroxine", "acetylsalicylic acid", "metoprolol tartrate", "Prozac",
)  # fmt: skip
_DOSES = ("5 mg PO daily", "500 mg bid", "20mg qd", "10 mg qhs", "1 g prn", "81 mg daily", "")
_FILLER = (
    "Patient is a 67 year old male with a history of hypertension, type 2 diabetes and "
    "atrial fibrillation who presents to the clinic for follow up. He reports mild fatigue "
    "and occasional dizziness in the morning but denies chest pain, shortness of breath or "
    "palpitations. Blood pressure at home has been stable. He walks daily and follows a low "
    "salt diet. Review of systems is otherwise negative. On exam he is alert and in no "
    "acute distress, heart rate regular, lungs clear, abdomen soft and non tender, no "
    "edema. Labs from last week show normal kidney function and an INR in range. Plan is "
    "to continue the current regimen, recheck labs in three months and call the office "
    "if any bleeding, bruising, dark stools or new symptoms occur."
).split()


def make_note(n_words: int = 2000, seed: int = 0) -> str:
    """A clinical-note-like text of about ``n_words`` words: prose plus medication lines."""
    rng = random.Random(seed)
    out: list[str] = []
    count = 0
    while count < n_words:
        k = rng.randint(20, 60)
        start = rng.randrange(len(_FILLER))
        chunk = [_FILLER[(start + i) % len(_FILLER)] for i in range(k)]
        out.append(" ".join(chunk) + ".")
        count += k
        meds = [f"- {rng.choice(_DRUGS)} {rng.choice(_DOSES)}".rstrip() for _ in range(3)]
        out.append("Medications:\n" + "\n".join(meds))
        count += sum(len(m.split()) for m in meds) + 1
    return "\n".join(out)
