r"""Lu et al. (2024) at any precision: :math:`e^{\rm ICL}`, :math:`e^{\rm IDG}`, :math:`g_{\rm task}` and the
ridge root.

Every formula is lambdified from :mod:`iclverify.theory.lu2024.formulas` (written once, in SymPy) for two mpmath
contexts: ``mp`` for point values (the root search) and ``iv`` for rigorous enclosures. :func:`evaluate`
computes an interval enclosure of each output at a working precision a little above the requested
``dps`` and raises the working precision until both ends of every enclosure print the same ``dps``
significant digits, so the digits it reports are certified (to the correctness of mpmath's interval
arithmetic), also near :math:`\tau = 1` where the formulas lose digits to :math:`1/(\tau-1)`.

* ``lam = 0`` means the ridgeless limit :math:`\lambda \to 0^+`: Result 1 and the ridgeless IDG formula,
  never the fixed point at :math:`\lambda = 0` (for :math:`\tau > 1` its root there is :math:`\varepsilon = 0`).
* ``lam > 0``: the fixed point :math:`1 - \tau + \tau\lambda/\varepsilon - \varepsilon M_\kappa(\varepsilon + x^*) = 0`
  is solved on an analytic bracket (see :func:`ridge_bracket`), its root certified by interval arithmetic
  (:mod:`iclverify.numerics.roots`); :math:`e^{\rm IDG}(\lambda) = -\tau c_e` is the *conjecture* of the
  brief (``LuPrediction.e_idg_conjectured``).
* :math:`\kappa = \infty` uses the SymPy limits of the formulas; there :math:`g_{\rm task} = 0` exactly
  (proved in :mod:`iclverify.theory.lu2024.limits`).

>>> from iclverify.theory.params import LuParams
>>> p = evaluate(LuParams(tau=2, alpha=1, kappa="0.5", rho="0.01"), dps=30)
>>> p.decimal("e_icl"), p.decimal("e_idg")
('1.23399254303921931167026097763', '0.609561406349740443887608617979')
>>> q = evaluate(LuParams(tau=2, alpha=1, kappa="0.5", rho="0.01", lam="1e-7"), dps=20)
>>> q.decimal("e_icl"), q.root.certified, q.e_idg_conjectured   # the reference code's local solver gave 1.127
('1.2339922712605756382', True, True)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from fractions import Fraction

import mpmath
from mpmath import iv, mp

from iclverify.numerics import marchenko_pastur as mpt
from iclverify.numerics.backends import Mp
from iclverify.numerics.lu2024.compiled import formulas, m_star, mu_star
from iclverify.numerics.roots import Root, bracketed_root, interval_ends, interval_precision
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.validation import exact, integer
from iclverify.theory.params import LuParams

__all__ = [
    "MAX_DPS",
    "OUTPUTS",
    "LuPrediction",
    "bayes_ridge_error",
    "check_dps",
    "evaluate",
    "ridge_bracket",
    "solve_fixed_point",
]

OUTPUTS = ("e_icl", "e_idg", "g_task")
GUARD_DIGITS = 12  # first working precision: dps + GUARD_DIGITS
MAX_DPS = 10_000
MAX_WORKING_DPS = 20_000


@dataclasses.dataclass(frozen=True, kw_only=True)
class LuPrediction:
    """The theory's predictions at one parameter point, certified to ``dps`` significant digits.

    ``e_icl``, ``e_idg``, ``g_task`` are mpmath numbers carried at ``working_dps`` (they print the
    certified ``dps`` digits via :meth:`decimal`); ``enclosures`` holds the interval each was proved to
    lie in; ``root`` is the ridge root (``None`` when ridgeless); ``e_idg_conjectured`` is True when
    ``e_idg`` is the conjecture :math:`-\\tau c_e` (:math:`\\lambda > 0`); ``certified`` is False only if the
    precision cap was hit first (never seen; the CLI says so when it happens).
    """

    params: LuParams
    dps: int
    e_icl: Mp
    e_idg: Mp
    g_task: Mp
    root: Root | None
    e_idg_conjectured: bool
    certified: bool = True
    working_dps: int = 0
    enclosures: Mapping[str, tuple[Mp, Mp]] = dataclasses.field(default_factory=dict)

    def decimal(self, name: str) -> str:
        """``name`` (e_icl, e_idg, g_task) as a decimal string with ``dps`` significant digits."""
        return _decimal(getattr(self, name), self.dps)

    def decimals(self) -> dict[str, str]:
        """All three outputs as decimal strings."""
        return {name: self.decimal(name) for name in OUTPUTS}


def _decimal(value: Mp, dps: int) -> str:
    if value == 0:
        return "0.0"
    return mpmath.nstr(value, dps, strip_zeros=False, min_fixed=-5, max_fixed=dps + 1)


def _exact(value: Fraction | float, ctx: Mp) -> Mp:
    """A parameter in ``ctx`` (an ``iv`` enclosure of the exact fraction, or its ``mp`` rounding)."""
    if value == math.inf:
        return ctx.inf if ctx is mp else iv.mpf(mp.inf)
    frac = Fraction(value)
    return ctx.mpf(frac.numerator) / frac.denominator


def check_dps(dps: object, *, name: str = "dps") -> int:
    """The requested significant digits: an integer in ``[1, MAX_DPS]``.

    >>> check_dps(30)
    30
    """
    return integer(name, dps, low=1, high=MAX_DPS)


def ridge_bracket(x: Mp, tau: Mp, lam: Mp, kappa: Mp) -> tuple[Mp, Mp]:
    r"""An analytic bracket :math:`[\varepsilon_{lo}, \varepsilon_{hi}]` of the ridge root (``mp``, current precision).

    :math:`f(\varepsilon) = 1 - \tau + \tau\lambda/\varepsilon - \varepsilon M_\kappa(\varepsilon + x^*)` falls strictly
    (:math:`\tau\lambda/\varepsilon` falls and :math:`\varepsilon M_\kappa(\varepsilon+x) = \mathbb
    E[\varepsilon/(s+x+\varepsilon)]`
    rises), so the root is unique. Lower end: :math:`f(\lambda) = 1 - \lambda M_\kappa(\lambda + x^*) > 0`
    because :math:`zM_\kappa(z) < 1`; for :math:`\tau < 1` also :math:`f(\varepsilon_0) = \tau\lambda/\varepsilon_0 > 0`
    (:math:`\varepsilon_0` solves the :math:`\lambda = 0` equation), so :math:`\varepsilon_{lo} = \max(\lambda,
    \varepsilon_0)`.
    Upper end: Jensen's :math:`M_\kappa(z) \ge 1/(1+z)` puts :math:`f` below a strictly falling function with
    the closed-form root :math:`\varepsilon_J` (:func:`iclverify.theory.lu2024.formulas.jensen_upper_root`), so
    :math:`f(\varepsilon_J) \le 0` (:math:`= 0` at :math:`\kappa = \infty`). For :math:`\tau > 1`,
    :math:`\varepsilon_J < \tau\lambda/(\tau - 1)`.

    >>> with mp.workdps(20):
    ...     lo, hi = ridge_bracket(mp.mpf("1.01"), mp.mpf(2), mp.mpf("1e-7"), mp.mpf("0.5"))
    >>> mp.nstr(lo, 5), mp.nstr(hi, 8)
    ('1.0e-7', '1.9999998e-7')
    """
    f = formulas("mp")
    hi = f["jensen"](x, tau, lam)  # the form without cancellation, chosen by the sign of B
    lo = lam
    if tau < 1:
        lo = max(lam, f["eps0"](x, mu_star(x, kappa, tau, "mp"), tau))
    if lo >= hi:  # only when lambda or eps0 round onto the Jensen root (kappa = inf): widen by rounding
        lo = hi * (1 - mp.mpf(2) ** (-(mp.prec // 2)))  # in mp: a float 1 - 2**-79 rounds to 1
    return lo, hi


def solve_fixed_point(params: LuParams, *, dps: int = 30) -> Root:
    """The certified ridge root :math:`\\varepsilon` (``lam > 0``), its bracket and residual, at ``dps`` digits.

    >>> r = solve_fixed_point(LuParams(tau="0.5", alpha=1, kappa="0.5", rho="0.01", lam="1e-3"), dps=25)
    >>> mp.nstr(r.value, 20), r.certified
    ('1.6319009331834452114', True)
    """
    if params.ridgeless:
        raise ParameterError("the fixed point is for lam > 0; lam = 0 is the ridgeless limit, with closed forms")
    root = evaluate(params, dps=check_dps(dps)).root
    assert root is not None  # lam > 0: evaluate solved the fixed point
    return root


def _root(p: dict[str, Mp], pi: dict[str, Mp], dps: int) -> Root:
    """Solve and certify the fixed point at the current ``mp`` precision (``p``: mp values, ``pi``: intervals)."""
    fm, fi = formulas("mp"), formulas("iv")

    def f(e: Mp) -> Mp:
        return fm["fixed_point"](e, mpt.transform(e + p["x"], p["kappa"]), p["x"], p["tau"], p["lam"])

    def f_iv(e: Mp) -> Mp:
        s = mpt.transform(e + pi["x"], pi["kappa"], context=iv)
        return fi["fixed_point"](e, s, pi["x"], pi["tau"], pi["lam"])

    lo, hi = ridge_bracket(p["x"], p["tau"], p["lam"], p["kappa"])
    # the bracket narrows with the working precision: outputs may amplify its width (alpha -> 0, tau -> 1)
    return bracketed_root(f, lo, hi, f_interval=f_iv, rel_width=mp.mpf(10) ** (-max(dps + 8, mp.dps - 20)))


def _enclose(params: LuParams, wp: int, dps: int) -> tuple[dict[str, Mp], Root | None]:
    """Interval enclosures of the three outputs at ``wp`` working digits (and the root, if any)."""
    fi = formulas("iv")
    kappa_inf = params.kappa == math.inf
    with mp.workdps(wp), interval_precision(mp.prec):
        names = ("tau", "alpha", "kappa", "rho", "lam")
        pi = {n: _exact(getattr(params, n), iv) for n in names}
        p = {n: _exact(getattr(params, n), mp) for n in names}
        pi["x"] = fi["x_star"](pi["alpha"], pi["rho"])
        p["x"] = formulas("mp")["x_star"](p["alpha"], p["rho"])
        x, tau, kappa, rho = pi["x"], pi["tau"], pi["kappa"], pi["rho"]
        root = None
        if params.ridgeless and params.tau > 1:
            m = m_star(x, kappa, "iv")
            e_icl = fi["e_icl>inf"](x, m, tau, rho) if kappa_inf else fi["e_icl>"](x, m, tau, kappa, rho)
            e_idg = fi["e_idg>"](x, m, tau, rho)
        elif params.ridgeless:
            mu = mu_star(x, kappa, tau, "iv")
            e_icl = fi["e_icl<"](x, mu, tau, rho)
            e_idg = fi["e_idg<inf"](x, mu, tau, rho) if kappa_inf else fi["e_idg<"](x, mu, tau, kappa, rho)
        else:
            root = _root(p, pi, dps)
            if not root.certified:
                return {}, root
            e = iv.mpf([root.bracket[0], root.bracket[1]])
            s = mpt.transform(e + x, kappa, context=iv)
            sp_ = mpt.derivative(s, e + x, kappa, context=iv)
            e_icl = fi["e_icl_ridge"](e, s, sp_, x, tau, rho)
            e_idg = fi["e_idg_ridge"](e, s, sp_, x, tau, rho)
        # g_task = 0 exactly at kappa = inf (lu2024_limits proves it on every branch).
        g_task = iv.mpf(0) if kappa_inf else e_icl - e_idg
        return {"e_icl": e_icl, "e_idg": e_idg, "g_task": g_task}, root


def _settled(enclosure: Mp, dps: int) -> bool:
    """Both ends print the same ``dps`` digits (or the interval is ~1e-(dps+15) narrow: a decimal tie)."""
    a, b = enclosure
    if not (mpmath.isfinite(a) and mpmath.isfinite(b)):
        return False
    if _decimal(a, dps) == _decimal(b, dps):
        return True
    scale = max(abs(a), abs(b))
    return scale > 0 and (b - a) <= scale * mp.mpf(10) ** (-(dps + 15)) and not (a <= 0 <= b)


def evaluate(params: LuParams, *, dps: int = 30) -> LuPrediction:
    """e_icl, e_idg, g_task (and the ridge root when ``lam > 0``), certified to ``dps`` significant digits.

    >>> p = evaluate(LuParams(tau=2, alpha=1, kappa="inf", rho="0.01"), dps=15)
    >>> p.decimal("e_icl") == p.decimal("e_idg"), p.decimal("g_task")
    (True, '0.0')
    """
    if not isinstance(params, LuParams):
        raise TypeError(f"evaluate needs LuParams, got {type(params).__name__}")
    dps = check_dps(dps)
    wp = dps + GUARD_DIGITS
    while True:
        intervals, root = _enclose(params, wp, dps)
        enclosures = {n: interval_ends(v) for n, v in intervals.items()}
        done = bool(enclosures) and all(_settled(enclosures[n], dps) for n in OUTPUTS)
        if done or wp >= min(MAX_WORKING_DPS, 20 * dps + 2000):
            break
        wp += max(20, wp // 2)
    if not enclosures:
        raise ArithmeticError(f"could not certify the ridge root of {params} up to {wp} digits (a bug; please report)")
    with mp.workdps(wp):
        mids = {n: (enclosures[n][0] + enclosures[n][1]) / 2 for n in OUTPUTS}
    return LuPrediction(
        params=params,
        dps=dps,
        **mids,
        root=root,
        e_idg_conjectured=not params.ridgeless,
        certified=done,
        working_dps=wp,
        enclosures=enclosures,
    )


def bayes_ridge_error(alpha: Mp, rho: Mp, *, dps: int = 30) -> Mp:
    r"""Bayes-optimal ridge error :math:`\rho(1 + S(\rho, \alpha))` at ``dps`` digits (exact decimal inputs).

    >>> mp.nstr(bayes_ridge_error(2, 1, dps=20), 20)   # = sqrt(2)
    '1.4142135623730950488'
    """
    a = exact("alpha", alpha, low=0, low_open=True)
    r = exact("rho", rho, low=0)
    with mp.workdps(check_dps(dps) + GUARD_DIGITS):
        value = formulas("mp")["bayes"](_exact(a, mp), _exact(r, mp))
    return value
