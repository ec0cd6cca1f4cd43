r"""The IDG error at ridge :math:`\lambda > 0` by the deterministic-equivalent route of :math:`e^{\rm ICL}(\lambda)`.

**Setting** (``papers/lu2024.md`` §2–3). :math:`\Gamma^*` is ridge regression (ridge :math:`(n/d)\lambda`) of
:math:`y = \langle x, w\rangle + \epsilon` on the :math:`d^2` features :math:`h = x \otimes u`, :math:`n = \tau d^2`.
The query :math:`x \sim N(0, I_d/d)` is independent of the context summary :math:`u`, whose top block is
:math:`w` plus a fluctuation of covariance :math:`x^* I` (:math:`x^* = (1+\rho)/\alpha`). In the eigenbasis of
the task matrix :math:`R_k` (eigenvalues :math:`s`, spectral average :math:`\langle\cdot\rangle`,
:math:`\langle s\rangle = 1`) the pretraining features have, per direction, covariance :math:`c = s + x^*` and
cross-covariance with the label :math:`b = s`.

**Deterministic equivalent** (posited, the standard one for ridge regression with the best linear predictor's
residual acting as noise): the renormalised ridge :math:`\varepsilon` solves :math:`\lambda = \varepsilon(1 -
{\rm df}_1)`, :math:`{\rm df}_j = \langle c^j/(c+\varepsilon)^j\rangle/\tau`; the mean estimator is
:math:`\bar\gamma = b/(c+\varepsilon)`; the in-distribution risk is

.. math:: E_{\rm in} = \frac{\mathbb E y^2 - \langle b^2/c\rangle + \varepsilon^2 \langle b^2/(c(c+\varepsilon)^2)
   \rangle}{1 - {\rm df}_2},

and under a test law with per-direction covariance :math:`c_t` and cross-covariance :math:`b_t`,
:math:`E_t = \mathbb E_t y^2 - 2\langle b_t\bar\gamma\rangle + \langle c_t\bar\gamma^2\rangle + E_{\rm in}
\langle c_t c/(c+\varepsilon)^2\rangle/\tau`. Every average reduces (:func:`spectral_average`) to
:math:`S = \langle 1/(s+\nu)\rangle`, :math:`S' = -\langle 1/(s+\nu)^2\rangle`, :math:`\nu = x^* + \varepsilon`.

**Results**, each proved by SymPy in :func:`derivation`: (1) the fixed point is the paper's
:math:`1 - \tau + \tau\lambda/\varepsilon - \varepsilon S = 0`; (2) the ICL test law (:math:`c_t = 1 + x^*`,
:math:`b_t = 1`) gives the paper's :math:`e^{\rm ICL}(\lambda)` exactly; (3) the IDG test law is the pretraining
law (:math:`c_t = c`, :math:`b_t = b`), so :math:`e^{\rm IDG}(\lambda) = E_{\rm in} = -\tau c_e`; (4) :math:`E_t`
at the pretraining law is :math:`E_{\rm in}` (consistency). So the conjecture follows from the same ansatz that
yields the published ICL formula; in that formula :math:`-c_e` *is* :math:`E_{\rm in}/\tau`, the coefficient of
the test-covariance trace.

**Not proved here**: the deterministic equivalent itself for :math:`h = x\otimes u` (not Gaussian; the residual is
uncorrelated with :math:`h` but not independent of it) — the same assumption as behind :math:`e^{\rm ICL}(\lambda)`
— and the neglected terms: the :math:`(d+1)`-th column of :math:`\Gamma` (:math:`d` of the :math:`d^2` features),
the task mean :math:`\hat\mu \to 0`, and :math:`O(1/\ell)` corrections to the covariance of :math:`u`.

>>> sp.expand(spectral_average(s_ev**2 / (s_ev + x + eps) ** 2) - (1 - 2 * (x + eps) * S - (x + eps) ** 2 * Sp))
0
>>> [step.how for step in derivation().steps]   # the ansatz is stated; every equality is proved
['definition', 'stated', 'symbolic', 'symbolic', 'symbolic', 'symbolic']
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from iclverify.theory.derivation import Derivation, DerivationError, Step, proved_equal
from iclverify.theory.lu2024.formulas import S, Sp, c_e, e_icl_ridge, eps, fixed_point, lam, rho, tau, x

__all__ = [
    "derivation",
    "in_distribution_risk",
    "renormalised_ridge",
    "s_ev",
    "shifted_risk",
    "spectral_average",
]

s_ev = sp.Symbol("s", positive=True)  # an eigenvalue of the task matrix R_k
_t = sp.Symbol("t", positive=True)  # s + nu


def _cov() -> sp.Expr:
    """Per-direction covariance of the pretraining features: :math:`c = s + x^*`."""
    return s_ev + x


def _cross() -> sp.Expr:
    """Per-direction cross-covariance of features and label: :math:`b = s`."""
    return s_ev


def _simplify(expr: sp.Expr) -> sp.Expr:
    return sp.cancel(sp.together(expr))


def spectral_average(expr: sp.Expr) -> sp.Expr:
    r""":math:`\langle f(s)\rangle` for a rational :math:`f` whose partial fractions in :math:`t = s + \nu` hold only
    :math:`t, 1, 1/t, 1/t^2`: :math:`\langle t\rangle = 1 + \nu`, :math:`\langle 1/t\rangle = S`,
    :math:`\langle 1/t^2\rangle = -S'`. Anything else raises :class:`DerivationError`.

    >>> spectral_average(s_ev)
    1
    >>> spectral_average(1 / (s_ev + x))   # 1/(t - eps): not a function of S, S'
    Traceback (most recent call last):
    ...
    iclverify.theory.derivation.DerivationError: spectral average needs a pole at s = -nu only: ...
    """
    nu = x + eps
    g = sp.apart(_simplify(sp.sympify(expr).subs(s_ev, _t - nu)), _t)
    moments = {1: 1 + nu, 0: sp.Integer(1), -1: S, -2: -Sp}
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(g)):
        coeff, power = term.as_coeff_exponent(_t)
        if coeff.has(_t) or power not in moments:
            raise DerivationError(f"spectral average needs a pole at s = -nu only: {term}")
        total += coeff * moments[int(power)]
    return sp.expand(total)


def renormalised_ridge() -> sp.Expr:
    r"""The ridge :math:`\lambda = \varepsilon(1 - {\rm df}_1)` that the renormalised ridge :math:`\varepsilon`
    answers, :math:`{\rm df}_1 = \langle c/(c+\varepsilon)\rangle/\tau`.

    >>> sp.simplify(renormalised_ridge().subs(S, 0) - eps * (1 - 1 / tau))
    0
    """
    c = _cov()
    return eps * (1 - spectral_average(c / (c + eps)) / tau)


def in_distribution_risk() -> sp.Expr:
    r""":math:`E_{\rm in} = [\mathbb E y^2 - \langle b^2/c\rangle + \varepsilon^2\langle b^2/(c(c+\varepsilon)^2)
    \rangle]/(1 - {\rm df}_2)`, :math:`\mathbb E y^2 = \langle s\rangle + \rho` (the :math:`1/c` poles cancel).

    >>> _simplify(in_distribution_risk().subs(eps, 0) - (rho + x - x**2 * S) / (1 - 1 / tau))
    0
    """
    c, b = _cov(), _cross()
    numerator = spectral_average(s_ev + rho - b**2 / c + eps**2 * b**2 / (c * (c + eps) ** 2))
    df2 = spectral_average(c**2 / (c + eps) ** 2) / tau
    return numerator / (1 - df2)


def shifted_risk(c_test: sp.Expr, b_test: sp.Expr) -> sp.Expr:
    r""":math:`E_t = \mathbb E_t y^2 - 2\langle b_t\bar\gamma\rangle + \langle c_t\bar\gamma^2\rangle +
    E_{\rm in}\langle c_t c/(c+\varepsilon)^2\rangle/\tau`, :math:`\bar\gamma = b/(c+\varepsilon)`, with
    :math:`\mathbb E_t y^2 = 1 + \rho` (test tasks on the :math:`\sqrt d`-sphere).

    >>> _simplify(shifted_risk(_cov(), _cross()) - in_distribution_risk())
    0
    """
    c, b = _cov(), _cross()
    gbar = b / (c + eps)
    return (
        1
        + rho
        - 2 * spectral_average(b_test * gbar)
        + spectral_average(c_test * gbar**2)
        + in_distribution_risk() * spectral_average(c_test * c / (c + eps) ** 2) / tau
    )


@cache
def derivation() -> Derivation:
    """The derivation of the module doc, every equality proved by SymPy (the ansatz is a stated step)."""
    c, b = _cov(), _cross()
    steps: list[Step] = [
        Step(
            text=r"Per eigen-direction $s$ of $R_k$ the pretraining features $h = x\otimes u$ have covariance "
            r"$c = s + x^*$ and cross-covariance $b = s$ with the label; $\langle s\rangle = 1$.",
            lhs=sp.Tuple(c, b),
            how="definition",
        ),
        Step(
            text=r"Deterministic equivalent of ridge regression (residual of the best linear predictor as noise): "
            r"$\lambda = \varepsilon(1-\mathrm{df}_1)$, $E_{\rm in} = [\mathbb E y^2 - \langle b^2/c\rangle + "
            r"\varepsilon^2\langle b^2/(c(c+\varepsilon)^2)\rangle]/(1-\mathrm{df}_2)$, and $E_t$ under a shifted "
            r"test law. Assumed, as for $e^{\rm ICL}(\lambda)$; not proved for $h = x\otimes u$.",
            how="stated",
            detail="ansatz: standard deterministic equivalent for ridge regression",
        ),
        proved_equal(
            r"The renormalised ridge solves the paper's fixed point ($\times\,\tau/\varepsilon$).",
            tau / eps * (lam - renormalised_ridge()),
            fixed_point(),
            simplifier=_simplify,
        ),
        proved_equal(
            r"The ICL test law ($c_t = 1 + x^*$, $b_t = 1$) gives the paper's $e^{\rm ICL}(\lambda)$.",
            shifted_risk(1 + x, sp.Integer(1)),
            e_icl_ridge(),
            simplifier=_simplify,
        ),
        proved_equal(
            r"The IDG test law is the pretraining law: $E_t(c, b) = E_{\rm in}$.",
            shifted_risk(c, b),
            in_distribution_risk(),
            simplifier=_simplify,
        ),
        proved_equal(
            r"Hence $e^{\rm IDG}(\lambda) = E_{\rm in} = -\tau c_e$.",
            in_distribution_risk(),
            -tau * c_e(),
            simplifier=_simplify,
        ),
    ]
    return Derivation(
        id="lu2024.idg-ridge",
        title=r"IDG error at ridge $\lambda > 0$ by the deterministic equivalent",
        steps=tuple(steps),
        summary=r"Under the ansatz that reproduces $e^{\rm ICL}(\lambda)$, $e^{\rm IDG}(\lambda) = -\tau c_e$.",
        result=-tau * sp.Symbol("c_e"),
    )
