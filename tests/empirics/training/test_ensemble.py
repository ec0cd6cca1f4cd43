r"""Ensembles trained in one batched pass: each member trains exactly as it would alone, the stacked models
compute what their single-model counterparts (and independent reference code) compute, an interrupted run
resumes bit for bit, and bad configurations are refused."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from iclverify.empirics.training import ensemble as ens  # noqa: E402
from iclverify.empirics.training.ensemble import (  # noqa: E402
    EnsembleConfig,
    build_ensemble,
    load_ensemble,
    member_parameter_count,
    train_ensemble,
)
from iclverify.empirics.training.gd_construction import gd_layers, gd_predict, implied_step  # noqa: E402
from iclverify.empirics.training.models import LinearAttention  # noqa: E402
from iclverify.empirics.training.tasks import Task  # noqa: E402
from iclverify.numerics.mehta_gupta2025.evaluate import transformer_param_count  # noqa: E402
from iclverify.runtime.errors import ParameterError  # noqa: E402

F64 = torch.float64


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # conftest: one torch thread for the whole module


def _config(model: str, seeds, **kw) -> EnsembleConfig:
    base = dict(
        layers=2,
        d=3,
        ell=6,
        steps=20,
        batch_size=16,
        lr=0.01,
        warmup=0.1,
        weight_decay=0.01,
        clip=0.05,
        test_contexts=100,
        dtype="float64",
        seeds=tuple(seeds),
    )
    if model == "gpt":
        base["width"] = 8
    return EnsembleConfig(model=model, **(base | kw))


def _batch(d: int, ell: int, n: int, seed: int):
    b = Task(name="linear", d=d, ell=ell, rho=0.1).sample(torch.Generator().manual_seed(seed), n)
    return b.x, b.y


# ---------------------------------------------------------------------------------------------------
# the key invariant: a member trains as it would alone


@pytest.mark.parametrize(
    "model, extra", [("lsa", {}), ("lsa", {"structure": "gd-blocks", "scaling": "unit"}), ("gpt", {})]
)
def test_each_member_trains_exactly_as_it_would_alone(model, extra, cache):
    """Clipping binds (clip 0.05) and weight decay is on: were the members coupled through a shared clip
    norm, a shared loss scale or the optimiser, the single-seed runs would differ."""
    seeds = (3, 7, 11)
    together = _config(model, seeds, **extra)
    rows = train_ensemble(together, device="cpu", cache=cache)
    weights = load_ensemble(together, cache).state_dict()
    for e, seed in enumerate(seeds):
        alone_cfg = _config(model, (seed,), **extra)
        alone = train_ensemble(alone_cfg, device="cpu", cache=cache)[0]
        alone_w = load_ensemble(alone_cfg, cache).state_dict()
        row = rows[e]
        assert row["seed"] == alone["seed"] == seed
        assert row["baselines"] == alone["baselines"]  # the same test contexts, exactly
        for key in ("test_mse", "initial_test_mse", "success"):
            assert row[key] == pytest.approx(alone[key], rel=1e-10, abs=1e-14), key
        assert [h["loss"] for h in row["loss_history"]] == pytest.approx(
            [h["loss"] for h in alone["loss_history"]], rel=1e-10
        )
        for name, value in weights.items():
            if name.startswith("params."):
                np.testing.assert_allclose(
                    value[e].numpy(), alone_w[name][0].numpy(), rtol=1e-10, atol=1e-13, err_msg=name
                )
    # the members themselves differ (own initialisation, own data)
    assert len({r["test_mse"] for r in rows}) == len(seeds)


def test_same_seeds_reproduce_and_other_seeds_change_the_result():
    a = train_ensemble(_config("gpt", (0, 1)), device="cpu")
    b = train_ensemble(_config("gpt", (0, 1)), device="cpu")
    c = train_ensemble(_config("gpt", (2, 1)), device="cpu")
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in a]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in b]
    assert c[0]["test_mse"] != a[0]["test_mse"] and c[0]["baselines"] != a[0]["baselines"]
    assert c[1]["test_mse"] == pytest.approx(a[1]["test_mse"], rel=1e-10)  # seed 1 is seed 1 wherever it sits


# ---------------------------------------------------------------------------------------------------
# what the stacked models compute


def _perturbed(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Every parameter (gains and biases included) set to random values, so no term hides at its init."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * 0.5)
    return model


@pytest.mark.parametrize(
    "scaling, structure, layers", [("mehta-gupta", "full", 3), ("unit", "full", 1), ("mehta-gupta", "gd-blocks", 2)]
)
def test_lsa_members_equal_linear_attention_with_their_weights(scaling, structure, layers):
    cfg = _config("lsa", (0, 1, 2), layers=layers, scaling=scaling, structure=structure)
    model = _perturbed(build_ensemble(cfg), 1)
    x, y = _batch(cfg.d, cfg.ell, 7, seed=2)
    E = len(cfg.seeds)
    with torch.no_grad():
        out = model(x.expand(E, *x.shape), y.expand(E, *y.shape))
        states = model.states(x.expand(E, *x.shape), y.expand(E, *y.shape))
    for e in range(E):
        single = LinearAttention(cfg.d, layers, scaling=scaling).double()
        single.set_layer_weights(model.member_weights(e))
        assert single.attn_scale == model.attn_scale and single.residual_scale == model.residual_scale
        with torch.no_grad():
            torch.testing.assert_close(out[e], single(x, y), rtol=1e-12, atol=1e-12)
            for a, b in zip(states, single.states(x, y)):
                torch.testing.assert_close(a[e], b, rtol=1e-12, atol=1e-12)
    if structure == "gd-blocks":  # the masks hold: K, Q read x only, V writes the label slot only
        w = model.member_weights(0)[0]
        assert torch.count_nonzero(w["K"][:, -1]) == 0 and torch.count_nonzero(w["K"][-1]) == 0
        assert torch.count_nonzero(w["V"][:-1]) == 0


def test_lsa_in_gd_form_runs_gradient_descent():
    """Weights of the GD construction: the ensemble's prediction is L plain GD steps, and the implied step
    read back from each member's weights is the one put in."""
    d, ell, L = 3, 8, 3
    cfg = _config("lsa", (0, 1), layers=L, d=d, ell=ell)
    model = build_ensemble(cfg)
    etas = [[0.3, 0.2, 0.1], [0.05, 0.5, 0.25]]
    with torch.no_grad():
        for e, member in enumerate(etas):
            for i, lay in enumerate(
                gd_layers(d_x=d, etas=member, attn_scale=model.attn_scale, residual_scale=model.residual_scale)
            ):
                for name, W in (("key", lay.W_K), ("query", lay.W_Q), ("value", lay.W_V)):
                    model.params[name][e, i] = torch.as_tensor(W)
    x, y = _batch(d, ell, 11, seed=3)
    with torch.no_grad():
        out = model(x.expand(2, *x.shape), y.expand(2, *y.shape))
    for e, member in enumerate(etas):
        ref = gd_predict(x[:, :-1].numpy(), y.numpy(), x[:, -1].numpy(), member)
        np.testing.assert_allclose(out[e].numpy(), ref, rtol=1e-12, atol=1e-12)
        read = [
            implied_step(
                W_K=w["K"],
                W_Q=w["Q"],
                W_V=w["V"],
                d_x=d,
                attn_scale=model.attn_scale,
                residual_scale=model.residual_scale,
            )
            for w in model.member_weights(e)
        ]
        assert [r.eta for r in read] == pytest.approx(member, rel=1e-12) and max(r.distance for r in read) < 1e-12


def _gpt_reference(
    P: dict[str, torch.Tensor], e: int, x: torch.Tensor, y: torch.Tensor, L: int, D: int
) -> torch.Tensor:
    """Member e of the GPT ensemble written out context by context, token by token: input projection of
    (x_i, y_i) and (x_q, 0); per block z += W_o softmax(q kᵀ/√D) v + b_o over the ℓ labelled tokens, then
    z += W_2 GELU(W_1 LN(z) + b_1) + b_2 (pre-LN); final LN; linear read-out of the query token."""

    def ln(v, g, c):
        mu = v.mean()
        var = ((v - mu) ** 2).mean()
        return (v - mu) / torch.sqrt(var + 1e-5) * g + c

    def gelu(v):
        return 0.5 * v * (1 + torch.erf(v / math.sqrt(2)))

    p = {k: v[e] for k, v in P.items()}
    out = []
    for b in range(x.shape[0]):
        toks = [
            torch.cat([x[b, i], (y[b, i] if i < y.shape[1] else torch.zeros((), dtype=F64)).reshape(1)])
            for i in range(x.shape[1])
        ]
        z = [t @ p["w_in"] + p["b_in"][0] for t in toks]
        for layer in range(L):
            h = [ln(zi, p["g_attn"][layer, 0], p["c_attn"][layer, 0]) for zi in z]
            qkv = [hi @ p["w_qkv"][layer] + p["b_qkv"][layer, 0] for hi in h]
            q, k, v = [t[:D] for t in qkv], [t[D : 2 * D] for t in qkv], [t[2 * D :] for t in qkv]
            new = []
            for t in range(len(z)):
                scores = torch.stack([q[t] @ k[i] / math.sqrt(D) for i in range(len(z) - 1)])
                att = torch.softmax(scores, dim=0)
                a = sum(att[i] * v[i] for i in range(len(z) - 1))
                new.append(z[t] + a @ p["w_o"][layer] + p["b_o"][layer, 0])
            z = new
            z = [
                zi
                + gelu(ln(zi, p["g_mlp"][layer, 0], p["c_mlp"][layer, 0]) @ p["w_1"][layer] + p["b_1"][layer, 0])
                @ p["w_2"][layer]
                + p["b_2"][layer, 0]
                for zi in z
            ]
        zq = ln(z[-1], p["g_f"][0], p["c_f"][0])
        out.append(zq @ p["w_out"][:, 0] + p["b_out"][0, 0])
    return torch.stack(out)


def test_gpt_members_compute_the_stated_transformer():
    L, D = 2, 6
    cfg = _config("gpt", (0, 1), layers=L, width=D, d=2, ell=4)
    model = _perturbed(build_ensemble(cfg), 4)
    x, y = _batch(cfg.d, cfg.ell, 3, seed=5)
    with torch.no_grad():
        out = model(x.expand(2, *x.shape), y.expand(2, *y.shape))
        P = {k: v.detach() for k, v in model.params.items()}
        for e in range(2):
            torch.testing.assert_close(out[e], _gpt_reference(P, e, x, y, L, D), rtol=1e-10, atol=1e-12)


@settings(deadline=None, max_examples=10)
@given(st.sampled_from(["lsa", "gpt"]), st.integers(0, 1000))
def test_predictions_ignore_the_order_of_the_demonstrations(model_name, seed):
    cfg = _config(model_name, (0,), ell=5)
    model = _perturbed(build_ensemble(cfg), seed)
    x, y = _batch(cfg.d, cfg.ell, 4, seed=seed)
    perm = torch.randperm(cfg.ell, generator=torch.Generator().manual_seed(seed + 1))
    x2 = torch.cat([x[:, perm], x[:, -1:]], dim=1)
    with torch.no_grad():
        torch.testing.assert_close(model(x[None], y[None]), model(x2[None], y[:, perm][None]), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("L, D, d", [(1, 2, 1), (2, 8, 3), (3, 16, 4), (4, 5, 7)])
def test_gpt_member_parameter_count_is_the_formula(L, D, d):
    cfg = _config("gpt", (0, 1, 2), layers=L, width=D, d=d)
    model = build_ensemble(cfg)
    expected = transformer_param_count(L, D, d_in=d + 1).total
    assert member_parameter_count(model) == expected
    assert sum(p.numel() for p in model.parameters()) == 3 * expected
    assert cfg.N == L * D and L * (d + 1) == _config("lsa", (0,), layers=L, d=d).N


# ---------------------------------------------------------------------------------------------------
# interruption and the cache


class Interrupt(Exception):
    pass


@pytest.mark.parametrize("model", ["lsa", "gpt"])
def test_an_interrupted_run_resumes_bit_identically(model, cache, tmp_path):
    from iclverify.runtime.cache import ResultCache

    cfg = _config(model, (0, 5), steps=30)
    reference = train_ensemble(cfg, device="cpu", cache=ResultCache(tmp_path / "uninterrupted"))
    ref_weights = load_ensemble(cfg, ResultCache(tmp_path / "uninterrupted")).state_dict()

    def stop_at_17(description, completed, total):
        if description.startswith("training") and completed == 17:
            raise Interrupt

    with pytest.raises(Interrupt):
        ens.train_ensemble(cfg, device="cpu", cache=cache, progress=stop_at_17, checkpoint_seconds=0)
    ckpt = cache.path(ens.NAMESPACE, cfg.to_dict(), schema=ens.SCHEMA, suffix=".ckpt.pt")
    assert ckpt.exists() and cache.get(ens.NAMESPACE, cfg.to_dict(), schema=ens.SCHEMA) is None
    assert torch.load(ckpt, weights_only=False)["engine"]["step"] == 16  # the last step saved before the interruption

    seen = []
    resumed = train_ensemble(
        cfg, device="cpu", cache=cache, progress=lambda d, c, t: seen.append(c) if d.startswith("training") else None
    )
    assert seen[0] == 17  # it went on from the checkpoint instead of starting again
    assert not ckpt.exists()
    for a, b in zip(resumed, reference):
        assert {k: v for k, v in a.items() if k != "seconds"} == {k: v for k, v in b.items() if k != "seconds"}
    weights = load_ensemble(cfg, cache).state_dict()
    assert weights.keys() == ref_weights.keys() and all(torch.equal(weights[k], ref_weights[k]) for k in weights)

    # finished: served from the cache, training never starts
    again = train_ensemble(
        cfg, device="cpu", cache=cache, progress=lambda *a: (_ for _ in ()).throw(AssertionError("trained again"))
    )
    assert again == resumed


# ---------------------------------------------------------------------------------------------------
# configuration


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(model="rnn"), "model must be one of lsa, gpt"),
        (dict(layers=0), "layers must be a positive integer"),
        (dict(steps=1.5), "steps must be a positive integer"),
        (dict(batch_size=True), "batch_size must be a positive integer"),
        (dict(test_contexts=0), "test_contexts must be a positive integer"),
        (dict(model="lsa", width=4), "width is d\\+1"),
        (dict(model="lsa", scaling="xavier"), "scaling must be 'unit' or 'mehta-gupta'"),
        (dict(model="lsa", structure="diagonal"), "structure must be 'full' or 'gd-blocks'"),
        (dict(model="gpt", width=8, structure="gd-blocks"), "structure applies to linear self-attention only"),
        (dict(model="gpt", width=None), "integer width >= 2"),
        (dict(model="gpt", width=1), "integer width >= 2"),
        (dict(model="gpt", width=8, task="sparse-linear", d=2, s=3), "s <= d"),
        (dict(model="gpt", width=8, rho=-1), "rho"),
        (dict(model="gpt", width=8, lr=0), "lr must be a finite number > 0"),
        (dict(model="gpt", width=8, lr=math.inf), "lr must be a finite number > 0"),
        (dict(model="gpt", width=8, weight_decay=-0.1), "weight_decay must be a finite number >= 0"),
        (dict(model="gpt", width=8, clip=0), "clip must be a finite number > 0"),
        (dict(model="gpt", width=8, init_scale=math.nan), "init_scale must be a finite number > 0"),
        (dict(model="gpt", width=8, warmup=1.0), "warmup must be a fraction in \\[0, 1\\)"),
        (dict(model="gpt", width=8, dtype="float16"), "dtype must be float32 or float64"),
        (dict(model="gpt", width=8, seeds=()), "seeds must be distinct and at least one"),
        (dict(model="gpt", width=8, seeds=(1, 1)), "seeds must be distinct"),
        (dict(model="gpt", width=8, seeds=(-1,)), "seed must be a non-negative integer"),
    ],
)
def test_bad_configurations_are_refused(kw, match):
    with pytest.raises(ParameterError, match=match):
        EnsembleConfig(**kw)


def test_learning_rate_warms_up_then_decays_to_zero():
    cfg = _config("gpt", (0,), steps=100, warmup=0.1, lr=0.02)
    lrs = [cfg.lr_at(s) for s in range(cfg.steps)]
    assert lrs[:10] == pytest.approx([0.02 * (s + 1) / 10 for s in range(10)])  # linear over ⌈0.1·100⌉ steps
    assert lrs[10] == pytest.approx(0.02) and all(a >= b for a, b in itertools.pairwise(lrs[10:]))
    assert cfg.lr_at(55) == pytest.approx(0.01)  # half-way through the cosine
    assert cfg.lr_at(100) == pytest.approx(0.0, abs=1e-15) and 0 < lrs[-1] < 1e-4
    assert _config("gpt", (0,), warmup=0.0).lr_at(0) == pytest.approx(0.01)


@pytest.mark.gpu
@pytest.mark.parametrize("model", ["lsa", "gpt"])
def test_cuda_float32_ensemble_follows_the_cpu_float64_reference(model):
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    cfg = _config(model, (0, 1, 2), steps=50, clip=1.0)
    reference = train_ensemble(cfg, device="cpu")
    gpu = train_ensemble(cfg.replace(dtype="float32"), device="cuda")
    for a, b in zip(gpu, reference):
        assert a["device"].startswith("cuda")
        assert a["test_mse"] == pytest.approx(b["test_mse"], rel=2e-3)
        assert a["baselines"] == pytest.approx(b["baselines"], rel=1e-5)  # the same contexts, drawn on the CPU
