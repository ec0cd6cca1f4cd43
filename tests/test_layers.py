"""Data flows one way: a layer never imports from a layer above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["theory", "numerics", "empirics", "proofs"]
TOP = ("iclverify.cli", "iclverify.figures", "iclverify.report", "iclverify.latex_pdf")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", ORDER)
def test_layer_imports_only_layers_below(layer: str) -> None:
    above = [f"iclverify.{name}" for name in ORDER[ORDER.index(layer) + 1 :]] + list(TOP)
    offenders = []
    for path in sorted((ROOT / layer).glob("**/*.py")):
        for name in _imports(path):
            if any(name == a or name.startswith(a + ".") for a in above):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


def test_no_generic_top_level_packages_installed() -> None:
    import importlib.util

    import iclverify.theory

    assert iclverify.theory.__name__ == "iclverify.theory"
    for generic in ("theory", "numerics", "empirics", "proofs"):
        spec = importlib.util.find_spec(generic)
        assert spec is None or Path(spec.origin or "").parent.parent == ROOT, f"a top-level '{generic}' is installed"
