r"""Finite pretraining data in the MG protocol, and the generalisation sweeps built on it.

The option is checked for real at tiny sizes: a run on D = steps·batch contexts *is* the online run (bit for
bit), a run on a few contexts fits them better than fresh ones, the data sets are nested in D, and an online
protocol's configurations, cache keys and rows are those it had before the option existed.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

pytest.importorskip("torch")

from iclverify.empirics.experiments import mg_protocol
from iclverify.empirics.experiments.generalisation import data_sweep, seed_matrix, size_sweep
from iclverify.empirics.experiments.mg_protocol import MGProtocol, pretrain_order, shape_rows, train_finite
from iclverify.empirics.training.ensemble import NAMESPACE, SCHEMA, EnsembleConfig, train_ensemble
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.errors import ParameterError

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TINY = MGProtocol(steps=12, batch_size=8, test_contexts=40)


def test_a_run_on_all_the_contexts_it_would_see_online_is_the_online_run():
    cfg = TINY.config(layers=1, width=4, seeds=(0, 3))
    online = train_ensemble(cfg, device="cpu")
    finite = train_finite(cfg, TINY.steps * TINY.batch_size, device="cpu")
    for a, b in zip(online, finite):
        assert a["test_mse"] == b["test_mse"] and a["initial_test_mse"] == b["initial_test_mse"]
        assert [h["loss"] for h in a["loss_history"]] == [h["loss"] for h in b["loss_history"]]
        assert b["epochs"] == 1.0 and b["gap"] == b["test_mse"] - b["train_mse"]
    one_fewer = train_finite(cfg, TINY.steps * TINY.batch_size - 1, device="cpu")  # the last step sees a repeat
    assert [r["test_mse"] for r in one_fewer] != [r["test_mse"] for r in online]


def test_a_model_trained_on_few_contexts_fits_them_better_than_fresh_ones():
    p = MGProtocol(steps=200, batch_size=8, lr=0.01, test_contexts=200)
    rows = shape_rows(dataclasses.replace(p, pretrain_contexts=8), [(1, 8)], seeds=(0, 1), device="cpu")
    for r in rows:
        assert r["train_mse"] < 0.5 * r["test_mse"], r  # 8 contexts, 200 epochs: memorised
        assert r["pretrain_contexts"] == 8 and r["epochs"] == 200.0


def test_the_training_sets_are_nested_prefixes_of_the_online_stream():
    import torch

    cfg = TINY.config(layers=1, width=4, seeds=(5,))
    small, large = (mg_protocol._pool(cfg, 5, n, torch.float64) for n in (10, 27))
    assert len(small) == 10 and len(large) == 27
    assert torch.equal(small.x, large.x[:10]) and torch.equal(small.target, large.target[:10])
    assert not torch.equal(mg_protocol._pool(cfg, 6, 10, torch.float64).x, small.x)  # another seed, other data


def test_pretrain_order_visits_every_context_once_per_epoch():
    order = pretrain_order(3, 7, 7 * 4 + 2).tolist()
    assert order[:7] == list(range(7))  # the first epoch in stream order
    epochs = [order[7 * e : 7 * (e + 1)] for e in range(1, 4)]
    assert all(sorted(e) == list(range(7)) for e in epochs)
    assert len({tuple(e) for e in epochs}) > 1  # reshuffled
    assert pretrain_order(3, 7, 30).tolist() == order and pretrain_order(4, 7, 30).tolist() != order


def test_online_configurations_keep_their_cache_keys_and_rows(tmp_path):
    """The option adds nothing to an online protocol: its ensemble configuration is the one written out
    field by field (what the cache keys were made from before), its description has no new field, and its
    rows carry no training-set fields; a finite run has its own key."""
    p = MGProtocol(steps=5, test_contexts=30)
    cfg = p.config(layers=2, width=4, seeds=(0, 1))
    direct = EnsembleConfig(
        model="gpt", layers=2, width=4, steps=5, lr=3e-3, batch_size=64, warmup=0.05, weight_decay=0.0,
        test_contexts=30, dtype="float32", seeds=(0, 1), d=4, ell=8, rho=0.01,
    )  # fmt: skip
    assert cfg == direct and "pretrain_contexts" not in cfg.to_dict()
    assert "pretrain_contexts" not in p.describe()
    assert MGProtocol(pretrain_contexts=100).describe()["pretrain_contexts"] == 100
    cache = ResultCache(tmp_path)
    assert cache.key(NAMESPACE, cfg.to_dict(), schema=SCHEMA) == cache.key(NAMESPACE, direct.to_dict(), schema=SCHEMA)
    (row,) = shape_rows(p, [(2, 4)], seeds=(0,), device="cpu", cache=cache)
    assert not {"train_mse", "gap", "pretrain_contexts", "epochs"} & set(row)
    (finite,) = shape_rows(
        dataclasses.replace(p, pretrain_contexts=50), [(2, 4)], seeds=(0,), device="cpu", cache=cache
    )
    assert cache.stats()["writes"] == 2  # the finite run is a new entry, not the online one
    again = shape_rows(dataclasses.replace(p, pretrain_contexts=50), [(2, 4)], seeds=(0,), device="cpu", cache=cache)
    assert again == [finite] and cache.stats()["hits"] == 1


@pytest.mark.parametrize("bad", [0, 1, 2.5, True, "8"])
def test_pretrain_contexts_must_be_an_integer_of_at_least_two(bad):
    with pytest.raises(ParameterError, match="pretrain_contexts"):
        MGProtocol(pretrain_contexts=bad)


def test_data_sweep_measures_the_excess_over_the_same_seeds_online_model():
    rows = data_sweep(TINY, (1, 4), [16, 24], seeds=(0, 1), device="cpu")
    online = {r["seed"]: r["test_mse"] for r in rows if r["contexts"] is None}
    finite = [r for r in rows if r["contexts"] is not None]
    assert sorted(online) == [0, 1] and len(finite) == 4
    assert all(r["excess"] == r["test_mse"] - online[r["seed"]] for r in finite)
    sized = size_sweep(TINY, [(1, 4), (2, 4)], 16, seeds=(0, 1), device="cpu")
    assert [(r["N"], r["contexts"]) for r in sized] == [(4, 16), (4, 16), (8, 16), (8, 16)]
    assert [r["test_mse"] for r in sized[:2]] == [r["test_mse"] for r in finite[:2]]  # same model, same data
    with pytest.raises(ParameterError, match="online protocol"):
        data_sweep(dataclasses.replace(TINY, pretrain_contexts=16), (1, 4), [16], seeds=(0,), device="cpu")


def test_seed_matrix_aligns_seeds_and_refuses_holes():
    rows = [{"x": x, "seed": s, "v": 10 * x + s} for x in (2, 1) for s in (1, 0)]
    xs, m = seed_matrix(rows, "x", "v")
    assert xs == [1, 2] and np.array_equal(m, [[10, 20], [11, 21]])
    with pytest.raises(ParameterError, match="no row"):
        seed_matrix(rows[:-1], "x", "v")
    with pytest.raises(ParameterError, match="two rows"):
        seed_matrix(rows + rows[:1], "x", "v")
