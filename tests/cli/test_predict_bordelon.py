"""``icl-verify predict bordelon2025 iso-loss``."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest


def test_table(cli):
    r = cli("predict", "bordelon2025", "iso-loss", "--alpha", "2", "--L", "2", "--dps", "20")
    assert r.code == 0, r.err
    assert "0.18518518518518518519" in r.out and "1.3333333333333333333" in r.out  # 5/27 and 4/3


def test_json_digits_and_exact_values(cli):
    r = cli("predict", "bordelon2025", "iso-loss", "--alpha", "0.5", "--L", "3", "--dps", "40", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["certified"] and data["alpha"] == "1/2" and data["L"] == 3
    assert len(data["loss"].replace(".", "").lstrip("0")) == 40
    # L = 3 at alpha = 1/2: 1 - (1/3)(1 + 2/9 + 2(2/9)^2)
    exact = 1 - Fraction(1, 3) * (1 + Fraction(2, 9) + 2 * Fraction(2, 9) ** 2)
    assert abs(Fraction(data["loss"]) - exact) < Fraction(1, 10**39)
    assert data["gamma_star"].startswith("1.0000000000")  # 3 * (1/2) / (3/2)


@pytest.mark.parametrize(
    "args",
    [
        ("--alpha", "0", "--L", "1"),
        ("--alpha", "-1", "--L", "1"),
        ("--alpha", "1", "--L", "0"),
        ("--alpha", "1", "--L", "2.5"),
        ("--alpha", "x", "--L", "1"),
        ("--alpha", "1", "--L", "1", "--dps", "0"),
    ],
)
def test_bad_input_exits_2_with_one_line(cli, args):
    r = cli("predict", "bordelon2025", "iso-loss", *args)
    assert r.code == 2
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
