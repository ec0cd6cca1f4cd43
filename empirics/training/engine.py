r"""The one training engine: E independent members in one batched pass, AdamW, per-member clipping and stopping.

Members are stacked along a leading axis (every parameter tensor is (E, …)); the caller's ``losses(step)``
returns the (E,) per-member losses on each member's own minibatch. The engine sums them (members share no
parameter, so each gradient is its member's own), clips each member's gradient to its own norm, and takes
an elementwise AdamW step with each member's own learning rate:

.. math::
    m \leftarrow \beta_1 m + (1-\beta_1) g,\quad v \leftarrow \beta_2 v + (1-\beta_2) g^2,\quad
    \theta \leftarrow \theta(1 - \eta\lambda) - \frac{\eta}{1-\beta_1^t}\,\frac{m}{\sqrt{v/(1-\beta_2^t)} + \epsilon}

(torch's AdamW, written out so that a member that has stopped keeps its weights and moments exactly).
Every operation is elementwise in the member or a per-member reduction, so a member trains as it would
alone (float64: equal up to the round-off of batched matrix products).

**Stopping** (:class:`StopRule`, one per member). A fixed budget (``window = 0``): exactly ``max_steps``
steps — for claims about "a fixed number of gradient steps". The convergence rule (``window > 0``): at
every multiple s of ``window`` with s ≥ 2·window, let m₁ and m₂ be the member's mean training loss over
steps (s − 2w, s − w] and (s − w, s]; the member has converged and stops when
|m₁ − m₂| ≤ ``rtol``·m₁, and in any case at ``max_steps`` (then ``converged`` is False).

>>> import torch
>>> w = torch.zeros(3, 2, requires_grad=True)                         # three members, 2 weights each
>>> target = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=w.dtype)
>>> run = fit({"w": w}, lambda step: ((w - target) ** 2).sum(1), lr=lambda step: torch.full((3,), 0.1),
...           stop=[StopRule(max_steps=5000, window=50, rtol=1e-6)] * 3)
>>> torch.allclose(w, target, atol=1e-3), all(run.converged), run.stopped_at[0] < 5000
(True, True, True)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

from iclverify.runtime.device import require_torch
from iclverify.runtime.errors import ParameterError

__all__ = ["BETAS", "EPS", "EngineState", "StopRule", "fit"]

BETAS = (0.9, 0.999)
EPS = 1e-8
CLIP_EPS = 1e-12


@dataclasses.dataclass(frozen=True, kw_only=True)
class StopRule:
    """``max_steps`` steps at most; ``window`` > 0 adds the convergence rule (module docstring) with ``rtol``.

    >>> StopRule(max_steps=100).describe()
    'a fixed budget of 100 steps'
    >>> StopRule(max_steps=4000, window=200, rtol=0.01).describe()
    'until the mean train loss changes by at most 1% between consecutive windows of 200 steps (at most 4000 steps)'
    """

    max_steps: int
    window: int = 0
    rtol: float = 0.0

    def __post_init__(self) -> None:
        for name, low in (("max_steps", 1), ("window", 0)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ParameterError(f"{name} must be an integer >= {low}, got {v!r}")
        if not (math.isfinite(self.rtol) and self.rtol >= 0) or (self.window > 0 and self.rtol <= 0):
            raise ParameterError(f"rtol must be a finite number > 0 with a window (>= 0 without), got {self.rtol!r}")

    @property
    def fixed(self) -> bool:
        return self.window == 0

    def converged(self, losses: Sequence[float]) -> bool:
        """True when the last two windows of ``losses`` (one value per step) meet the rule."""
        w = self.window
        if w == 0 or len(losses) < 2 * w or len(losses) % w:
            return False
        m1 = math.fsum(losses[-2 * w : -w]) / w
        m2 = math.fsum(losses[-w:]) / w
        return abs(m1 - m2) <= self.rtol * abs(m1)

    def describe(self) -> str:
        if self.fixed:
            return f"a fixed budget of {self.max_steps} steps"
        return (
            f"until the mean train loss changes by at most {self.rtol:.0%} between consecutive windows of "
            f"{self.window} steps (at most {self.max_steps} steps)"
        )


@dataclasses.dataclass
class EngineState:
    """Where a run stands: the step, the AdamW moments, who is still training, and the loss record."""

    step: int
    moments: dict[str, tuple[Any, Any]]
    active: list[bool]
    stopped_at: list[int | None]
    converged: list[bool]
    recent: list[list[float]]  # per member, the losses of the current two windows (or the last steps)
    history: list[list[float]]  # per member, the mean loss of every completed chunk of ``chunk`` steps
    chunk_sum: list[float]
    chunk: int

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> EngineState:
        return cls(**state)


def _new_state(params: dict[str, Any], E: int, chunk: int) -> EngineState:
    torch = require_torch()
    return EngineState(
        step=0,
        moments={k: (torch.zeros_like(p), torch.zeros_like(p)) for k, p in params.items()},
        active=[True] * E,
        stopped_at=[None] * E,
        converged=[False] * E,
        recent=[[] for _ in range(E)],
        history=[[] for _ in range(E)],
        chunk_sum=[0.0] * E,
        chunk=chunk,
    )


def _view(t: Any, like: Any) -> Any:
    return t.view((-1,) + (1,) * (like.dim() - 1))


def fit(
    params: dict[str, Any],
    losses: Callable[[int], Any],
    *,
    lr: Callable[[int], Any],
    stop: Sequence[StopRule],
    weight_decay: Any = 0.0,
    clip: float | None = None,
    state: EngineState | None = None,
    after_step: Callable[[EngineState], None] | None = None,
    chunk: int = 0,
) -> EngineState:
    """Train the stacked ``params`` (leaf tensors (E, …) requiring grad) until every member has stopped.

    ``losses(step)`` → (E,) losses of the current weights; ``lr(step)`` → (E,) learning rates;
    ``weight_decay``: a number or an (E,) tensor; ``clip``: per-member gradient-norm bound (None: no clipping);
    ``state``: a checkpointed :class:`EngineState` to resume from; ``after_step(state)`` is called after
    every step (progress, checkpoints); ``chunk`` > 0 records the mean loss of every ``chunk`` steps.
    """
    torch = require_torch()
    E = len(stop)
    if any(p.shape[0] != E for p in params.values()):
        raise ParameterError(f"every parameter must have {E} members on its leading axis")
    st = state if state is not None else _new_state(params, E, chunk)
    b1, b2 = BETAS
    window = max([s.window for s in stop] + [1])
    while any(st.active):
        step = st.step
        values = losses(step)
        for p in params.values():
            p.grad = None
        values.sum().backward()
        active = torch.tensor(st.active, device=values.device)
        rates = lr(step).to(values.device, values.dtype)
        decay = torch.as_tensor(weight_decay, dtype=values.dtype, device=values.device).expand(E)
        grads = {k: (p.grad if p.grad is not None else torch.zeros_like(p)) for k, p in params.items()}
        if clip is not None:
            sq = sum(g.reshape(E, -1).pow(2).sum(1) for g in grads.values())
            factor = (clip / (sq.sqrt() + CLIP_EPS)).clamp(max=1.0)
            grads = {k: g * _view(factor, g) for k, g in grads.items()}
        t = step + 1
        bc1, bc2 = 1 - b1**t, math.sqrt(1 - b2**t)
        with torch.no_grad():
            for k, p in params.items():
                g, (m, v) = grads[k], st.moments[k]
                m_new = m * b1 + g * (1 - b1)
                v_new = v * b2 + g * g * (1 - b2)
                a, r, wd = _view(active, p), _view(rates, p), _view(decay, p)
                p_new = p * (1 - r * wd) - (r / bc1) * m_new / (v_new.sqrt() / bc2 + EPS)
                p.copy_(torch.where(a, p_new, p))
                st.moments[k] = (torch.where(a, m_new, m), torch.where(a, v_new, v))
        host = values.detach().double().cpu().tolist()
        st.step = t
        for e in range(E):
            if not st.active[e]:
                continue
            rec = st.recent[e]
            rec.append(host[e])
            if len(rec) > 2 * window:
                del rec[: len(rec) - 2 * window]
            if st.chunk:
                st.chunk_sum[e] += host[e]
                if t % st.chunk == 0:
                    st.history[e].append(st.chunk_sum[e] / st.chunk)
                    st.chunk_sum[e] = 0.0
            rule = stop[e]
            done = t >= rule.max_steps
            if not done and rule.window and t % rule.window == 0:
                done = rule.converged(rec[-2 * rule.window :] if len(rec) >= 2 * rule.window else rec)
                st.converged[e] = done
            if done:
                st.active[e], st.stopped_at[e] = False, t
                if st.chunk and t % st.chunk:
                    st.history[e].append(st.chunk_sum[e] / (t % st.chunk))
        if after_step is not None:
            after_step(st)
    return st
