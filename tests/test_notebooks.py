"""The tutorial notebooks run top to bottom (tiny data, one epoch)."""

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, mmzoo_home, monkeypatch, tmp_path):
    monkeypatch.setenv("MMZOO_NOTEBOOK_SIZE", "tiny")
    monkeypatch.setenv("MMZOO_NOTEBOOK_EPOCHS", "1")
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = "".join(o.get("text", "") for cell in notebook.cells for o in cell.get("outputs", []))
    assert "test: accuracy" in outputs and "image: not an encoded image" in outputs
    assert os.environ["MMZOO_HOME"] == str(mmzoo_home)
