"""Run the tutorial notebooks at the settings a reader runs them (their defaults: no
`MMZOO_NOTEBOOK_*` variables) and store them with their outputs, so a viewer shows their
figures, tables and audio without running anything.

    python scripts/execute_notebooks.py [NAME ...]

What is stored is what the reader would see, less what changes on every run or names this
machine: per-epoch timings, temporary folders, the home, checkout and site-packages paths,
nbclient's timestamps, and stderr (TensorFlow's log lines and Python's warnings; an error is
an output of its own and would fail the run). Each notebook records the
digest of the code it was executed from (`metadata.mmzoo.code_sha256`), so a test can tell
when code changed after its outputs were stored. CI executes every notebook fresh at its tiny
setting (`tests/test_notebooks.py`); this script is for the stored copies.
"""

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
KERNEL_TIMEOUT_S = 3600
# Reader settings are each notebook's defaults; these are what CI sets instead.
CI_SETTINGS = {"MMZOO_NOTEBOOK_SIZE": "tiny", "MMZOO_NOTEBOOK_EPOCHS": "1"}

_TIMINGS = (
    re.compile(r" - \d+(\.\d+)?m?s(/(step|epoch))?"),  # Keras progress lines: "50/50 - 3s - 61ms/step"
    re.compile(r"\b\d+(\.\d+)?(ms|s)/step\b"),
)
_LOG_LINE = re.compile(r"^(INFO|WARNING):tensorflow:.*\n?", re.M)
_SITE_PACKAGES = re.compile(r"/[^\s'\"]*/site-packages/")


def code_sha256(notebook) -> str:
    """The digest of a notebook's code cells, in order: what its stored outputs came from."""
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    return hashlib.sha256(json.dumps(code).encode()).hexdigest()


def _machine_paths() -> list[tuple[re.Pattern, str]]:
    """Longest first; a temporary folder with its random name (`mkdtemp`'s 8 characters)."""
    paths = [(re.escape(tempfile.gettempdir()) + r"/[\w.-]*?[A-Za-z0-9_]{8}(?=[/\s'\")]|$)", "<tmp>"),
             (re.escape(str(NOTEBOOKS.parent)), "<checkout>")]
    if os.environ.get("MMZOO_HOME"):
        paths.append((re.escape(os.environ["MMZOO_HOME"]), "$MMZOO_HOME"))
    paths.append((re.escape(str(Path.home())), "~"))
    return [(re.compile(pattern, re.M), name) for pattern, name in paths]


def scrub(text: str) -> str:
    """A stored output's text without what changes per run or names this machine."""
    for pattern in _TIMINGS:
        text = pattern.sub("", text)
    text = _SITE_PACKAGES.sub("<site-packages>/", _LOG_LINE.sub("", text))
    for path, name in _machine_paths():
        text = path.sub(name, text)
    return text


def store_outputs(notebook) -> None:
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            if output.get("output_type") == "stream":
                output.text = scrub(output.text) if output.name == "stdout" else ""
                if not output.text.strip():
                    continue
            for key in ("text/plain", "text/html"):
                if key in output.get("data", {}):
                    output.data[key] = scrub(output.data[key])
            kept.append(output)
        cell.outputs = kept


def execute(path: Path, run: bool = True) -> int:
    """Run a notebook (or, not `run`, take its stored outputs) and store it scrubbed."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    if not run and notebook.metadata.get("mmzoo", {}).get("code_sha256") != code_sha256(notebook):
        raise SystemExit(f"{path.name}: its code changed since its outputs were stored; run it")
    if run:
        with tempfile.TemporaryDirectory(prefix="mmzoo-notebook-run-") as folder:
            NotebookClient(notebook, timeout=KERNEL_TIMEOUT_S, kernel_name="python3", record_timing=False,
                           resources={"metadata": {"path": folder}}).execute()
    store_outputs(notebook)
    notebook.metadata["mmzoo"] = {"code_sha256": code_sha256(notebook), "settings": "reader (the defaults)"}
    notebook.metadata.pop("widgets", None)
    staged = path.with_suffix(".ipynb.partial")
    nbformat.write(notebook, staged)
    os.replace(staged, path)
    return path.stat().st_size


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="notebook names or numbers (default: all)")
    parser.add_argument("--scrub-only", action="store_true",
                        help="do not run: scrub the stored outputs again (after a change to this script)")
    args = parser.parse_args()
    for name in CI_SETTINGS:
        os.environ.pop(name, None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    if args.names:
        paths = [p for p in paths if any(p.name.startswith(n) or p.stem == n for n in args.names)]
    for path in paths:
        print(f"{path.name} ...", flush=True)
        size = execute(path, run=not args.scrub_only)
        print(f"{path.name}: stored with outputs, {size / 2**20:.2f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
