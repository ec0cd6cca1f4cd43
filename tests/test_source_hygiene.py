"""Source files carry no stray control characters (a LaTeX escape such as ``\\rho`` or ``\\frac`` written into
a non-raw string becomes a carriage return or form feed and silently corrupts a docstring or a label)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("runtime", "theory", "numerics", "empirics", "proofs", "iclverify", "tests", "benchmarks")
CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")


@pytest.mark.parametrize(
    "path", sorted(p for f in FOLDERS for p in (ROOT / f).glob("**/*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_control_characters(path: Path) -> None:
    data = path.read_bytes()
    bad = [data.count(b"\n", 0, m.start()) + 1 for m in CONTROL.finditer(data)]
    assert not bad, f"control characters on lines {bad[:10]} (a backslash escape in a non-raw string?)"


# Below the proofs, a SymPy formula becomes a callable in one place: numerics.backends.compile_table (for mpmath
# mp/iv and numpy), and theory's float helpers for the Mehta & Gupta scalings. A module that lambdifies on its own
# is about to evaluate a second copy of a formula.
COMPILERS = {"numerics/backends.py", "theory/mehta_gupta2025/formulas.py"}


def test_formulas_are_compiled_in_one_place() -> None:
    stray = sorted(
        rel
        for f in ("runtime", "theory", "numerics", "empirics")
        for p in (ROOT / f).glob("**/*.py")
        if (rel := str(p.relative_to(ROOT))) not in COMPILERS and "lambdify(" in p.read_text(encoding="utf-8")
    )
    assert not stray, f"compile formulas with iclverify.numerics.backends.compile_table, not lambdify: {stray}"
