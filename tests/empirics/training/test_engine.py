"""The one training engine: members train as they would alone, AdamW as torch writes it, the stopping rules."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from iclverify.empirics.training.engine import StopRule, fit  # noqa: E402
from iclverify.runtime.errors import ParameterError  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")

F64 = torch.float64


def _problem(E: int, seed: int = 0):
    """E independent least-squares problems ‖A_e w_e − b_e‖² / n in 4 unknowns, each with its own data."""
    g = torch.Generator().manual_seed(seed)
    A = torch.randn(E, 16, 4, generator=g, dtype=F64)
    b = torch.randn(E, 16, generator=g, dtype=F64)
    return A, b


def _train(A, b, *, lrs, steps, clip=None, wd=0.0, rules=None):
    E = A.shape[0]
    w = torch.zeros(E, 4, dtype=F64, requires_grad=True)
    rules = rules or [StopRule(max_steps=s) for s in steps]
    state = fit(
        {"w": w},
        lambda step: ((torch.einsum("enk,ek->en", A, w) - b) ** 2).mean(1),
        lr=lambda step: torch.tensor(lrs, dtype=F64),
        stop=rules,
        weight_decay=wd,
        clip=clip,
        chunk=5,
    )
    return w.detach(), state


def test_each_member_trains_exactly_as_it_would_alone():
    """Own data, own learning rate, own step budget, clipping that binds: were members coupled (a shared
    clip norm, a shared step count, a moment update leaking into a stopped member), the runs would differ."""
    A, b = _problem(3)
    lrs, steps = [0.05, 0.01, 0.1], [40, 25, 60]
    together, st = _train(A, b, lrs=lrs, steps=steps, clip=0.3, wd=0.01)
    for e in range(3):
        alone, st1 = _train(A[e : e + 1], b[e : e + 1], lrs=[lrs[e]], steps=[steps[e]], clip=0.3, wd=0.01)
        assert torch.equal(together[e], alone[0])
        assert st.stopped_at[e] == st1.stopped_at[0] == steps[e]
        assert st.history[e] == st1.history[0]
    assert len({tuple(w.tolist()) for w in together}) == 3


def test_the_update_is_torch_adamw():
    A, b = _problem(1, seed=4)
    w_ref = torch.zeros(4, dtype=F64, requires_grad=True)
    opt = torch.optim.AdamW([w_ref], lr=0.03, weight_decay=0.1, foreach=False)
    for _ in range(30):
        opt.zero_grad()
        ((A[0] @ w_ref - b[0]) ** 2).mean().backward()
        opt.step()
    ours, _ = _train(A, b, lrs=[0.03], steps=[30], wd=0.1)
    torch.testing.assert_close(ours[0], w_ref.detach(), rtol=1e-12, atol=1e-14)


def test_clipping_bounds_each_members_own_gradient_norm():
    """With a tiny clip the first Adam step is the same for any gradient size; without it too (Adam is
    scale-free) — but weight decay plus clip must still leave a member's step direction its own."""
    A, b = _problem(2, seed=5)
    b[1] *= 1000.0  # a huge gradient in member 1 must not shrink member 0's step
    clipped, _ = _train(A, b, lrs=[0.01, 0.01], steps=[3, 3], clip=1e-3)
    alone, _ = _train(A[:1], b[:1], lrs=[0.01], steps=[3], clip=1e-3)
    assert torch.equal(clipped[0], alone[0])


def test_the_convergence_rule_stops_a_converged_member_and_caps_the_others():
    A, b = _problem(2, seed=1)
    rules = [StopRule(max_steps=5000, window=50, rtol=1e-6), StopRule(max_steps=120, window=50, rtol=1e-12)]
    w, st = _train(A, b, lrs=[0.05, 1e-4], steps=None, rules=rules)
    assert st.converged == [True, False]
    assert st.stopped_at[0] % 50 == 0 and 100 <= st.stopped_at[0] < 5000 and st.stopped_at[1] == 120
    lstsq = torch.linalg.lstsq(A[0], b[0]).solution
    torch.testing.assert_close(w[0], lstsq, rtol=1e-3, atol=1e-3)  # it stopped at the minimum


@pytest.mark.parametrize(
    "losses, converged",
    [([1.0] * 20, True), ([1.0] * 10 + [0.5] * 10, False), ([1.0] * 10 + [0.995] * 10, True), ([1.0] * 19, False)],
)
def test_the_rule_compares_consecutive_window_means(losses, converged):
    assert StopRule(max_steps=100, window=10, rtol=0.01).converged(losses) is converged
    assert StopRule(max_steps=100).converged(losses) is False  # a fixed budget never converges early


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(max_steps=0), "max_steps"),
        (dict(max_steps=10, window=-1), "window"),
        (dict(max_steps=10, window=5), "rtol"),
        (dict(max_steps=10, window=5, rtol=math.nan), "rtol"),
        (dict(max_steps=1.5), "max_steps"),
    ],
)
def test_bad_rules_are_refused(kw, match):
    with pytest.raises(ParameterError, match=match):
        StopRule(**kw)


def test_members_must_match_the_parameters():
    w = torch.zeros(2, 3, requires_grad=True)
    with pytest.raises(ParameterError, match="3 members on its leading axis"):
        fit({"w": w}, lambda s: w.sum(1), lr=lambda s: torch.ones(3), stop=[StopRule(max_steps=1)] * 3)


@pytest.mark.gpu
def test_cuda_float32_follows_the_cpu_float64_reference():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    A, b = _problem(3, seed=2)
    ref, _ = _train(A, b, lrs=[0.02] * 3, steps=[200] * 3, clip=1.0)
    A32, b32 = A.float().cuda(), b.float().cuda()
    w = torch.zeros(3, 4, device="cuda", requires_grad=True)
    fit(
        {"w": w},
        lambda step: ((torch.einsum("enk,ek->en", A32, w) - b32) ** 2).mean(1),
        lr=lambda step: torch.full((3,), 0.02),
        stop=[StopRule(max_steps=200)] * 3,
        clip=1.0,
    )
    torch.testing.assert_close(w.detach().cpu().double(), ref, rtol=1e-4, atol=1e-4)
