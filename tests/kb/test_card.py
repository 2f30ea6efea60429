"""The data card's counts block matches the committed build reports."""

from tools.kb.card import CARD, render


def test_card_counts_block_is_current():
    card = CARD.read_text(encoding="utf-8")
    assert render(card) == card, "run `python -m tools.kb.card`"
