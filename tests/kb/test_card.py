"""The data card's counts block matches the committed build reports."""

from tools.kb.card import CARD, render


def test_card_counts_block_is_current():
    card = CARD.read_text(encoding="utf-8")
    assert render(card) == card, "run `python -m tools.kb.card`"


def test_card_pharmacology_block_is_current():
    from tools.pharm.card import CARD as PHARM_CARD
    from tools.pharm.card import render as render_pharm

    card = PHARM_CARD.read_text(encoding="utf-8")
    assert render_pharm(card) == card, "run `python -m tools.pharm.card`"
