r"""Lu et al. (2024): the one table of theory formulas the numerics evaluate, compiled per back end.

Each entry names an expression of :mod:`iclverify.theory.lu2024.formulas` and the arguments it is
called with; :func:`formulas` compiles the table for ``mp`` / ``iv`` (:mod:`.certified`) or ``numpy``
(:mod:`.vectorised`), so the certified and the float path evaluate the same SymPy expressions.
The intermediate quantities are computed here once for every back end:
:math:`x^* = (1+\rho)/\alpha`, :math:`m^* = M_\kappa(x^*)`, :math:`\mu^* = x^* M_{\kappa/\tau}(x^*)`.

>>> f = formulas("numpy")
>>> x = f["x_star"](1.0, 0.01)
>>> m = m_star(x, 0.5, "numpy")
>>> round(float(f["e_icl>"](x, m, 2.0, 0.5, 0.01)), 13), round(float(f["e_idg>"](x, m, 2.0, 0.01)), 13)
(1.2339925430392, 0.6095614063497)
"""

from __future__ import annotations

from functools import cache

import mpmath

from iclverify.numerics import marchenko_pastur as mpt
from iclverify.numerics.backends import Backend, Compiled, Mp, Table, compile_table
from iclverify.theory.lu2024 import formulas as th

__all__ = ["formulas", "m_star", "mu_star"]


@cache
def formulas(backend: Backend) -> Compiled:
    """The theory's expressions compiled for ``backend`` (``mp``, ``iv`` or ``numpy``), built once per back end.

    ``>``/``<``: the ridgeless branches :math:`\\tau \\gtrless 1` (``inf``: at :math:`\\kappa = \\infty`, the SymPy
    limit); ``fixed_point``, ``e_icl_ridge`` and ``e_idg_ridge`` (the conjecture :math:`-\\tau c_e`) for
    :math:`\\lambda > 0`; ``jensen`` the stable form of the bracket's upper end; ``bayes`` the Bayes-ridge baseline.
    """
    x, m, mu, tau, kappa, rho, lam, eps, S, Sp = (
        th.x,
        th.m,
        th.mu,
        th.tau,
        th.kappa,
        th.rho,
        th.lam,
        th.eps,
        th.S,
        th.Sp,
    )
    icl_above, idg_below = th.e_icl_ridgeless("tau>1"), th.e_idg_ridgeless("tau<1")
    table: Table = {
        "x_star": ((th.alpha, rho), th.x_star()),
        "k_star": ((m, kappa), th.k_star()),
        "e_icl<": ((x, mu, tau, rho), th.e_icl_ridgeless("tau<1")),
        "e_icl>": ((x, m, tau, kappa, rho), icl_above),
        "e_icl>inf": ((x, m, tau, rho), th.at_infinite_kappa(icl_above)),
        "e_idg>": ((x, m, tau, rho), th.e_idg_ridgeless("tau>1")),
        "e_idg<": ((x, mu, tau, kappa, rho), idg_below),
        "e_idg<inf": ((x, mu, tau, rho), th.at_infinite_kappa(idg_below)),
        "fixed_point": ((eps, S, x, tau, lam), th.fixed_point()),
        "e_icl_ridge": ((eps, S, Sp, x, tau, rho), th.e_icl_ridge()),
        "e_idg_ridge": ((eps, S, Sp, x, tau, rho), th.e_idg_ridge_conjecture()),
        "jensen": ((x, tau, lam), th.jensen_upper_root_stable()),
        "eps0": ((x, mu, tau), th.eps0()),
        "bayes": ((th.alpha, rho), th.bayes_ridge_error_stable()),
    }
    return compile_table(table, backend)


def m_star(x: Mp, kappa: Mp, backend: Backend) -> Mp:
    r""":math:`m^* = M_\kappa(x^*)` (``kappa`` may be ``inf``).

    >>> float(m_star(1.0, float("inf"), "numpy"))
    0.5
    """
    if backend == "numpy":
        return mpt.transform_float(x, kappa)
    return mpt.transform(x, kappa, context=mpmath.iv if backend == "iv" else mpmath.mp)


def mu_star(x: Mp, kappa: Mp, tau: Mp, backend: Backend) -> Mp:
    r""":math:`\mu^* = x^* M_{\kappa/\tau}(x^*)` (``kappa`` may be ``inf``; then :math:`\kappa/\tau = \infty`).

    >>> float(mu_star(1.0, float("inf"), 0.5, "numpy"))
    0.5
    """
    if backend == "numpy":
        return x * mpt.transform_float(x, kappa / tau)
    return x * m_star(x, kappa if mpt.is_infinite(kappa) else kappa / tau, backend)
