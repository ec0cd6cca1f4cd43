r"""Parameters of the models, as frozen keyword-only dataclasses validated on construction.

Values are stored exactly (the rule is :func:`iclverify.runtime.validation.exact`): a decimal or fraction
string or an ``int`` becomes a :class:`fractions.Fraction`, so ``rho=0.01``, ``rho="0.01"`` and
``rho="1/100"`` all mean exactly one hundredth to every digit the mpmath path prints (a ``float`` is read
as the shortest decimal that round-trips to it, which is what was typed). :math:`\kappa = \infty` is
``math.inf``, never a sentinel.

>>> p = LuParams(tau=2, alpha=1, kappa="0.5", rho="0.01")
>>> p.rho
Fraction(1, 100)
>>> p.branch
'tau>1'
>>> LuParams(tau=1, alpha=1, kappa=1, rho=0)
Traceback (most recent call last):
...
iclverify.runtime.errors.ParameterError: tau = 1 with lam = 0 is the interpolation threshold, where the
ridgeless error diverges; give lam > 0 or tau != 1
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any, Literal

from iclverify.runtime.errors import ParameterError
from iclverify.runtime.validation import Exact
from iclverify.runtime.validation import exact as exact_real

__all__ = ["Exact", "LuParams", "exact_real"]  # exact_real: the rule of runtime.validation.exact, re-exported

# Every field is >= 0: (bound open, i.e. > 0; infinity allowed) per field.
_RULES: dict[str, tuple[bool, bool]] = {
    "tau": (True, False),
    "alpha": (True, False),
    "kappa": (True, True),
    "rho": (False, False),
    "lam": (False, False),
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class LuParams:
    r"""Scaling-limit parameters of Lu, Letey, Zavatone-Veth, Maiti & Pehlevan (2024).

    :math:`\tau = n/d^2` pretraining contexts, :math:`\alpha = \ell/d` context length,
    :math:`\kappa = k/d` task diversity (``inf``: a fresh task per context), :math:`\rho` label-noise
    variance, :math:`\lambda \ge 0` ridge strength (0 means ridgeless, :math:`\lambda \to 0^+`).
    """

    tau: Exact
    alpha: Exact
    kappa: Exact
    rho: Exact
    lam: Exact = Fraction(0)

    def __post_init__(self) -> None:
        for name, (low_open, allow_inf) in _RULES.items():
            value = exact_real(name, getattr(self, name), low=0, low_open=low_open, allow_inf=allow_inf)
            object.__setattr__(self, name, value)  # frozen: set once, after validation
        if self.tau == 1 and self.lam == 0:
            raise ParameterError(
                "tau = 1 with lam = 0 is the interpolation threshold, where the ridgeless error "
                "diverges; give lam > 0 or tau != 1"
            )

    @property
    def ridgeless(self) -> bool:
        """True for :math:`\\lambda = 0` (the limit :math:`\\lambda \\to 0^+`)."""
        return self.lam == 0

    @property
    def branch(self) -> Literal["tau<1", "tau=1", "tau>1"]:
        """Which side of the interpolation threshold :math:`\\tau = 1` the point lies on."""
        return "tau<1" if self.tau < 1 else "tau>1" if self.tau > 1 else "tau=1"

    def replace(self, **changes: Any) -> LuParams:
        """A copy with some fields changed (validated again; any value :func:`exact_real` reads)."""
        return dataclasses.replace(self, **changes)

    def as_floats(self) -> dict[str, float]:
        """The five parameters as floats (``kappa`` may be ``inf``)."""
        return {f.name: float(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def as_strings(self) -> dict[str, str]:
        """The five parameters as exact strings, for JSON (``'1/100'``, ``'inf'``)."""
        return {f.name: str(getattr(self, f.name)) for f in dataclasses.fields(self)}
