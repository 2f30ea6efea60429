"""Rebuild checks: need the source packages (marked databuild, skipped without them)."""

from __future__ import annotations

import pytest


@pytest.mark.databuild
def test_rebuild_matches_committed(tmp_path, kb):
    from pipeline.kb import KnowledgeBase
    from tools.kb.build import build

    report = build(tmp_path)
    assert report["ansm"]["substance_mapping_rate"] >= 0.97
    assert KnowledgeBase(tmp_path).version == kb.version
