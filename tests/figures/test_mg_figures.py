"""``icl-verify figure mg-*``: the Mehta & Gupta trained-model figures on tiny setups (PNG, PDF, CSV rows)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("torch")

from iclverify.proofs.mehta_gupta2025 import trained as mg

PNG_SIGNATURE = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
SEEDS = 2
ETA_CELLS = [(1, 3), (2, 3), (1, 4)]
SIZE_DEPTHS = {"linear": (1, 2, 3), "sparse-linear": (1, 2, 4)}
BUDGETS = {16: (1, 2, 4), 32: (1, 2, 4)}
HS, KS, WIDTHS = (1, 2), (2, 3), (2, 3, 4, 6)  # the same k and widths at both tree depths h


@pytest.fixture
def tiny(tiny_mg):
    """Every experiment of the quick level shrunk to seconds (``tiny_mg`` in conftest: the sizes below)."""
    assert (
        tiny_mg["eta"]["cells"] == ETA_CELLS
        and tiny_mg["size"]["depths"] == SIZE_DEPTHS
        and tiny_mg["allocation"]["budgets"] == BUDGETS
    )
    assert (
        tiny_mg["transition"]["hs"] == HS
        and all(tiny_mg["transition"]["ks"][h] == KS and tiny_mg["transition"]["widths"][h] == WIDTHS for h in HS)
        and tiny_mg["eta"]["seeds"] == SEEDS
    )


def _draw(cli, out: Path, name: str) -> list[dict[str, str]]:
    res = cli("figure", name, "--out", out, "--device", "cpu", "--no-cache")
    assert res.code == 0, res.err
    for ext in ("png", "pdf", "csv"):
        assert (out / f"{name}.{ext}").stat().st_size > 0
    assert (out / f"{name}.png").read_bytes()[:8] == PNG_SIGNATURE
    assert (out / f"{name}.pdf").read_bytes()[:5] == b"%PDF-"
    with open(out / f"{name}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_trained_claim_names_a_registered_figure():
    from iclverify.figures import all_figures

    names = {c.figure for c in mg.CLAIMS}
    assert names == {"mg-eta", "mg-exponent", "mg-allocation", "mg-transition"}
    assert names <= set(all_figures())


def test_mg_eta(cli, tmp_path, tiny):
    rows = _draw(cli, tmp_path, "mg-eta")
    count = Counter(r["series"] for r in rows)
    Ls, ds = {L for L, _ in ETA_CELLS}, {d for _, d in ETA_CELLS}
    assert count == {
        "trained": len(ETA_CELLS) * SEEDS,
        "gd-optimal": len(ETA_CELLS),
        "parametrisation": len(Ls) * len(ds),
    }
    trained = [r for r in rows if r["series"] == "trained"]
    assert {(int(r["L"]), int(r["d"]), int(r["seed"])) for r in trained} == {
        (L, d, s) for L, d in ETA_CELLS for s in range(SEEDS)
    }
    assert all(int(r["width"]) == int(r["d"]) + 1 and r["fit_p_L"] and r["fit_p_d"] for r in trained)
    for r in rows:
        if r["series"] == "parametrisation":  # the unit-weight step is 1/√(L d) exactly
            assert float(r["eta"]) == pytest.approx(float(r["L_times_width"]) ** -0.5, rel=1e-6)


def test_mg_exponent(cli, tmp_path, tiny):
    rows = _draw(cli, tmp_path, "mg-exponent")
    models = [r for r in rows if r["series"] == "model"]
    assert Counter(r["task"] for r in models) == {t: len(d) * SEEDS for t, d in SIZE_DEPTHS.items()}
    assert {(r["task"], int(r["L"]), int(r["D"])) for r in models} == {
        (t, L, 2 * L) for t, ds in SIZE_DEPTHS.items() for L in ds
    }
    for r in models:
        assert float(r["excess_over_floor"]) == pytest.approx(float(r["test_mse"]) - float(r["fit_floor"]))
        assert float(r["predicted_p"]) == 0.25 and float(r["fit_p_low"]) <= float(r["fit_p_high"])
    baselines = {(r["task"], r["baseline"]) for r in rows if r["series"] == "baseline"}
    assert {("linear", "ridge"), ("linear", "least-squares"), ("sparse-linear", "zero")} <= baselines


def test_mg_allocation(cli, tmp_path, tiny):
    rows = _draw(cli, tmp_path, "mg-allocation")
    count = Counter(r["series"] for r in rows)
    shapes = sum(len(d) for d in BUDGETS.values())
    assert count == {
        "fixed-LD": shapes * SEEDS,
        "fixed-LD mean": shapes,
        "optimum": len(BUDGETS),
        "fixed-params": 3 * SEEDS,
        "tab3 deep": SEEDS,
        "tab3 wide": SEEDS,
    }
    assert all(int(r["L"]) * int(r["D"]) == int(r["budget_N"]) for r in rows if r["series"] == "fixed-LD")
    optima = [r for r in rows if r["series"] == "optimum"]
    assert sorted(int(r["budget_N"]) for r in optima) == sorted(BUDGETS)
    assert all(float(r["L_star_low"]) <= float(r["L_star"]) <= float(r["L_star_high"]) for r in optima)
    deep = {(int(r["L"]), int(r["D"])) for r in rows if r["series"] == "tab3 deep"}
    wide = {(int(r["L"]), int(r["D"])) for r in rows if r["series"] == "tab3 wide"}
    assert deep == {(16, 2)} and wide == {(1, 32)}  # N = 32 = the largest budget, depth ratio 16


def test_mg_transition(cli, tmp_path, tiny):
    rows = _draw(cli, tmp_path, "mg-transition")
    count = Counter(r["series"] for r in rows)
    n = len(HS) * len(KS)
    assert count == {
        "model": n * len(WIDTHS) * SEEDS,
        "fit mse": n,
        "fit success": n,
        "slope": len(HS),
        "slope difference": 1,
    }
    models = {(int(r["h"]), int(r["k"]), int(r["N"])) for r in rows if r["series"] == "model"}
    assert models == {(h, k, w) for h in HS for k in KS for w in WIDTHS}
    for r in rows:
        if r["series"].startswith("fit"):
            h = int(r["h"])
            assert int(r["predicted_N_c"]) == (int(r["k"]) * h) ** (2 * (h + 1))
    slopes = {int(r["h"]): float(r["predicted_slope"]) for r in rows if r["series"] == "slope"}
    assert slopes == {1: 4, 2: 6}
    (diff,) = [r for r in rows if r["series"] == "slope difference"]
    assert float(diff["predicted_slope"]) == 2 and float(diff["slope_low"]) <= float(diff["slope_high"])
