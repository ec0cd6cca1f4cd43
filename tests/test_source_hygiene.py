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
