r"""The Mehta & Gupta task families: label laws, sparsity, tree leaves, and the reference predictors' errors
against exact values derived here (not read off the code)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from iclverify.empirics.training.tasks import SUCCESS_MARGIN, TASKS, Task, success_rate  # noqa: E402
from iclverify.runtime.errors import ParameterError  # noqa: E402


def _gen(seed: int):
    return torch.Generator().manual_seed(seed)


def _within(sample: np.ndarray, expected: float, z: float = 5.0) -> None:
    """The sample mean is within z standard errors of ``expected`` (a 5-SE miss has probability < 1e-6)."""
    se = sample.std(ddof=1) / math.sqrt(sample.size)
    assert abs(sample.mean() - expected) < z * se, (sample.mean(), expected, se)


@pytest.mark.parametrize(
    "task",
    [
        Task(name="linear", d=5, ell=6, rho=0.3),
        Task(name="sparse-linear", d=6, ell=6, s=2, rho=0.1),
        Task(name="tree", d=3, ell=6, h=2, rho=0.5),
        Task(name="linear", d=3, ell=2, rho=0.0),
    ],
)
def test_label_second_moment_is_one_plus_rho(task):
    b = task.sample(_gen(1), 40_000)
    labels = torch.cat([b.y, b.target[:, None]], dim=1).numpy()
    _within(labels.reshape(-1) ** 2, 1.0 + task.rho)
    _within(b.target.numpy() ** 2, task.trivial_error)
    assert task.trivial_error == 1.0 + task.rho
    # the zero predictor's error is the squared target, context by context
    assert np.array_equal(task.baselines(b)["zero"], b.target.numpy() ** 2)


def test_inputs_are_standard_normal_and_shapes():
    t = Task(name="linear", d=4, ell=7, rho=0.0)
    b = t.sample(_gen(2), 5000)
    assert (
        tuple(b.x.shape) == (5000, 8, 4)
        and tuple(b.y.shape) == (5000, 7)
        and tuple(b.target.shape) == (5000,)
        and len(b) == 5000
    )
    x = b.x.reshape(-1, 4).numpy()
    assert np.abs(x.mean(0)).max() < 5 / math.sqrt(x.shape[0])
    assert np.abs(np.cov(x.T) - np.eye(4)).max() < 0.03
    # rho = 0: labels are exactly <w, x>
    w = b.task.numpy()
    assert np.allclose(np.einsum("nid,nd->ni", b.x.numpy(), w), np.c_[b.y.numpy(), b.target.numpy()], atol=1e-12)


@settings(deadline=None, max_examples=20)
@given(st.integers(1, 8), st.data())
def test_sparse_tasks_have_exactly_s_nonzeros(d, data):
    s = data.draw(st.integers(1, d))
    t = Task(name="sparse-linear", d=d, ell=3, s=s, rho=0.0)
    b = t.sample(_gen(data.draw(st.integers(0, 1000))), 50)
    assert ((b.task != 0).sum(dim=1) == s).all()
    labels = np.einsum("nid,nd->ni", b.x.numpy(), b.task.numpy())
    assert np.allclose(labels[:, :-1], b.y.numpy(), atol=1e-12)


def test_sparse_nonzeros_have_variance_one_over_s():
    t = Task(name="sparse-linear", d=6, ell=3, s=3, rho=0.0)
    w = t.sample(_gen(3), 20_000).task.numpy()
    nz = w[w != 0]
    _within(nz**2, 1 / 3)
    # the support is uniform: every coordinate is used with probability s/d
    freq = (w != 0).mean(axis=0)
    assert np.abs(freq - 0.5).max() < 5 * math.sqrt(0.25 / 20_000)


def test_tree_labels_are_the_leaf_values_of_the_sign_pattern():
    t = Task(name="tree", d=4, ell=9, h=3, rho=0.0)
    b = t.sample(_gen(4), 300)
    x, values = b.x.numpy(), b.task.numpy()
    leaf = sum((x[..., j] > 0).astype(int) << j for j in range(3))  # bit j: the sign of coordinate j
    expected = np.take_along_axis(values, leaf, axis=1)
    assert np.array_equal(np.c_[b.y.numpy(), b.target.numpy()], expected)
    assert set(np.unique(values)) == {-1.0, 1.0} and values.shape == (300, 8)


@pytest.mark.parametrize("h, ell", [(1, 4), (2, 5), (3, 8)])
def test_tree_bayes_error_at_rho_zero(h, ell):
    """At ρ = 0 the labels in a leaf all equal its value: the Bayes predictor is exact when the query's leaf
    has a demonstration (error 0) and answers 0 when it has none (error v² = 1). Each demonstration falls in
    the query's leaf with probability 2^-h independently (signs of independent symmetric coordinates), so the
    mean error is P(no demonstration there) = (1 - 2^-h)^ℓ exactly."""
    t = Task(name="tree", d=h + 1, ell=ell, h=h, rho=0.0)
    b = t.sample(_gen(5 + h), 40_000)
    err = t.baselines(b)["bayes"]
    x = b.x.numpy()
    leaf = sum((x[..., j] > 0).astype(int) << j for j in range(h))
    empty = ~(leaf[:, :-1] == leaf[:, -1:]).any(axis=1)
    assert np.array_equal(err, empty.astype(float))  # context by context
    p = (1 - 2.0**-h) ** ell
    assert t.bayes_floor() == pytest.approx(p, rel=1e-15)
    assert abs(err.mean() - p) < 5 * math.sqrt(p * (1 - p) / err.size)


def test_tree_bayes_predictor_beats_a_majority_vote_with_noise():
    """With noise the posterior mean tanh(Σ y/ρ) is optimal in squared error: no worse (paired, 5 SE) than
    the sign of the leaf's vote, and strictly better on average."""
    t = Task(name="tree", d=2, ell=6, h=1, rho=1.0)
    b = t.sample(_gen(6), 40_000)
    bayes = t.baselines(b)["bayes"]
    x, y, target = b.x.numpy(), b.y.numpy(), b.target.numpy()
    same = (x[:, :-1, 0] > 0) == (x[:, -1:, 0] > 0)
    vote = np.sign((y * same).sum(axis=1))
    diff = (vote - target) ** 2 - bayes
    assert diff.mean() > 5 * diff.std(ddof=1) / math.sqrt(diff.size)
    assert t.bayes_floor() is None and Task(name="linear").bayes_floor() is None


def test_least_squares_and_ridge_errors_match_their_exact_means():
    """x ~ N(0, I_d), w ~ N(0, I/d), noise ρ. Least squares with ℓ > d + 1: E error = ρ (1 + d/(ℓ - d - 1))
    (inverse-Wishart mean). Bayes ridge (the posterior mean): error given the context = ρ + tr Σ_post with
    Σ_post = (XᵀX/ρ + d I)⁻¹, averaged over the same contexts."""
    d, ell, rho = 4, 10, 0.25
    t = Task(name="linear", d=d, ell=ell, rho=rho)
    b = t.sample(_gen(7), 40_000)
    base = t.baselines(b)
    _within(base["least-squares"], rho * (1 + d / (ell - d - 1)))
    X = b.x[:, :-1].numpy()
    post = np.linalg.inv(np.einsum("nid,nie->nde", X, X) / rho + d * np.eye(d))
    exact = rho + np.trace(post, axis1=1, axis2=2)
    diff = base["ridge"] - exact
    assert abs(diff.mean()) < 5 * diff.std(ddof=1) / math.sqrt(diff.size)


@pytest.mark.parametrize("d, ell, rho", [(3, 8, 0.2), (4, 10, 1.0), (8, 4, 0.5)])
def test_ridge_beats_least_squares_on_average(d, ell, rho):
    """The posterior mean is optimal in squared error. (|ℓ - d| > 3 keeps the least-squares error's variance
    finite, so the standard error means something; near ℓ = d its mean is infinite.)"""
    t = Task(name="linear", d=d, ell=ell, rho=rho)
    base = t.baselines(t.sample(_gen(8), 20_000))
    diff = base["least-squares"] - base["ridge"]
    assert diff.mean() > 5 * diff.std(ddof=1) / math.sqrt(diff.size)
    assert "ridge" not in Task(name="linear", d=d, ell=ell, rho=0.0).baselines(t.sample(_gen(8), 10))


def test_least_squares_is_exact_without_noise_when_determined():
    t = Task(name="sparse-linear", d=3, ell=5, s=2, rho=0.0)
    assert t.baselines(t.sample(_gen(9), 200))["least-squares"].max() < 1e-20


@settings(deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=1, max_size=30), st.data())
def test_success_rate_counts_strictly_within_the_margin(target, data):
    target = np.array(target)
    off = st.floats(-2, 2).filter(
        lambda o: abs(abs(o) - SUCCESS_MARGIN) > 1e-9
    )  # away from the margin itself (round-off)
    offsets = np.array(data.draw(st.lists(off, min_size=len(target), max_size=len(target))))
    expected = sum(abs(o) < SUCCESS_MARGIN for o in offsets) / len(target)
    assert success_rate(target + offsets, target) == pytest.approx(expected)
    assert success_rate(target, target) == 1.0
    assert success_rate(target + SUCCESS_MARGIN * 4, target) == 0.0


def test_success_rate_margin_is_strict():
    assert success_rate([1.5, 0.5, 1.0], [1.0, 1.0, 1.0], margin=0.5) == pytest.approx(1 / 3)
    assert success_rate([0.0, 2.0], [1.0, 1.0], margin=1.0001) == 1.0


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(name="quadratic"), "task must be one of"),
        (dict(d=0), "d must be an integer >= 1"),
        (dict(ell=2.5), "ell must be an integer"),
        (dict(ell=True), "ell must be an integer"),
        (dict(s=0), "s must be"),
        (dict(h=0), "h must be"),
        (dict(rho=-0.1), "rho must be a finite number >= 0"),
        (dict(rho=math.nan), "rho must be a finite number >= 0"),
        (dict(rho="a"), "rho must be a number"),
        (dict(name="sparse-linear", d=3, s=4), "s <= d"),
        (dict(name="tree", d=2, h=3), "h <= d"),
    ],
)
def test_validation(kw, match):
    with pytest.raises(ParameterError, match=match):
        Task(**kw)


def test_sample_size_is_validated_and_every_family_is_covered():
    with pytest.raises(ParameterError, match="n must be an integer >= 1"):
        Task().sample(_gen(0), 0)
    assert set(TASKS) == {"linear", "sparse-linear", "tree"}
    assert Task(rho=1).rho == 1.0 and isinstance(Task(rho=1).rho, float)
