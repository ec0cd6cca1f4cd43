"""The architecture: data flows one way, and each folder is a room that holds one concern.

Layers, lowest first: runtime → theory → numerics → empirics → proofs → the top (``iclverify/``). A layer
never imports from a layer above it. Every folder of a layer is a package whose one-line docstring says
what it holds, with at most :data:`MAX_MODULES` modules directly inside; ``tests/`` mirrors the tree.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["runtime", "theory", "numerics", "empirics", "proofs"]
TOP = ("iclverify.cli", "iclverify.figures", "iclverify.report", "iclverify.api")
MAX_MODULES = 12


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
            if name == "iclverify" or any(name == a or name.startswith(a + ".") for a in above):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


def _rooms() -> list[Path]:
    return sorted(p.parent for layer in [*ORDER, "iclverify"] for p in (ROOT / layer).glob("**/__init__.py"))


@pytest.mark.parametrize("room", _rooms(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_room_says_what_it_holds_and_stays_small(room: Path) -> None:
    doc = ast.get_docstring(ast.parse((room / "__init__.py").read_text(encoding="utf-8")))
    assert doc and doc.strip(), f"{room.relative_to(ROOT)}/__init__.py has no docstring"
    modules = [p for p in room.glob("*.py") if p.name != "__init__.py"]
    assert len(modules) <= MAX_MODULES, f"{room.relative_to(ROOT)} holds {len(modules)} modules"
    assert not [
        p for p in room.iterdir() if p.is_dir() and p.name != "__pycache__" and not (p / "__init__.py").exists()
    ]


def test_every_room_is_installed() -> None:
    """A regular install carries every room: pyproject lists each package."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for room in _rooms():
        top, *rest = room.relative_to(ROOT).parts
        found.add(".".join(["iclverify", *([top] if top != "iclverify" else []), *rest]))
    assert found == listed, (sorted(found - listed), sorted(listed - found))


def test_tests_mirror_the_tree() -> None:
    """Every test folder under a layer's name names a room that exists."""
    stray = []
    for folder in sorted(
        p for p in (ROOT / "tests").glob("**/") if p != ROOT / "tests" and "__pycache__" not in p.parts
    ):
        rel = folder.relative_to(ROOT / "tests")
        top = rel.parts[0]
        if top in ORDER and not (ROOT / rel).is_dir():
            stray.append(str(rel))
        if top in ("cli", "figures", "report") and not (ROOT / "iclverify" / rel).is_dir():
            stray.append(str(rel))
    assert not stray, stray


def test_no_generic_top_level_packages_installed() -> None:
    import importlib.util

    import iclverify.theory

    assert iclverify.theory.__name__ == "iclverify.theory"
    for generic in ORDER:
        spec = importlib.util.find_spec(generic)
        assert spec is None or Path(spec.origin or "").parent.parent == ROOT, f"a top-level '{generic}' is installed"
