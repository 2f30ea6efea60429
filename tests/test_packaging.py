"""The wheel ships the knowledge base and lists every package."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_in_pyproject():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "pipeline").rglob("__init__.py")
    }
    assert found | {"pipeline._kb"} == listed


def test_runtime_package_never_imports_the_development_tools():
    """The KB build, gold generator and data card live in tools/ (not in the wheel)."""
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "pipeline").rglob("*.py")
        if re.search(r"^\s*(?:from|import)\s+tools\b", p.read_text(), re.MULTILINE)
    ]
    assert offenders == []
    assert not any(
        name.startswith("tools")
        for name in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
            "packages"
        ]
    )


def test_kb_data_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"]["pipeline._kb"] == "data/kb"
    assert "*.json.gz" in config["package-data"]["pipeline._kb"]


def test_version_flag(capsys):
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert capsys.readouterr().out.startswith("ddi ")
