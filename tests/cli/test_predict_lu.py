"""``icl-verify predict lu2024`` and ``icl-verify latex lu2024`` (compiled for real)."""

from __future__ import annotations

import json
from decimal import Decimal, localcontext

import pytest

REF = ["--tau", "2", "--alpha", "1", "--kappa", "0.5", "--rho", "0.01"]


def test_table_shows_the_reference_values(cli):
    result = cli("predict", "lu2024", *REF)
    assert result.code == 0, result.err
    # the brief's 1.23399254303922... and 0.60956140634974..., to 30 digits
    assert "1.23399254303921931167026097763" in result.out and "0.609561406349740443887608617979" in result.out
    assert "rho=1/100" in result.out  # exact parameters


def test_json_is_one_object_with_the_requested_digits(cli):
    result = cli("predict", "lu2024", *REF, "--dps", "50", "--json", "-")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert set(data) >= {"e_icl", "e_idg", "g_task", "params"}
    assert data["params"] == {"tau": "2", "alpha": "1", "kappa": "1/2", "rho": "1/100", "lam": "0"}
    for name in ("e_icl", "e_idg", "g_task"):
        digits = data[name].replace(".", "").lstrip("0")
        assert len(digits) == 50, (name, data[name])
    assert abs(Decimal(data["e_icl"]) - Decimal("1.23399254303922")) < Decimal("5e-15")
    assert abs(Decimal(data["e_idg"]) - Decimal("0.60956140634974")) < Decimal("5e-15")
    # g_task = e_icl - e_idg to the digits printed
    with localcontext() as ctx:
        ctx.prec = 100
        gap = Decimal(data["e_icl"]) - Decimal(data["e_idg"]) - Decimal(data["g_task"])
        assert abs(gap) < Decimal("2e-49")
    assert data["root"] is None and data["e_idg_conjectured"] is False


def test_decimal_inputs_are_exact():
    # 0.01 typed is exactly 1/100: the value at 60 digits differs from the binary double nearest 0.01's
    from fractions import Fraction

    from iclverify.cli.predict_lu import prediction_json
    from iclverify.numerics.lu2024.certified import evaluate
    from iclverify.theory.params import LuParams

    exact = prediction_json(evaluate(LuParams(tau="2", alpha="1", kappa="0.5", rho="0.01"), dps=60))
    binary = prediction_json(evaluate(LuParams(tau=2, alpha=1, kappa=0.5, rho=Fraction(0.01)), dps=60))
    assert exact["params"]["rho"] == "1/100"
    assert exact["e_icl"][:16] == binary["e_icl"][:16] and exact["e_icl"] != binary["e_icl"]


def test_ridge_prints_the_root_and_labels_the_conjecture(cli):
    result = cli("predict", "lu2024", *REF, "--lam", "1e-7", "--json", "-")
    data = json.loads(result.out)
    assert data["e_icl"].startswith("1.2339922712605")  # not the reference code's 1.127
    root = data["root"]
    lo, hi, value = (Decimal(v) for v in (*root["bracket"], root["value"]))
    assert root["certified"] and lo < hi and abs(value - lo) < Decimal("1e-29") * value  # 30 certified digits
    assert abs(Decimal(root["residual"])) < Decimal("1e-30")
    assert data["e_idg_conjectured"] is True
    table = cli("predict", "lu2024", *REF, "--lam", "1e-7")
    assert "conjecture" in table.out and "ridge root" in table.out and "bracket" in table.out


def test_infinite_kappa(cli):
    result = cli("predict", "lu2024", "--tau", "2", "--alpha", "1", "--kappa", "inf", "--rho", "0.01", "--json", "-")
    data = json.loads(result.out)
    assert data["params"]["kappa"] == "inf" and Decimal(data["g_task"]) == 0
    assert data["e_icl"] == data["e_idg"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--tau", "1", "--alpha", "1", "--kappa", "0.5", "--rho", "0.01"], "tau = 1 with lam = 0"),
        (["--tau", "2", "--alpha", "1", "--kappa", "0.5", "--rho", "-0.1"], "rho must be"),
        (["--tau", "2", "--alpha", "0", "--kappa", "0.5", "--rho", "0.1"], "alpha must be"),
        (["--tau", "2", "--alpha", "1", "--kappa", "0", "--rho", "0.1"], "kappa must be"),
        (["--tau", "2", "--alpha", "1", "--kappa", "0.5", "--rho", "0.1", "--lam", "-1"], "lam must be"),
        (["--tau", "nan", "--alpha", "1", "--kappa", "0.5", "--rho", "0.1"], "tau must be"),
        (["--tau", "2", "--alpha", "1", "--kappa", "nan", "--rho", "0.1"], "kappa must be"),
        (["--tau", "2", "--alpha", "1", "--kappa", "0.5", "--rho", "0.1", "--dps", "0"], "--dps must be"),
        (["--tau", "2", "--alpha", "1", "--kappa", "0.5", "--rho", "0.1", "--dps", "many"], "--dps must be"),
        (["--tau", "abc", "--alpha", "1", "--kappa", "0.5", "--rho", "0.1"], "tau must be"),
    ],
)
def test_bad_input_is_one_clear_error_and_exit_2(cli, args, message):
    result = cli("predict", "lu2024", *args)
    assert result.code == 2
    assert result.out == ""
    text = " ".join(result.err.split())  # the shared error console may wrap a long line at 80 columns
    assert message in text and text.startswith("error:") and "Traceback" not in result.err
    if len(text) < 75:
        assert len(result.err.strip().splitlines()) == 1


@pytest.mark.latex
def test_latex_document_compiles(cli, tmp_path, pdflatex):
    result = cli("latex", "lu2024", "--out", str(tmp_path), "--pdf")
    assert result.code == 0, result.err + result.out
    tex = (tmp_path / "lu2024.tex").read_text()
    pdf = tmp_path / "lu2024.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 10_000 and pdf.read_bytes()[:4] == b"%PDF"
    for label in (
        "mp.transform",
        "lu2024.kappa-inf",
        "lu2024.threshold",
        "lu2024.alpha-inf",
        "lu2024.ridgeless-limit",
        "lu2024.task-diversity",
    ):
        assert f"der:{label}" in tex
    assert "Conjecture" in tex and "1.23399254303921931167" in tex


def test_fig3_writes_its_files_and_data(cli, tmp_path):
    import csv

    result = cli("figure", "lu2024-fig3", "--out", str(tmp_path), "--no-cache")
    assert result.code == 0, result.err
    for ext in ("png", "pdf", "csv"):
        assert (tmp_path / f"lu2024-fig3.{ext}").stat().st_size > 1000
    with open(tmp_path / "lu2024-fig3.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["panel"] for r in rows} == {"icl-tau0.5", "idg-tau0.5", "icl-tau20"}
    # grey (monotone) cells have their minimum on an end of the alpha grid
    ends = {"0.01", "1000.0"}
    assert all(r["alpha_star"] in ends for r in rows if r["monotone"] == "True")
    below = [r for r in rows if r["panel"] == "icl-tau20" and float(r["kappa"]) < 0.95]
    assert below and all(r["monotone"] == "False" for r in below)
