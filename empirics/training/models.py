r"""Trainable in-context regressors in PyTorch: the Γ model, linear attention, softmax transformers.

Every model reads a context — ``x`` of shape (B, ℓ+1, d) and the ℓ labels ``y`` of shape (B, ℓ) — and
returns the prediction ŷ (B,) of the query's label. Tokens are z_i = (x_i, y_i) ∈ R^{d+1}; the query
token is z_{ℓ+1} = (x_{ℓ+1}, 0), so no model can see the label it predicts. Keys and values come from the
ℓ labelled tokens; every token is a query.

* :class:`GammaModel` — the reduced model of Lu et al. §2, ŷ = ⟨Γ, H_Z⟩ = x_{ℓ+1}ᵀ Γ u with
  u = [(d/ℓ) Σ_{i≤ℓ} y_i x_i, (1/ℓ) Σ_{i≤ℓ} y_i²].
* :class:`LinearAttention` — L layers of full (K, Q, V) linear self-attention with residuals,
  z_t ← z_t + σρ (1/ℓ) Σ_{i≤ℓ} ⟨Q z_t, K z_i⟩ V z_i, read out as ŷ = −(y-coordinate of the query). The
  minus sign is the convention under which L layers can run L steps of gradient descent (each layer
  turns the context labels into residuals y_i − ⟨w, x_i⟩ and the query's coordinate into −⟨w, x_{ℓ+1}⟩).
  For one layer it is a relabelling V → −V. Its per-layer weights are read and written with
  :meth:`LinearAttention.layer_weights` / :meth:`LinearAttention.set_layer_weights`, in the convention
  of :mod:`iclverify.empirics.training.gd_construction` (σ, ρ: attention and residual scales).
* :class:`Transformer` — blocks of single-head softmax attention (scores ⟨Q z_t, K z_i⟩/√(d+1)), each
  optionally followed by a one-hidden-layer GELU MLP, with residuals and (optionally) pre-LayerNorm; a
  linear head reads the query token. ``Transformer(d, blocks=1, mlp=False)`` is the paper's "one
  softmax-attention block"; ``blocks=2`` / ``3`` with the MLP are its two- and three-block models.

The width of the residual stream is the token width d+1 (no embedding, no positional encoding), as in
the paper's single-head models. :func:`build_model` makes a model from its name; :func:`initialise`
draws its weights from a CPU generator, so a model starts identically on every device.

>>> _ = torch.manual_seed(0)
>>> x, y = torch.randn(5, 4, 3), torch.randn(5, 3)
>>> [tuple(build_model(name, 3)(x, y).shape) for name in MODEL_NAMES]
[(5,), (5,), (5,), (5,)]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch  # an ImportError here means the optional extra is missing: pip install 'icl-verify[train]'
from torch import nn

from iclverify.empirics.training.tasks import tokens
from iclverify.runtime.errors import ParameterError
from iclverify.theory.mehta_gupta2025.formulas import attention_scale_float, residual_scale_float

__all__ = [
    "MODEL_NAMES",
    "GammaModel",
    "LinearAttention",
    "Transformer",
    "build_model",
    "context_summary",
    "initialise",
    "parameter_count",
    "tokens",
]

MODEL_NAMES = ("gamma", "linear", "softmax", "transformer")
SCALINGS = ("unit", "mehta-gupta")


def context_summary(x, y):
    r"""u = [(d/ℓ) Σ_{i≤ℓ} y_i x_i, (1/ℓ) Σ_{i≤ℓ} y_i²] of shape (B, d+1); then H_Z = x_{ℓ+1} uᵀ."""
    ell, d = y.shape[1], x.shape[-1]
    first = torch.einsum("bi,bij->bj", y, x[:, :-1]) * (d / ell)
    return torch.cat([first, (y * y).mean(dim=1, keepdim=True)], dim=1)


class GammaModel(nn.Module):
    r"""ŷ = ⟨Γ, H_Z⟩ = x_{ℓ+1}ᵀ Γ u with Γ ∈ R^{d×(d+1)}: linear in Γ, so ridge training has one minimiser.

    >>> m = GammaModel(2); _ = m.gamma.data.copy_(torch.tensor([[1., 0., 0.], [0., 0., 0.]]))
    >>> x = torch.tensor([[[1., 0.], [2., 0.]]]); y = torch.tensor([[3.]])  # ℓ = 1, x_q = (2, 0)
    >>> m(x, y).tolist()  # x_q[0] · (d/ℓ) y_1 x_1[0] = 2 · 2 · 3
    [12.0]
    """

    def __init__(self, d: int) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.zeros(d, d + 1))

    def forward(self, x, y):
        return torch.einsum("bi,ij,bj->b", x[:, -1], self.gamma, context_summary(x, y))


class LinearAttentionLayer(nn.Module):
    """z_t ← z_t + s Σ_{i≤ℓ} ⟨Q z_t, K z_i⟩ V z_i / ℓ, computed as (Q z_t)ᵀ [Σ_i (K z_i)(V z_i)ᵀ] in O(B ℓ w²)."""

    def __init__(self, width: int, scale: float = 1.0) -> None:
        super().__init__()
        self.scale = scale
        self.query, self.key, self.value = (nn.Linear(width, width, bias=False) for _ in range(3))

    def forward(self, z):
        context = z[:, :-1]
        kv = self.key(context).transpose(1, 2) @ self.value(context) * (self.scale / context.shape[1])  # (B, w, w)
        return z + self.query(z) @ kv


class LinearAttention(nn.Module):
    r"""L layers of linear self-attention; ŷ = −(y-coordinate of the query token after the last layer).

    Layer update z_t ← z_t + σρ (1/ℓ) Σ_{i≤ℓ} ⟨Q z_t, K z_i⟩ V z_i with attention scale σ and residual scale
    ρ: ``scaling="unit"`` (σ = ρ = 1, Lu et al.) or ``"mehta-gupta"`` (σ = 1/√(d+1), ρ = 1/√L) — the
    convention of :mod:`iclverify.empirics.training.gd_construction`, whose ``implied_step`` reads
    :meth:`layer_weights` with ``attn_scale=model.attn_scale, residual_scale=model.residual_scale``.
    With one layer and V's last row (0, …, 0, v), the prediction is ⟨Γ, H_Z⟩ (see :meth:`effective_gamma`).
    """

    def __init__(self, d: int, layers: int = 1, *, scaling: str = "unit") -> None:
        super().__init__()
        if scaling not in SCALINGS:
            raise ParameterError(f"scaling must be one of {', '.join(SCALINGS)}, got {scaling!r}")
        self.d = d
        unit = scaling == "unit"
        self.attn_scale = 1.0 if unit else attention_scale_float(d + 1)
        self.residual_scale = 1.0 if unit else residual_scale_float(layers)
        self.layers = nn.ModuleList(
            LinearAttentionLayer(d + 1, self.attn_scale * self.residual_scale) for _ in range(layers)
        )

    def states(self, x, y):
        """The tokens before and after each layer: L+1 tensors (B, ℓ+1, d+1), the last row the query."""
        z, out = tokens(x, y), []
        out.append(z)
        for layer in self.layers:
            z = layer(z)
            out.append(z)
        return out

    def forward(self, x, y):
        z = tokens(x, y)
        for layer in self.layers:
            z = layer(z)
        return -z[:, -1, -1]

    @property
    def attention_layers(self) -> list[LinearAttentionLayer]:
        """The layers, typed."""
        return [layer for layer in self.layers if isinstance(layer, LinearAttentionLayer)]

    def layer_weights(self) -> list[dict[str, torch.Tensor]]:
        """Per layer, the (d+1)×(d+1) matrices ``{"K", "Q", "V"}`` (detached copies) of the update above."""
        return [
            {
                "K": layer.key.weight.detach().clone(),
                "Q": layer.query.weight.detach().clone(),
                "V": layer.value.weight.detach().clone(),
            }
            for layer in self.attention_layers
        ]

    def set_layer_weights(self, weights: Sequence[Mapping[str, Any]]) -> None:
        """Load a list of ``{"K", "Q", "V"}`` matrices (one dict per layer), e.g. a gradient-descent construction."""
        if len(weights) != len(self.layers):
            raise ParameterError(f"got weights for {len(weights)} layers, the model has {len(self.layers)}")
        with torch.no_grad():
            for layer, w in zip(self.attention_layers, weights):
                for name, module in (("K", layer.key), ("Q", layer.query), ("V", layer.value)):
                    module.weight.copy_(torch.as_tensor(w[name], dtype=module.weight.dtype))

    def effective_gamma(self) -> torch.Tensor:
        r"""The Γ (d×(d+1)) of a one-layer model: its prediction is ⟨Γ, H_Z⟩ plus a label-free term.

        With A = KᵀQ, v = (v_x, v_y) the last row of V and s = σρ, the read-out is
        −(s/ℓ) Σ_i (v·z_i)(z_iᵀ A z_q) = ⟨Γ, H_Z⟩ − (s/ℓ) v_xᵀ (Σ_i x_i x_iᵀ) A_xx x_q with
        Γ = −s [ (v_y A_xxᵀ + A_yxᵀ v_xᵀ)/d ,  v_y A_yxᵀ ]; the label-free term vanishes when v_x = 0.
        """
        if len(self.layers) != 1:
            raise ParameterError("an effective Γ is defined for one layer only")
        layer, d = self.attention_layers[0], self.d
        a = layer.key.weight.T @ layer.query.weight
        v = layer.value.weight[d] * layer.scale
        v_x, v_y, a_xx, a_yx = v[:d], v[d], a[:d, :d], a[d, :d]
        first = (v_y * a_xx.T + torch.outer(a_yx, v_x)) / d
        return (-torch.cat([first, (v_y * a_yx)[:, None]], dim=1)).detach()


class SoftmaxAttention(nn.Module):
    """Single-head attention of every token over the ℓ labelled tokens: softmax(⟨Q z_t, K z_i⟩/√w) V z_i."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.query, self.key, self.value = (nn.Linear(width, width, bias=False) for _ in range(3))

    def forward(self, z):
        context = z[:, :-1]
        scores = self.query(z) @ self.key(context).transpose(1, 2) / math.sqrt(z.shape[-1])
        return torch.softmax(scores, dim=-1) @ self.value(context)


class Block(nn.Module):
    """z ← z + attn(LN(z)); then, with an MLP, z ← z + W₂ GELU(W₁ LN(z) + b₁) + b₂."""

    def __init__(self, width: int, *, mlp: bool, layernorm: bool) -> None:
        super().__init__()
        norm = (lambda: nn.LayerNorm(width)) if layernorm else nn.Identity
        self.ln_attn, self.attn = norm(), SoftmaxAttention(width)
        self.ln_mlp = norm() if mlp else None
        self.mlp = nn.Sequential(nn.Linear(width, width), nn.GELU(), nn.Linear(width, width)) if mlp else None

    def forward(self, z):
        z = z + self.attn(self.ln_attn(z))
        if self.mlp is not None and self.ln_mlp is not None:
            z = z + self.mlp(self.ln_mlp(z))
        return z


class Transformer(nn.Module):
    """Softmax-attention blocks on the tokens, a final LayerNorm (when the blocks have one) and a linear head."""

    def __init__(self, d: int, blocks: int = 2, *, mlp: bool = True, layernorm: bool | None = None) -> None:
        super().__init__()
        layernorm = mlp if layernorm is None else layernorm
        width = d + 1
        self.blocks = nn.ModuleList(Block(width, mlp=mlp, layernorm=layernorm) for _ in range(blocks))
        self.ln_f = nn.LayerNorm(width) if layernorm else nn.Identity()
        self.head = nn.Linear(width, 1, bias=False)

    def forward(self, x, y):
        z = tokens(x, y)
        for block in self.blocks:
            z = block(z)
        return self.head(self.ln_f(z[:, -1])).squeeze(-1)


def build_model(name: str, d: int, *, layers: int = 1, scaling: str = "unit") -> nn.Module:
    """``gamma``; ``linear`` (L layers); ``softmax`` (L attention-only blocks); ``transformer`` (L blocks + MLP + LN).

    ``scaling`` applies to linear attention only (see :class:`LinearAttention`).

    The paper's models: full linear attention = (``linear``, 1), one softmax block = (``softmax``, 1),
    two / three blocks = (``transformer``, 2 / 3).

    >>> parameter_count(build_model("transformer", 8, layers=2))  # 2·(3·81 + 2·(81+9) + 2·18) + 18 + 9
    945
    """
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise ParameterError(f"d must be a positive integer, got {d!r}")
    if isinstance(layers, bool) or not isinstance(layers, int) or layers < 1:
        raise ParameterError(f"layers must be a positive integer, got {layers!r}")
    if scaling != "unit" and name != "linear":
        raise ParameterError(f"scaling {scaling!r} applies to the linear model only")
    if name == "gamma":
        if layers != 1:
            raise ParameterError("the gamma model has exactly one layer")
        return GammaModel(d)
    if name == "linear":
        return LinearAttention(d, layers, scaling=scaling)
    if name == "softmax":
        return Transformer(d, layers, mlp=False)
    if name == "transformer":
        return Transformer(d, layers, mlp=True)
    raise ParameterError(f"model must be one of {', '.join(MODEL_NAMES)}, got {name!r}")


def parameter_count(model: nn.Module) -> int:
    """Number of trainable scalars."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def initialise(model: nn.Module, generator: torch.Generator, *, scale: float = 1.0) -> nn.Module:
    """Draw every weight matrix from N(0, scale²/fan_in) with ``generator`` (a CPU generator); biases 0,
    LayerNorm gains 1, Γ = 0. The model must be on the CPU; move it afterwards (same start on every device).
    """
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, 0.0, scale / math.sqrt(module.in_features), generator=generator)
                if module.bias is not None:
                    module.bias.zero_()
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
            elif isinstance(module, GammaModel):
                module.gamma.zero_()
    return model
