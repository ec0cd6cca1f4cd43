r"""The k-step depth experiment: the ill-conditioned task, the best-schedule GD reference against GD run
explicitly, reading errors as GD steps, the depth fit on synthetic laws, and reproducible training."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from iclverify.empirics.experiments import k_step_depth as K  # noqa: E402
from iclverify.empirics.training.gd_construction import gd_predict  # noqa: E402
from iclverify.empirics.training.tasks import ConditionedTask  # noqa: E402
from iclverify.runtime.cache import ResultCache  # noqa: E402
from iclverify.runtime.errors import ParameterError  # noqa: E402
from iclverify.runtime.seeding import rng  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ---------------------------------------------------------------------------------------------------
# the task


def test_conditioned_task_covariance_and_labels():
    plain = ConditionedTask(d=3, ell=3, kappa=9.0, rotate=False)
    lam = plain.spectrum()
    assert lam[0] / lam[-1] == pytest.approx(9.0) and lam.sum() == pytest.approx(3.0)
    b = plain.sample(torch.Generator().manual_seed(0), 20000)
    x = b.x.reshape(-1, 3).numpy()
    assert np.abs(np.cov(x.T) - np.diag(lam)).max() < 0.05
    rot = ConditionedTask(d=3, ell=3, kappa=9.0)
    br = rot.sample(torch.Generator().manual_seed(0), 20000)
    xr = br.x.reshape(-1, 3).numpy()
    assert np.abs(np.cov(xr.T) - np.eye(3)).max() < 0.05  # E Q Λ Qᵀ = (tr Λ / d) I
    # each context keeps the spectrum: its 4 tokens' squared norms average tr Λ = 3 either way
    labels = torch.cat([br.y, br.target[:, None]], dim=1).numpy()
    assert np.mean(labels**2) == pytest.approx(1.0, abs=0.03)
    assert np.allclose(torch.einsum("nid,nd->ni", br.x, br.task).numpy()[:, -1], br.target.numpy())


@pytest.mark.parametrize("kw", [{"d": 1}, {"kappa": 0.5}, {"kappa": float("nan")}, {"rotate": 1}, {"rho": -1.0}])
def test_conditioned_task_rejects_bad_parameters(kw):
    with pytest.raises(ParameterError):
        ConditionedTask(**kw)


# ---------------------------------------------------------------------------------------------------
# the GD reference


def _fit_sample(task: ConditionedTask, contexts: int, seed: int) -> np.ndarray:
    """The reference's fitting contexts, drawn again from the documented stream (one chunk)."""
    g = rng(seed, "k-step-fit", task.d, task.ell)
    return g.standard_normal((contexts, task.ell, task.d)) * np.sqrt(task.spectrum())


def _explicit_error(task: ConditionedTask, X: np.ndarray, etas: list[float]) -> float:
    """(1/d) tr(Pᵀ Λ P) averaged over contexts, P = the residual map of GD run with ``etas`` (w ↦ w − w_k),
    built column by column from :func:`gd_predict` on noise-free labels y = X e_j."""
    d = task.d
    xq = np.zeros((X.shape[0], d))
    P = np.empty((X.shape[0], d, d))
    for j in range(d):
        e = np.zeros(d)
        e[j] = 1.0
        _, w = gd_predict(X, X @ e, xq, etas, return_weights=True)
        P[:, :, j] = e - w
    lam = task.spectrum()
    return float(np.mean(np.einsum("nij,i,nij->n", P, lam, P)) / d)


def test_best_schedule_error_equals_explicit_gd():
    task = ConditionedTask(d=3, ell=8, kappa=5.0)
    ref = K.gd_reference(task, k_max=4, contexts=400, seed=3)
    X = _fit_sample(task, 400, 3)
    assert _explicit_error(task, X, []) == pytest.approx(ref.in_sample[0], rel=1e-12)
    for k in (1, 2, 3, 4):
        etas = K.schedule_steps(ref, k)
        assert _explicit_error(task, X, etas) == pytest.approx(ref.in_sample[k], rel=1e-8)


def test_best_schedule_is_a_minimum():
    task = ConditionedTask(d=3, ell=8, kappa=5.0)
    ref = K.gd_reference(task, k_max=3, contexts=400, seed=3)
    X = _fit_sample(task, 400, 3)
    etas = K.schedule_steps(ref, 3)
    best = _explicit_error(task, X, etas)
    for j in range(3):
        for factor in (0.95, 1.05):
            moved = list(etas)
            moved[j] *= factor
            assert _explicit_error(task, X, moved) > best
    # and the best constant step of 3 steps is no better
    const = min(_explicit_error(task, X, [e] * 3) for e in np.linspace(0.05, 1.0, 40))
    assert const > best


def test_reference_matches_gd_on_sampled_rotated_contexts():
    """Out-of-sample e_GD(k) against GD run explicitly on fresh rotated contexts with their own w and query."""
    task = ConditionedTask(d=4, ell=16, kappa=10.0)
    ref = K.gd_reference(task, k_max=2, contexts=5000, seed=0)
    b = task.sample(torch.Generator().manual_seed(11), 20000)
    x, y, t = b.x.numpy(), b.y.numpy(), b.target.numpy()
    for k in (1, 2):
        err = (gd_predict(x[:, :-1], y, x[:, -1], K.schedule_steps(ref, k)) - t) ** 2
        se = math.hypot(err.std(ddof=1) / math.sqrt(err.size), ref.se[k])
        assert abs(err.mean() - ref.errors[k]) < 5 * se


def test_reference_is_reproducible_and_rejects_noise():
    task = ConditionedTask(d=3, ell=6, kappa=4.0)
    a = K.gd_reference(task, k_max=3, contexts=300, seed=5)
    b = K.gd_reference(task, k_max=3, contexts=300, seed=5)
    c = K.gd_reference(task, k_max=3, contexts=300, seed=6)
    assert np.array_equal(a.errors, b.errors) and not np.array_equal(a.errors, c.errors)
    with pytest.raises(ParameterError):
        K.gd_reference(ConditionedTask(d=3, ell=6, rho=0.1), k_max=3, contexts=10, seed=0)
    with pytest.raises(ParameterError):
        K.schedule_steps(a, 4)


# ---------------------------------------------------------------------------------------------------
# reading errors as GD steps, and the depth fit


def test_effective_steps_on_a_geometric_reference():
    ref = 0.6 ** np.arange(11)
    for k in (0.5, 1.0, 3.25, 7.9):
        assert K.effective_steps(0.6**k, ref) == pytest.approx(k)
    assert K.effective_steps(1.5, ref) == 0.0 and K.effective_steps(1e-9, ref) == 10.0  # 10 = censored
    # a reference that rises (sampling noise) is read through its running minimum: step 5 adds nothing, so
    # 0.6^4.5 lies half-way (in log) from e(5) = 0.6^4 to e(6) = 0.6^6
    bumpy = ref.copy()
    bumpy[5] = bumpy[3]
    assert K.effective_steps(0.6**4.5, bumpy) == pytest.approx(5.25)


def _synthetic(law, depths, seeds=6, noise=0.02, seed=0):
    g = np.random.default_rng(seed)
    return np.array([[0.7 ** law(L) * math.exp(noise * g.standard_normal()) for _ in range(seeds)] for L in depths])


REF = 0.7 ** np.arange(61)


def test_depth_fit_linear_law_has_slope_one():
    depths = [1, 2, 3, 4, 6, 8]
    errs = _synthetic(lambda L: 1.5 * L, depths)
    f = K.depth_fit(depths, errs, REF, fit_depths=[2, 3, 4, 6, 8], n_boot=300, seed=0, errors_se=0.02 * errs)
    lo, hi = f.s_interval
    # the best of six seeds is a little optimistic at every depth (a small intercept): s within 0.05 of 1
    assert abs(f.s - 1) < 0.05 and lo < 1.05 and hi > 0.95 and hi - lo < 0.2 and f.censored == []


def test_depth_fit_exponential_law_is_sublinear_in_k():
    depths = [1, 2, 3, 4, 5]
    errs = _synthetic(lambda L: 2.0**L, depths)
    f = K.depth_fit(depths, errs, REF, fit_depths=[2, 3, 4, 5], n_boot=300, seed=0)
    assert f.s_interval[1] < 0.5


def test_depth_fit_uses_the_best_model_of_at_most_L_layers():
    depths = [2, 4]
    errs = _synthetic(lambda L: 2.0 * L, depths)
    errs[1, :] = 5.0  # every 4-layer model failed: depth 4 is still at least as good as depth 2
    f = K.depth_fit(depths, errs, REF, fit_depths=depths, n_boot=50, seed=0)
    assert f.envelope[1] == f.envelope[0] and math.isinf(f.s)


def test_diverged_models_count_as_failed():
    depths = [2, 4, 6]
    errs = _synthetic(lambda L: 2.0 * L, depths)
    errs[2, :] = np.nan  # every 6-layer model diverged
    errs[1, 0] = np.inf
    f = K.depth_fit(depths, errs, REF, fit_depths=depths, n_boot=50, seed=0, errors_se=0.01 * np.nan_to_num(errs))
    assert f.diverged == [0, 1, 6] and f.inherited == [6] and f.envelope[2] == f.envelope[1]
    assert f.k_eff[1] == pytest.approx(8.0, abs=0.2)


def test_depth_fit_rejects_bad_shapes():
    with pytest.raises(ParameterError):
        K.depth_fit([1, 2], np.ones((3, 2)), REF, fit_depths=[1, 2], n_boot=10, seed=0)
    with pytest.raises(ParameterError):
        K.depth_fit([1, 2], np.ones((2, 2)), REF, fit_depths=[2], n_boot=10, seed=0)
    with pytest.raises(ParameterError):
        K.depth_fit([2, 1], np.ones((2, 2)), REF, fit_depths=[1, 2], n_boot=10, seed=0)


# ---------------------------------------------------------------------------------------------------
# training


def test_training_is_reproducible_from_the_seed_and_cached(tmp_path):
    setup = K.KStepSetup(d=2, ell=4, max_steps=25, window=0, rtol=0.0, test_contexts=200)
    a = K.train_depth(setup, 2, (0, 1), device="cpu")
    b = K.train_depth(setup, 2, (0, 1), device="cpu")
    assert [m["test_mse"] for m in a] == [m["test_mse"] for m in b]
    assert a[0]["test_mse"] != a[1]["test_mse"]  # two seeds: two models
    c = K.train_depth(setup, 2, (1, 0), device="cpu")  # a member does not depend on its ensemble
    assert c[1]["test_mse"] == pytest.approx(a[0]["test_mse"], rel=1e-5)
    cache = ResultCache(tmp_path)
    first = K.train_depth(setup, 2, (0, 1), device="cpu", cache=cache)
    again = K.train_depth(setup, 2, (0, 1), device="cpu", cache=cache)
    assert first == again and cache.stats()["hits"] == 1


def test_convergence_rule_stops_members():
    setup = K.KStepSetup(d=2, ell=4, max_steps=400, window=20, rtol=0.5, test_contexts=100)
    rows = K.train_depth(setup, 1, (0,), device="cpu")
    assert rows[0]["converged"] and rows[0]["steps"] < 400


def test_setup_rejects_bad_schedule():
    with pytest.raises(ParameterError):
        K.KStepSetup(warmup=0)
    with pytest.raises(ParameterError):
        K.KStepSetup(window=10, rtol=0.0).ensemble_config(2, (0,))
