"""``icl-verify predict mehta-gupta ...``, ``latex mehta-gupta`` and ``verify --paper mehta-gupta``."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest


def _json(cli, *args):
    res = cli("predict", "mehta-gupta", *args, "--json", "-")
    assert res.code == 0, res.err
    return json.loads(res.out)


@pytest.mark.parametrize(
    ("h", "alpha", "halving"), [("0", "1/2", "4"), ("1", "1/4", "16"), ("2", "1/6", "64"), ("1/2", "1/3", "8")]
)
def test_exponent(cli, h, alpha, halving):
    data = _json(cli, "exponent", "--h", h)
    assert data["alpha"] == alpha and data["halving_factor"] == halving
    assert float(data["alpha_decimal"]) == pytest.approx(float(Fraction(alpha)), rel=1e-14)


def test_exponent_table(cli):
    res = cli("predict", "mehta-gupta", "exponent", "--h", "1")
    assert res.code == 0 and "1/4" in res.out and "16" in res.out


def test_allocation_ld(cli):
    data = _json(cli, "allocation", "--N", "2e6")
    assert (data["exponent_L"], data["exponent_d"], data["stated_exponents"]) == ("2/3", "1/3", True)
    L, d = float(data["L_star"]), float(data["d_star"])
    assert L * d == pytest.approx(2e6, rel=1e-13)
    assert pytest.approx(2 ** (-1 / 3) * 2e6 ** (2 / 3), rel=1e-13) == L  # (a/(2a))^(1/3) N^(2/3) at a = 1


def test_allocation_other_exponents_and_parameter_budget(cli):
    data = _json(cli, "allocation", "--N", "1e6", "--a", "1", "--b", "1")
    assert (data["exponent_L"], data["stated_exponents"]) == ("1/2", False)
    data = _json(cli, "allocation", "--N", "1e12", "--budget", "12ld2", "--a", "0.5", "--b", "1")
    assert (data["exponent_L"], data["exponent_d"]) == ("1/2", "1/4")
    assert float(data["params_12Ld2"]) == pytest.approx(1e12, rel=1e-13)
    assert "impossible" in data["note"]


def test_critical_scale(cli):
    data = _json(cli, "critical-scale", "--k", "20", "--h", "2")
    assert data["N_c"] == str(40**6) and data["inverse_alpha"] == "6"
    data = _json(cli, "critical-scale", "--k", "2", "--h", "1/3")
    assert data["N_c"] is None and float(data["N_c_decimal"]) == pytest.approx((2 / 3) ** (8 / 3), rel=1e-14)


@pytest.mark.parametrize(
    "args",
    [
        ("exponent", "--h", "-1"),
        ("exponent", "--h", "one"),
        ("exponent", "--h", "nan"),
        ("allocation", "--N", "0"),
        ("allocation", "--N", "-5"),
        ("allocation", "--N", "big"),
        ("allocation", "--N", "1e6", "--a", "0"),
        ("allocation", "--N", "1e6", "--budget", "P"),
        ("critical-scale", "--k", "0", "--h", "1"),
        ("critical-scale", "--k", "3", "--h", "-2"),
        ("critical-scale", "--k", "x", "--h", "1"),
    ],
)
def test_bad_input_one_line_exit_2(cli, args):
    for extra in ((), ("--json", "-")):
        res = cli("predict", "mehta-gupta", *args, *extra)
        assert res.code == 2
        assert res.out == ""
        assert len(res.err.strip().splitlines()) == 1 and "Traceback" not in res.err


@pytest.mark.latex
def test_latex_compiles(cli, tmp_path, pdflatex):
    res = cli("latex", "mehta-gupta", "--out", str(tmp_path), "--pdf")
    assert res.code == 0, res.err
    tex = (tmp_path / "mehta-gupta.tex").read_text()
    assert "b = 2 a" in tex and "as stated" in tex
    assert (tmp_path / "mehta-gupta.pdf").stat().st_size > 10_000


def test_verify_prints_the_table(cli, monkeypatch, tiny_mg):
    monkeypatch.setenv("COLUMNS", "250")
    res = cli("verify", "--paper", "mehta-gupta", "--no-progress")
    assert res.code == 0, res.err
    for cid in ("mehta-gupta.A.allocation", "mehta-gupta.T2.gd-construction", "mehta-gupta.Tab3.depth-beats-width"):
        assert cid in res.out
    assert "confirmed if" in res.out and "refuted" in res.out and "inconclusive" in res.out
