"""The public API is typed: mypy (strict) passes on it, options are checked by the type
checker, and the typed option list is exactly the Context's fields."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from pipeline.context import Context
from pipeline.options import option_names

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ["pipeline/__init__.py", "pipeline/api.py", "pipeline/options.py"]


def mypy(*args: str) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("mypy")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_typed_options_are_the_context_fields():
    assert option_names() == {f.name for f in fields(Context) if f.init}


def test_public_api_passes_strict_type_checking():
    out = mypy(*PUBLIC)
    assert out.returncode == 0, out.stdout + out.stderr


def test_type_checker_catches_a_wrong_option(tmp_path):
    use = tmp_path / "use_api.py"
    use.write_text(
        "from pipeline import ask\n"
        'ask("Can I take Coumadin with Advil?", retries="3")\n'
        'ask("Can I take Coumadin with Advil?", retrys=3)\n'
        'ask("Can I take Coumadin with Advil?", policy="recall", timeout=5.0)\n'
    )
    out = mypy(str(use))
    assert out.returncode == 1
    errors = [line for line in out.stdout.splitlines() if ": error:" in line]
    assert [int(line.split(":")[1]) for line in errors] == [2, 3], out.stdout
