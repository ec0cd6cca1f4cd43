"""The training experiment at a tiny size: it trains, and the GD references are consistent."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from iclverify.empirics.experiments.bordelon2025_training import TrainingPoint, run_point
from iclverify.runtime.errors import ParameterError


def test_tiny_point_runs_and_caches(cache):
    p = TrainingPoint(alpha=2.0, L=2, d=4, steps=40, seeds=(0, 1), test_contexts=300, mc_contexts=300)
    r = run_point(p, device="cpu", cache=cache)
    assert r["P"] == 8 and len(r["trained_members"]) == 2
    assert r["gd_per_layer_mc"] <= r["gd_shared_mc"]
    assert r["trained_low"] <= r["trained"] <= r["trained_high"]
    assert run_point(p, device="cpu", cache=cache)["trained_members"] == r["trained_members"]


def test_bad_point():
    with pytest.raises(ParameterError):
        TrainingPoint(alpha=0.0, L=1)
