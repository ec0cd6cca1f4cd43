"""The three Bordelon et al. figures are registered; the depth-gain figure draws on a small grid."""

from __future__ import annotations

import csv

from iclverify.figures import FigureRequest, all_figures
from iclverify.figures import bordelon2025 as fig


def test_registered():
    assert {"bordelon2025-loss", "bordelon2025-depth-gain", "bordelon2025-rrs-exponents"} <= set(all_figures())


def test_depth_gain_files_and_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(fig, "_alphas", lambda level: fig.np.array([0.1, 1.0, 10.0]))
    paths = all_figures()["bordelon2025-depth-gain"].build(FigureRequest(out=tmp_path))
    assert [p.suffix for p in paths] == [".png", ".pdf", ".csv"] and all(p.stat().st_size > 0 for p in paths)
    rows = list(csv.DictReader(paths[2].open()))
    inf = {float(r["alpha"]): float(r["gain"]) for r in rows if r["L"] == "inf"}
    assert inf[1.0] == 0.5 and abs(inf[10.0] - 1 / 11) < 1e-12  # 1/(1+alpha) - (1-alpha)_+
    two = {float(r["alpha"]): float(r["gain"]) for r in rows if r["L"] == "2"}
    assert abs(two[1.0] - 1 / 8) < 1e-12  # c/(1+c)^3 at c = 1
