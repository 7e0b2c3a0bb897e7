"""The package's shape: dependencies point one way (no import cycle, model code never reaches up
into presets, export, training or the command line), one folder per model family, one registry."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from mmzoo import registry

PACKAGE = Path(__file__).resolve().parents[1] / "mmzoo"
# What model code may not import: everything above it (the dependency rule in docs/architecture.md).
ABOVE_MODELS = ("mmzoo.presets", "mmzoo.export", "mmzoo.training", "mmzoo.cli", "mmzoo.registry", "mmzoo.saving",
                "mmzoo.quickstart")


def module_names(root: Path) -> dict[str, Path]:
    """{dotted module name: file} of a package folder (a package is its `__init__`)."""
    names = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def import_graph(root: Path) -> dict[str, set[str]]:
    """{module: the package's modules it imports}, counting imports anywhere in the file (inside
    functions too: a deferred import still closes a cycle, it only hides it)."""
    modules = module_names(root)
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                # `from package import module` imports the module; `from module import name`, the module.
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            else:
                continue
            edges |= {target for target in targets if target in modules and target != name}
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph.get(node, ()):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((module, target) for module, targets in graph.items() if module.startswith("mmzoo.models")
                  for target in targets if target.startswith(ABOVE_MODELS))


def test_no_import_cycle_and_no_upward_import_from_model_code():
    graph = import_graph(PACKAGE)
    assert "mmzoo.models.captioner.model" in graph["mmzoo.models.captioner.task"]  # `from package import module`
    assert "mmzoo.data.records" in graph["mmzoo.saving"]  # an import inside a function
    assert cycles(graph) == []
    assert upward_imports(graph) == []


def test_the_checks_find_a_cycle_hidden_in_a_function_and_an_upward_import(tmp_path):
    package = tmp_path / "mmzoo"
    for folder in (package, package / "models", package / "export"):
        folder.mkdir()
        (folder / "__init__.py").write_text("")
    (package / "models" / "builder.py").write_text("def build():\n    from mmzoo.export import serving\n")
    (package / "export" / "serving.py").write_text("from mmzoo.models.builder import build\n")
    graph = import_graph(package)
    assert cycles(graph) == [["mmzoo.export.serving", "mmzoo.models.builder"]]
    assert upward_imports(graph) == [("mmzoo.models.builder", "mmzoo.export.serving")]


def test_one_folder_per_family_each_registered_with_what_the_contract_test_runs():
    folders = {path.parent.name for path in (PACKAGE / "models").glob("*/model.py")}
    assert len(folders) >= 6
    for family in registry.FAMILIES.values():
        builder_module = family.builder.partition(":")[0]
        assert builder_module.startswith("mmzoo.models.") and builder_module.split(".")[2] in folders
        assert family.small_configs, f"{family.name}: no small configuration for the contract test"
        for name, config in family.presets.items():
            assert config.model == family.model, name
    assert {family.builder.split(".")[2] for family in registry.FAMILIES.values()} == folders


def test_registering_a_clashing_family_is_refused():
    fusion = registry.FAMILIES["fusion"]
    with pytest.raises(ValueError, match=r"family fusion: \['fusion'"):
        registry.register_family(fusion)


def test_the_command_line_and_the_registry_need_no_tensorflow():
    probe = ("import sys, mmzoo.cli, mmzoo.registry; mmzoo.cli.build_parser(); "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
