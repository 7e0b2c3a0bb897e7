"""The README and `docs/` say what the files say: tables written from the result files, no figure
without a source, links that resolve, the README's first commands answering as it shows, and
notebooks stored with the outputs of their current code."""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MAX_NOTEBOOK_BYTES = 2 * 2**20


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tables_and_figures_come_from_the_result_files():
    assert _script("docs_tables").stale_pages() == []


def test_the_figure_check_catches_a_typed_in_figure():
    docs_tables = _script("docs_tables")
    numbers = docs_tables.source_numbers()
    page = "<!-- table: replicas -->\n| 0.1234 |\n<!-- /table -->\nIn prose: {}.\n"
    assert docs_tables.unsourced_figures(page.format("0.1234 and `0.4321` and Keras 3.15"), numbers) == []
    assert docs_tables.unsourced_figures(page.format("0.4321 and 12.3457"), numbers) == ["0.4321", "12.3457"]


def test_readme_is_read_in_one_sitting():
    lines = README.read_text().splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines"
    first_screen = "\n".join(lines[:40])
    assert "pip install -e ." in first_screen and "mmzoo predict " in first_screen


def test_links_resolve():
    for page in [README, *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "saved_models").glob("*/README.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if not target.startswith(("http://", "https://")):
                assert (page.parent / target).exists(), f"{page.relative_to(ROOT)}: {target} does not exist"


def test_readme_examples_are_what_the_script_writes(tmp_path):
    written = _script("readme_examples").write_examples(tmp_path)
    assert (tmp_path / "scene.png").read_bytes() == (ROOT / "docs" / "examples" / "scene.png").read_bytes()
    assert set(written) == {"scene.png", "caption.wav"}


@pytest.mark.parametrize("command", ["captioner_shapes --image", "speech_shapes --audio"])
def test_readme_first_commands_answer_as_shown(command):
    """Each `mmzoo predict` line of the first screen, run from the checkout, prints what the
    comment under it shows."""
    lines = README.read_text().splitlines()[:40]
    line = next(i for i, text in enumerate(lines) if text.startswith(f"mmzoo predict {command}"))
    args = lines[line].split("#")[0].split()[2:]
    shown = json.loads(re.sub(r", \.\.\.}$", "}", lines[line + 1].lstrip("# ")))
    answer = subprocess.run([sys.executable, "-m", "mmzoo.cli", "predict", *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert answer.returncode == 0, answer.stderr
    said = json.loads(answer.stdout)
    for key, value in shown.items():
        if isinstance(value, str):
            assert said[key] == value
        else:
            assert said[key] == pytest.approx(value, rel=0.05, abs=1e-4)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_with_the_outputs_of_its_code(path):
    execute_notebooks = _script("execute_notebooks")
    notebook = nbformat.read(path, as_version=4)
    stored = notebook.metadata.get("mmzoo", {}).get("code_sha256")
    assert stored == execute_notebooks.code_sha256(notebook), (
        f"{path.name}: code changed since its outputs were stored (python scripts/execute_notebooks.py {path.stem})")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code), f"{path.name}: a cell was not run"
    outputs = [output for cell in code for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"], f"{path.name}: stored with an error"
    assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name}: no picture"
    text = json.dumps(outputs)
    for machine in ("/tmp/", "/root", "/home/", str(ROOT), "site-packages/"):
        assert machine not in text.replace("<site-packages>/", ""), f"{path.name}: {machine} in its outputs"
    assert path.stat().st_size <= MAX_NOTEBOOK_BYTES, f"{path.name}: {path.stat().st_size:,} bytes"
