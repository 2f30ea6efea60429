"""Development tools (not shipped in the wheel): the knowledge-base build, the gold-set
generator and the data card (``python -m tools.kb.build`` etc.)."""
