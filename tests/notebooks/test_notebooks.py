"""The tutorial notebooks: committed without outputs, in sync with notebooks/_build.py,
and executing top to bottom offline (reference and simulated models only).

Execution needs nbclient and ipykernel (skipped with a reason otherwise); plots use
matplotlib's Agg backend (MPLBACKEND=Agg) and live provider cells stay off
(DDI_LIVE_MODELS unset).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
CELL_TIMEOUT = 240  # seconds per cell; each notebook takes well under a minute
EXPECTED = {
    "01_quickstart.ipynb",
    "02_anatomy_of_a_cascade.ipynb",
    "03_regression_evals.ipynb",
    "04_bring_your_own_model.ipynb",
}


def test_every_notebook_is_present():
    assert {p.name for p in NOTEBOOKS} == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))  # plain JSON: no nbformat needed
    assert nb["nbformat"] == 4
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    for i, cell in enumerate(nb["cells"]):
        where = f"{path.name} cell {i}"
        assert "execution" not in cell.get("metadata", {}), f"{where}: execution metadata"
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{where}: outputs not stripped"
            assert cell["execution_count"] is None, f"{where}: execution_count not cleared"
        assert "attachments" not in cell, f"{where}: attachments"


def test_notebooks_match_their_generator():
    pytest.importorskip("nbformat", reason="notebooks/_build.py needs nbformat")
    proc = subprocess.run(
        [sys.executable, str(NOTEBOOK_DIR / "_build.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    nbformat = pytest.importorskip("nbformat", reason="executing notebooks needs nbformat")
    nbclient = pytest.importorskip("nbclient", reason="executing notebooks needs nbclient")
    pytest.importorskip("ipykernel", reason="executing notebooks needs ipykernel")
    from jupyter_client.kernelspec import NoSuchKernel

    # the kernel inherits this environment: headless plots, no live provider calls
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("DDI_LIVE_MODELS", raising=False)
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # eval runs of notebook 03 land here
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    started = time.perf_counter()
    try:
        client.execute()
    except NoSuchKernel as exc:  # pragma: no cover - depends on the environment
        pytest.skip(f"no python3 Jupyter kernel: {exc}")
    elapsed = time.perf_counter() - started
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors, errors
    assert elapsed < 120, f"{path.name} took {elapsed:.0f} s (budget: about a minute)"
