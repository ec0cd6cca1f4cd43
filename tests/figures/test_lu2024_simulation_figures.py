"""Figures 1, 2 and 4 of Lu et al.: PNG, PDF and CSV written, theory and simulation rows present, cached."""

from __future__ import annotations

import csv

import pytest


@pytest.mark.parametrize("name", ["lu2024-fig4"])
def test_figure_writes_png_pdf_csv(cli, tmp_path, name: str) -> None:
    res = cli("figure", name, "--d", "8", "--runs", "2", "--out", str(tmp_path))
    assert res.code == 0, res.err
    for ext in ("png", "pdf", "csv"):
        assert (tmp_path / f"{name}.{ext}").stat().st_size > 0
    with open(tmp_path / f"{name}.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    kinds = {r["kind"] for r in rows}
    assert {"theory", "gamma", "dmmse"} <= kinds
    sims = [r for r in rows if r["kind"] == "gamma"]
    assert len(sims) == 12 and all(r["d"] == "8" and r["runs"] == "2" and r["seed"] == "0" for r in sims)
    assert all(float(r["y_low"]) <= float(r["y"]) <= float(r["y_high"]) for r in sims)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["lu2024-fig1", "lu2024-fig2"])
def test_other_figures(cli, tmp_path, name: str) -> None:
    res = cli("figure", name, "--d", "8", "--runs", "2", "--out", str(tmp_path))
    assert res.code == 0, res.err
    assert (tmp_path / f"{name}.csv").stat().st_size > 0


def test_figures_are_listed(cli) -> None:
    res = cli("figure", "list")
    assert res.code == 0 and all(f"lu2024-fig{i}" in res.out for i in (1, 2, 4))


def test_the_rounding_rule_sizes_the_simulations_and_is_recorded(cli, tmp_path) -> None:
    """``--rounding floor`` (Lu et al.'s k = ⌊κd⌋): at d = 8, κ = 0.2 gives k = 1 (rounding would give 2)."""
    res = cli("figure", "lu2024-fig4", "--d", "8", "--runs", "2", "--rounding", "floor", "--out", str(tmp_path))
    assert res.code == 0, res.err
    with open(tmp_path / "lu2024-fig4.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["rounding"] for r in rows} == {"floor"}
    first = next(r for r in rows if r["kind"] == "gamma" and float(r["kappa"]) == 0.2)
    assert first["k"] == "1"
