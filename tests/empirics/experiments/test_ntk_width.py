"""The NTK width sweep: probe contexts shared across widths, rows reproducible and cached, the trained phase."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from iclverify.empirics.experiments import ntk_width as nw  # noqa: E402
from iclverify.empirics.experiments.mg_protocol import MGProtocol  # noqa: E402
from iclverify.runtime.errors import ParameterError  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TINY = MGProtocol(steps=15, test_contexts=50)


def test_probe_contexts_depend_on_seed_and_task_only():
    a = TINY.config(layers=1, width=4, seeds=(0,))
    b = TINY.config(layers=3, width=16, seeds=(0,))
    xa, ya = nw.probe_contexts(a, 0, 5)
    xb, yb = nw.probe_contexts(b, 0, 5)
    assert torch.equal(xa, xb) and torch.equal(ya, yb)  # the same contexts at every shape
    assert xa.dtype == torch.float64 and xa.shape == (5, TINY.ell + 1, TINY.d) and ya.shape == (5, TINY.ell)
    assert not torch.equal(xa, nw.probe_contexts(a, 1, 5)[0])
    with pytest.raises(ParameterError, match="positive integer"):
        nw.probe_contexts(a, 0, 0)


def test_rows_are_bit_reproducible_and_cached(cache, monkeypatch):
    args = dict(seeds=(0, 1), phases=("init",), contexts=5, device="cpu")
    first = nw.ntk_rows(TINY, [(1, 4), (2, 6)], cache=cache, **args)
    again = nw.ntk_rows(TINY, [(1, 4), (2, 6)], **args)  # no cache: recomputed
    key = ("L", "D", "seed", "phase", "lambda_min", "lambda_max", "trace_over_n", "params")
    assert [[r[k] for k in key] for r in first] == [[r[k] for k in key] for r in again]
    assert len({r["lambda_min"] for r in first}) == 4

    def refuse(*a, **k):
        raise AssertionError("recomputed despite the cache")

    monkeypatch.setattr(nw, "ensemble_ntk", refuse)
    assert nw.ntk_rows(TINY, [(1, 4), (2, 6)], cache=cache, **args) == first


def test_trained_phase_moves_the_kernel_and_needs_no_cache():
    rows = nw.ntk_rows(TINY, [(1, 4)], seeds=(0,), phases=("init", "trained"), contexts=4, device="cpu")
    init, trained = rows
    assert (init["phase"], trained["phase"]) == ("init", "trained")
    assert init["params"] == trained["params"]
    assert init["lambda_min"] != trained["lambda_min"]  # training changed the weights, hence the kernel
    assert "test_mse" not in init and trained["test_mse"] > 0 and trained["initial_test_mse"] > 0


def test_unknown_phase_is_refused():
    with pytest.raises(ParameterError, match="phase"):
        nw.ntk_rows(TINY, [(1, 4)], seeds=(0,), phases=("final",), contexts=4, device="cpu")
