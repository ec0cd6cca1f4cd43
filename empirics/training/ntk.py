r"""The empirical neural tangent kernel (NTK) of a model on a batch of inputs, and its smallest eigenvalue.

For a scalar model f(x; θ) with parameters θ ∈ R^P and n inputs x_1, …, x_n, the Gram matrix is

.. math::

    H_{ij} = \Big\langle \frac{\partial f(x_i; θ)}{\partial θ}, \frac{\partial f(x_j; θ)}{\partial θ} \Big\rangle
           = (J J^\top)_{ij}, \qquad J_{i p} = \partial f(x_i; θ) / \partial θ_p ,

an n×n positive semi-definite matrix of rank at most min(n, P); gradient flow on the squared loss moves the
predictions as ḟ = −H (f − y), so λ_min(H) bounds the rate at which the worst direction of the residual
decays. J is computed with :mod:`torch.func` (``functional_call`` of the model at θ, ``jacrev`` for one
input, ``vmap`` over the inputs): no hand-written derivatives. A linear model f(x) = ⟨w, x⟩ has J = X, so
its NTK is X Xᵀ:

>>> import torch
>>> lin = torch.nn.Linear(3, 1, bias=False)
>>> X = torch.tensor([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]], dtype=torch.float64)
>>> fn, theta = model_function(lin.double())
>>> ntk_gram(fn, theta, X).tolist()  # X Xᵀ = [[5, 2], [2, 2]]
[[5.0, 2.0], [2.0, 2.0]]
>>> s = spectrum(ntk_gram(fn, theta, X))  # eigenvalues of [[5, 2], [2, 2]]: (7 ± 5)/2
>>> s["lambda_min"], s["lambda_max"]
(1.0, 6.0)

Parameters can be rescaled without changing the function: θ_p = σ_p ω_p multiplies the block J_p J_pᵀ by σ_p²
(:func:`gram` with ``scales``). With σ_p² = 1/fan_in this is the kernel of the NTK parametrisation at the
same network (:func:`fan_in_scales`). Here σ² = 1/4:

>>> ntk_gram(fn, theta, X, scales={"weight": 1 / 4}).tolist()
[[1.25, 0.5], [0.5, 0.5]]

For the stacked ensembles of :mod:`iclverify.empirics.training.ensemble` (weights with a leading member axis
E), :func:`member_function` gives member ``e`` alone as a function of its own weights and of one context
(x (ℓ+1, d), y (ℓ)); masked entries (linear attention's ``gd-blocks``) have zero gradient and add nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import nn
from torch.func import functional_call, jacrev, vmap

from iclverify.runtime.errors import ParameterError

__all__ = [
    "Params",
    "ScalarFn",
    "fan_in_scales",
    "gram",
    "jacobian",
    "member_function",
    "model_function",
    "ntk_gram",
    "spectrum",
]

Params = dict[str, torch.Tensor]
ScalarFn = Callable[..., torch.Tensor]  # (params, *one input) -> a scalar prediction


def model_function(model: nn.Module) -> tuple[ScalarFn, Params]:
    """``model`` as f(θ, *one input) → scalar (the inputs get a batch axis of 1), and its detached θ."""
    theta = {k: v.detach() for k, v in model.named_parameters()}

    def fn(params: Mapping[str, torch.Tensor], *inputs: torch.Tensor) -> torch.Tensor:
        return functional_call(model, dict(params), tuple(a.unsqueeze(0) for a in inputs)).reshape(())

    return fn, theta


def member_function(model: nn.Module, member: int) -> tuple[ScalarFn, Params]:
    """Member ``member`` of a stacked ensemble as f(θ_e, x, y) → scalar on one context, and its detached θ_e
    (every parameter's slice ``[member : member + 1]``: the ensemble runs as an ensemble of one)."""
    named = dict(model.named_parameters())
    E = next(iter(named.values())).shape[0]
    if isinstance(member, bool) or not isinstance(member, int) or not 0 <= member < E:
        raise ParameterError(f"member must be an integer in [0, {E}), got {member!r}")
    theta = {k: v.detach()[member : member + 1] for k, v in named.items()}

    def fn(params: Mapping[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return functional_call(model, dict(params), (x[None, None], y[None, None])).reshape(())

    return fn, theta


def jacobian(
    fn: ScalarFn, theta: Mapping[str, torch.Tensor], *inputs: torch.Tensor, chunk: int = 16
) -> dict[str, torch.Tensor]:
    """Per parameter p, the (n, P_p) block of J: row i is ∂fn(θ, *inputs[i])/∂θ_p flattened; every tensor in
    ``inputs`` has the n inputs on axis 0. Formed ``chunk`` inputs at a time."""
    if not inputs:
        raise ParameterError("the NTK needs at least one input tensor")
    n = inputs[0].shape[0]
    if n < 1 or any(a.shape[0] != n for a in inputs):
        raise ParameterError(f"every input needs the same number n >= 1 of rows, got {[a.shape[0] for a in inputs]}")
    params = dict(theta)
    per_input = vmap(jacrev(fn), in_dims=(None, *(0 for _ in inputs)))
    blocks: dict[str, list[torch.Tensor]] = {name: [] for name in params}
    for start in range(0, n, chunk):
        jac = per_input(params, *(a[start : start + chunk] for a in inputs))
        for name, j in jac.items():
            blocks[name].append(j.reshape(j.shape[0], -1))
    return {name: torch.cat(b, dim=0) for name, b in blocks.items()}


def gram(J: Mapping[str, torch.Tensor], scales: Mapping[str, float] | None = None) -> torch.Tensor:
    """H = Σ_p s_p J_p J_pᵀ (s_p = ``scales.get(p, 1)``; all 1: the plain NTK J Jᵀ).

    With s_p = σ_p² the kernel is that of the reparametrisation θ_p = σ_p ω_p in ω (the same function): e.g.
    s_p = 1/fan_in gives the NTK parametrisation's kernel of a network drawn with N(0, 1/fan_in) weights.
    """
    scales = scales or {}
    if unknown := set(scales) - set(J):
        raise ParameterError(f"scales name parameters the Jacobian does not have: {sorted(unknown)}")
    if not J:
        raise ParameterError("the Jacobian has no parameters")
    if not scales:
        full = torch.cat(list(J.values()), dim=1)
        return full @ full.T
    terms = [float(scales.get(name, 1.0)) * (j @ j.T) for name, j in J.items()]
    H = terms[0]
    for term in terms[1:]:
        H = H + term
    return H


def ntk_gram(
    fn: ScalarFn,
    theta: Mapping[str, torch.Tensor],
    *inputs: torch.Tensor,
    chunk: int = 16,
    scales: Mapping[str, float] | None = None,
) -> torch.Tensor:
    """H = J Jᵀ (n×n) with J_i = ∂fn(θ, *inputs[i])/∂θ (:func:`jacobian`, :func:`gram`)."""
    return gram(jacobian(fn, theta, *inputs, chunk=chunk), scales)


def fan_in_scales(theta: Mapping[str, torch.Tensor], prefix: str = "w") -> dict[str, float]:
    """1/fan_in for every weight matrix whose last name component starts with ``prefix`` (``params.w_qkv``),
    stored in x @ W layout (fan_in = the second-to-last axis, as
    :class:`~iclverify.empirics.training.ensemble.EnsembleGPT` stores them); biases and gains keep 1."""
    return {
        name: 1.0 / v.shape[-2]
        for name, v in theta.items()
        if name.rsplit(".", 1)[-1].startswith(prefix) and v.ndim >= 2
    }


def spectrum(H: torch.Tensor) -> dict[str, Any]:
    """λ_min, λ_max, tr(H)/n, the condition number λ_max/λ_min (∞ when λ_min ≤ 0) and n of a symmetric H."""
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ParameterError(f"H must be a square matrix, got shape {tuple(H.shape)}")
    eig = torch.linalg.eigvalsh(H.double())
    lo, hi = float(eig[0]), float(eig[-1])
    return {
        "lambda_min": lo,
        "lambda_max": hi,
        "trace_over_n": float(eig.mean()),
        "condition": hi / lo if lo > 0 else float("inf"),
        "n": int(H.shape[0]),
    }
