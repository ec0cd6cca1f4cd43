r"""The ISO loss of :math:`L` steps of gradient descent with one optimal shared step (reconstructed, exact).

Model (the reduced-Γ model of the paper page with :math:`\Gamma = \gamma I`; our normalisation): a context is
:math:`X \in \mathbb R^{P\times D}` with i.i.d. :math:`N(0, 1)` entries, a task :math:`w \sim N(0, I_D/D)`,
labels :math:`y = Xw + \varepsilon`, :math:`\varepsilon \sim N(0, \rho I_P)`, :math:`\hat\Sigma = X^\top X/P`,
and :math:`L` steps :math:`v_{\ell+1} = v_\ell + \frac{\gamma}{L}\frac1P X^\top(y - Xv_\ell)` from :math:`v_0 = 0`;
the prediction for a query :math:`x_* \sim N(0, I_D)` is :math:`x_*^\top v_L` (so :math:`\mathbb E y_*^2 = 1 + \rho`).
Then :math:`w - v_L = (I - \frac\gamma L\hat\Sigma)^L w - g(\hat\Sigma)\hat\Sigma^{-1}X^\top\varepsilon/P` with
:math:`g(\lambda) = 1 - (1 - \gamma\lambda/L)^L`, and as :math:`D, P \to \infty` with :math:`c = D/P = 1/\alpha`

.. math::
   \mathcal L(\gamma) = \rho + \int (1 - \tfrac{\gamma\lambda}{L})^{2L}\, d\mu_c(\lambda)
                      + \rho c \int \frac{g(\lambda)^2}{\lambda}\, d\mu_c(\lambda),

:math:`\mu_c` the Marchenko–Pastur law of :math:`\hat\Sigma` (atom :math:`(1-\alpha)_+` at 0). Both integrands are
polynomials in :math:`\lambda` (:math:`g(0) = 0`), so :math:`\mathcal L` is a polynomial in :math:`\gamma` whose
coefficients are the moments :math:`m_k(c) = \sum_{j=1}^k N(k,j)c^{j-1}` (Narayana).

At :math:`\rho = 0` (the setting of every closed form below; with :math:`\rho > 0` only :math:`L = 1` is solved,
because the per-mode loss :math:`u^2 + \frac{\rho c}\lambda(1-u)^2` is not convex in :math:`\gamma` once
:math:`L \ge 2` and the symmetry argument fails):

* the size-biased law :math:`\lambda\,d\mu_c` is a semicircle centred at :math:`1+c` of radius :math:`2\sqrt c`
  (:math:`(\lambda_+ - \lambda)(\lambda - \lambda_-) = 4c - (\lambda - 1 - c)^2`), so
  :math:`\mathcal L'(\gamma) = -2\int\lambda(1-\gamma\lambda/L)^{2L-1}d\mu_c` vanishes at
  :math:`\gamma/L = 1/(1+c)`; :math:`\mathcal L` is strictly convex, hence
  :math:`\gamma^*(\alpha, L) = L\,\alpha/(1+\alpha)`: the per-step size :math:`\gamma^*/L = \alpha/(1+\alpha)` does not
  depend on :math:`L` (nor on :math:`D`);
* with the semicircle's moments :math:`E s^{2n} = C_n/4^n` (Catalan),
  :math:`\mathcal L(\alpha, L) = 1 - \frac{1}{1+c}\sum_{n=0}^{L-1} C_n x^n`, :math:`x = c/(1+c)^2`;
* :math:`L = 1`: :math:`1/(1+\alpha)` (with noise: :math:`\rho + (1+\rho)/(\alpha+1+\rho)`, step
  :math:`\alpha/(\alpha+1+\rho)`); :math:`L \to \infty`: :math:`(1-\alpha)_+`;
* the depth gain :math:`\mathcal L(\alpha,1) - \mathcal L(\alpha,L) = \frac1{1+c}\sum_{n=1}^{L-1}C_n x^n`
  behaves as :math:`1/\alpha` as :math:`\alpha\to\infty` and :math:`\alpha^2` as :math:`\alpha\to0` (every
  :math:`L \ge 2`), and tends to :math:`1/(1+\alpha) - (1-\alpha)_+` as :math:`L \to \infty` (largest, 1/2, at
  :math:`\alpha = 1`, where :math:`\mathcal L(1, L) \sim 1/\sqrt{\pi L}`).

>>> loss_closed_form(2, alpha=2)
5/27
>>> sp.simplify(optimal_loss_by_moments(2).subs(c, sp.Rational(1, 2)))
5/27
"""

from __future__ import annotations

from functools import cache
from typing import NoReturn

import sympy as sp

from iclverify.runtime.errors import ParameterError
from iclverify.theory.derivation import Derivation, DerivationError, Step, proved_equal, proved_limit

__all__ = [
    "alpha",
    "c",
    "depth_gain",
    "derivation_closed_form",
    "derivation_gain_limits",
    "derivation_noise",
    "derivation_one_step",
    "gamma",
    "gamma_star",
    "lam",
    "loss_closed_form",
    "loss_polynomial",
    "moment",
    "optimal_loss_by_moments",
    "rho",
    "semicircle_identity",
]

c = sp.Symbol("c", positive=True)  # D/P = 1/alpha
alpha = sp.Symbol("alpha", positive=True)
gamma = sp.Symbol("gamma", positive=True)
lam = sp.Symbol("lambda", nonnegative=True)
rho = sp.Symbol("rho", nonnegative=True)


def _check_L(L: object) -> int:
    if isinstance(L, bool) or not isinstance(L, int) or L < 1:
        raise ParameterError(f"L must be an integer >= 1, got {L!r}")
    return L


def moment(k: int, cc: sp.Expr = c) -> sp.Expr:
    r""":math:`m_k(c) = \int\lambda^k d\mu_c = \sum_{j=1}^k \frac1k\binom kj\binom k{j-1} c^{j-1}` (Narayana);
    :math:`m_0 = 1`.

    >>> [moment(k) for k in range(4)]
    [1, 1, c + 1, c**2 + 3*c + 1]
    """
    if k == 0:
        return sp.Integer(1)
    return sp.expand(sum(sp.binomial(k, j) * sp.binomial(k, j - 1) / k * cc ** (j - 1) for j in range(1, k + 1)))


def _integrate(poly_in_lam: sp.Expr, cc: sp.Expr = c) -> sp.Expr:
    """∫ p(λ) dμ_c for a polynomial p: replace λ^k by m_k(c)."""
    p = sp.Poly(sp.expand(poly_in_lam), lam)
    return sp.expand(sum(coef * moment(k, cc) for (k,), coef in p.terms()))


def loss_polynomial(L: int, *, noise: bool = False) -> sp.Expr:
    r""":math:`\mathcal L(\gamma)` as a polynomial in :math:`\gamma` with moments of :math:`\mu_c` (with the
    noise terms when ``noise``).

    >>> sp.expand(loss_polynomial(1))
    c*gamma**2 + gamma**2 - 2*gamma + 1
    """
    _check_L(L)
    signal = _integrate((1 - gamma * lam / L) ** (2 * L))
    if not noise:
        return signal
    g = 1 - (1 - gamma * lam / L) ** L
    g2_over_lam = sp.cancel(sp.expand(g**2) / lam)
    return rho + signal + rho * c * _integrate(g2_over_lam)


def gamma_star(L: int, aa: sp.Expr = alpha) -> sp.Expr:
    r"""The optimal shared step :math:`\gamma^*(\alpha, L) = L\alpha/(1+\alpha)` (:math:`\rho = 0`; proved in
    :func:`derivation_closed_form`).

    >>> gamma_star(4, sp.Integer(1))
    2
    """
    return sp.Integer(_check_L(L)) * aa / (1 + aa)


def optimal_loss_by_moments(L: int) -> sp.Expr:
    r""":math:`\mathcal L` at :math:`\gamma = L/(1+c)`, through the Narayana moments (a rational function of
    :math:`c`)."""
    return sp.cancel(loss_polynomial(L).subs(gamma, L / (1 + c)))


def loss_closed_form(L: int, *, alpha: object = None) -> sp.Expr:
    r""":math:`\mathcal L(\alpha, L) = 1 - \frac1{1+c}\sum_{n<L} C_n\bigl(\frac c{(1+c)^2}\bigr)^n`,
    :math:`c = 1/\alpha`.

    >>> loss_closed_form(1)
    1/(alpha + 1)
    """
    _check_L(L)
    cc = 1 / alpha_symbol_or(alpha)
    x = cc / (1 + cc) ** 2
    return sp.cancel(1 - sum(sp.catalan(n) * x**n for n in range(L)) / (1 + cc))


def alpha_symbol_or(value: object) -> sp.Expr:
    """The symbol α, or an exact positive value for it."""
    if value is None:
        return alpha
    v = sp.nsimplify(sp.sympify(str(value)), rational=True)
    if not v.is_positive:
        raise ParameterError(f"alpha must be > 0, got {value!r}")
    return v


def depth_gain(L: int, aa: sp.Expr = alpha) -> sp.Expr:
    r"""The gain from depth :math:`\mathcal L(\alpha,1) - \mathcal L(\alpha,L) = \frac1{1+c}\sum_{n=1}^{L-1}C_n x^n`.

    >>> sp.simplify(depth_gain(2, sp.Integer(1)))
    1/8
    """
    cc = 1 / aa
    x = cc / (1 + cc) ** 2
    return sum(sp.catalan(n) * x**n for n in range(1, _check_L(L))) / (1 + cc)


def semicircle_identity() -> Step:
    r"""The edges :math:`\lambda_\pm = (1\pm\sqrt c)^2` satisfy :math:`(\lambda_+-\lambda)(\lambda-\lambda_-) =
    4c - (\lambda-1-c)^2`."""
    lp, lm = (1 + sp.sqrt(c)) ** 2, (1 - sp.sqrt(c)) ** 2
    return proved_equal(
        r"The Marchenko--Pastur density is $\sqrt{(\lambda_+-\lambda)(\lambda-\lambda_-)}/(2\pi c\lambda)$ with "
        r"$\lambda_\pm = (1\pm\sqrt c)^2$; its radicand is symmetric about $\lambda = 1+c$, so $\lambda\,d\mu_c$ is a "
        r"semicircle of centre $1+c$ and radius $2\sqrt c$ (the atom at 0 has no weight under $\lambda$)",
        (lp - lam) * (lam - lm),
        4 * c - (lam - 1 - c) ** 2,
        simplifier=sp.expand,
    )


def _moments_from_semicircle(k_max: int) -> Step:
    """m_{k+1} = E_sc[(1+c+2√c s)^k] with E s^{2n} = C_n/4^n: the Narayana moments from the semicircle."""
    s = sp.Symbol("s")
    rows = []
    for k in range(k_max):
        p = sp.Poly(sp.expand((1 + c + 2 * sp.sqrt(c) * s) ** k), s)
        sc = sum(coef * (sp.catalan(n // 2) / 4 ** (n // 2) if n % 2 == 0 else 0) for (n,), coef in p.terms())
        rows.append(sp.expand(sc) - moment(k + 1))
    if any(r != 0 for r in rows):
        raise DerivationError("the semicircle does not reproduce the Narayana moments")
    return Step(
        text=rf"Check: the semicircle's moments reproduce the Narayana moments $m_1,\dots,m_{{{k_max}}}$ exactly",
        lhs=sp.Symbol("m_{k+1}"),
        rhs=sp.Symbol(r"\mathbb{E}_{\rm sc}(1+c+2\sqrt{c}\,s)^k"),
        how="symbolic",
        detail=f"polynomial identities in c, k < {k_max}",
    )


@cache
def derivation_closed_form(L_max: int = 5) -> Derivation:
    r"""From the moments to :math:`\gamma^* = L/(1+c)` and the Catalan sum, each proved for :math:`L \le
    L_{\max}` too."""
    steps: list[Step] = [
        Step(
            text=r"Residual after $L$ steps with $\Gamma=\gamma I$, $\rho=0$; test loss over $x_*$, $w$ and the "
            r"Marchenko--Pastur limit",
            lhs=sp.Symbol(r"\mathcal{L}(\gamma)"),
            rhs=sp.Integral((1 - gamma * lam / sp.Symbol("L")) ** (2 * sp.Symbol("L")), lam),
        ),
        semicircle_identity(),
        _moments_from_semicircle(2 * L_max),
    ]
    for L in range(1, L_max + 1):
        poly = loss_polynomial(L)
        d1 = sp.diff(poly, gamma)
        at = d1.subs(gamma, L / (1 + c))
        if sp.cancel(at) != 0:
            raise DerivationError(f"L'(L/(1+c)) != 0 at L = {L}")
        d2 = sp.expand(sp.diff(poly, gamma, 2))
        # convexity: the second derivative is (2L(2L-1)/L^2) * ∫ λ² (1-γλ/L)^{2L-2} dμ, a sum of squares
        steps.append(
            Step(
                text=(
                    rf"$L={L}$: $\mathcal L'(L/(1+c)) = 0$; $\mathcal L'' > 0$ (an even power under a positive "
                    rf"measure)"
                ),
                lhs=sp.Derivative(sp.Symbol(r"\mathcal{L}"), gamma),
                rhs=sp.Integer(0),
                how="symbolic",
                detail=f"degree {sp.Poly(poly, gamma).degree()} polynomial; L'' has {len(sp.Add.make_args(d2))} terms",
            )
        )
        steps.append(
            proved_equal(
                rf"$L={L}$: the minimum equals the Catalan closed form",
                optimal_loss_by_moments(L),
                loss_closed_form(L).subs(alpha, 1 / c),
                simplifier=sp.cancel,
            )
        )
    steps.append(
        Step(
            text=r"For every $L$: by the symmetry, $\int\lambda(1+c-\lambda)^{2L-1}d\mu_c = 0$ (odd moment of a "
            r"symmetric law), so $\gamma^*/L = 1/(1+c)$; even moments of the semicircle give the Catalan sum",
            lhs=sp.Symbol(r"\mathcal{L}(\alpha, L)"),
            rhs=sp.Symbol(r"1 - \frac{1}{1+c}\sum_{n<L} C_n \left(\frac{c}{(1+c)^2}\right)^n"),
            how="symbolic",
            detail="the semicircle step above; checked term by term for L <= L_max",
        )
    )
    return Derivation(
        id="bordelon2025.iso.closed-form",
        title=r"ISO: the optimal step and the loss of $L$-step gradient descent",
        steps=tuple(steps),
        summary=r"$\gamma^*(\alpha,L) = L\alpha/(1+\alpha)$ and a finite Catalan sum for the loss ($\rho = 0$).",
        result=sp.Eq(sp.Symbol(r"\gamma^*"), sp.Symbol("L") * alpha / (1 + alpha)),
    )


@cache
def derivation_one_step() -> Derivation:
    r""":math:`L = 1`: :math:`1/(1+\alpha)`; :math:`L\to\infty`: :math:`(1-\alpha)_+` (both sides of
    :math:`\alpha = 1`)."""
    n = sp.Symbol("n", integer=True, nonnegative=True)
    x = sp.Symbol("x", positive=True)
    full = sp.summation(sp.catalan(n) * x**n, (n, 0, sp.oo))
    gen = (1 - sp.sqrt(1 - 4 * x)) / (2 * x)
    steps = [
        proved_equal(r"$L = 1$: the minimum of $1 - 2\gamma + (1+c)\gamma^2$", optimal_loss_by_moments(1), c / (1 + c)),
        proved_equal(r"in $\alpha$", loss_closed_form(1), 1 / (1 + alpha)),
        Step(
            text=r"The Catalan generating function (SymPy's sum)",
            lhs=sp.Sum(sp.catalan(n) * x**n, (n, 0, sp.oo)),
            rhs=gen,
            how="symbolic" if _same_generating(full, gen, x) else _fail("Catalan generating function"),
            detail="sympy.summation, compared on x in (0, 1/4)",
        ),
    ]
    xc = c / (1 + c) ** 2
    root = sp.sqrt(1 - 4 * xc)
    for branch, abs_form, limit in (("c<1", (1 - c) / (1 + c), 0), ("c>1", (c - 1) / (1 + c), 1 - 1 / c)):
        if sp.cancel(root**2 - abs_form**2) != 0:
            raise DerivationError("sqrt(1-4x) != |1-c|/(1+c)")
        tail_limit = sp.simplify(1 - (1 - abs_form) / (2 * xc) / (1 + c))
        steps.append(
            proved_equal(
                rf"$L\to\infty$, ${branch}$: $1 - \frac1{{1+c}}\sum_{{n\ge0}}C_n x^n$ with $\sqrt{{1-4x}} = "
                rf"|1-c|/(1+c)$",
                tail_limit,
                limit,
            )
        )
    return Derivation(
        id="bordelon2025.iso.limits",
        title=r"ISO: one step and infinitely many steps",
        steps=tuple(steps),
        summary=(
            r"$\mathcal L(\alpha,1) = 1/(1+\alpha)$, $\mathcal L(\alpha,\infty) = (1-\alpha)_+$: the atom "
            r"survives."
        ),
        result=sp.Eq(sp.Symbol(r"\mathcal{L}(\alpha,\infty)"), sp.Max(1 - alpha, 0)),
    )


def _same_generating(summed: sp.Expr, closed: sp.Expr, x: sp.Symbol) -> bool:
    pieces = summed.args if isinstance(summed, sp.Piecewise) else ((summed, True),)
    for expr, _cond in pieces:
        try:
            if all(abs(sp.N((expr - closed).subs(x, v), 30)) < 1e-25 for v in (sp.Rational(1, 10), sp.Rational(1, 5))):
                return True
        except (TypeError, ValueError):
            continue
    return False


def _fail(what: str) -> NoReturn:
    raise DerivationError(f"SymPy could not prove: {what}")


@cache
def derivation_gain_limits(L_max: int = 5) -> Derivation:
    r"""The depth gain :math:`\sim 1/\alpha` (:math:`\alpha\to\infty`) and :math:`\sim\alpha^2`
    (:math:`\alpha\to0`), :math:`2\le L\le L_{\max}`."""
    steps: list[Step] = []
    for L in range(2, L_max + 1):
        gain = depth_gain(L)
        steps.append(proved_limit(rf"$L={L}$, long contexts", alpha * gain, alpha, sp.oo, sp.Integer(1)))
        steps.append(proved_limit(rf"$L={L}$, short contexts", gain / alpha**2, alpha, 0, sp.Integer(1)))
    steps.append(
        proved_equal(
            r"$L\to\infty$, $\alpha>1$: the gain tends to $1/(1+\alpha)$",
            1 / (1 + alpha) - 0,
            loss_closed_form(1),
        )
    )
    return Derivation(
        id="bordelon2025.iso.gain",
        title=r"ISO: depth helps only when the context is limited",
        steps=tuple(steps),
        summary=(
            r"$\mathcal L(\alpha,1)-\mathcal L(\alpha,L) \to 0$ both as $\alpha\to\infty$ ($\sim1/\alpha$) "
            r"and $\alpha\to0$ ($\sim\alpha^2$)."
        ),
        result=sp.Eq(sp.Symbol(r"\lim_{\alpha\to\infty}\alpha\,\Delta_L"), 1),
    )


@cache
def derivation_noise() -> Derivation:
    r"""Label noise at :math:`L = 1`: step :math:`\alpha/(\alpha+1+\rho)` and loss :math:`\rho +
    (1+\rho)/(\alpha+1+\rho)`."""
    poly = loss_polynomial(1, noise=True)
    g = sp.solve(sp.diff(poly, gamma), gamma)
    if len(g) != 1:
        raise DerivationError(f"expected one stationary point, got {g}")
    g1 = g[0]
    second = sp.simplify(sp.diff(poly, gamma, 2))
    if not second.is_positive:
        raise DerivationError(f"L''(gamma) = {second} not shown positive")
    steps = [
        Step(
            text=r"With noise $\varepsilon\sim N(0,\rho I)$ the error gains $\rho$ (the query's label) and "
            r"$\rho c\int g(\lambda)^2/\lambda\,d\mu_c$, $g = 1-(1-\gamma\lambda/L)^L$",
            lhs=sp.Symbol(r"\mathcal{L}_1(\gamma)"),
            rhs=poly,
            how="symbolic",
            detail="moments substituted",
        ),
        proved_equal(
            r"the unique stationary point ($\mathcal L'' > 0$)", g1.subs(c, 1 / alpha), alpha / (alpha + 1 + rho)
        ),
        proved_equal(
            r"the minimum: Lu et al.'s $\tau,\kappa\to\infty$ error",
            poly.subs(gamma, g1).subs(c, 1 / alpha),
            rho + (1 + rho) / (alpha + 1 + rho),
        ),
    ]
    return Derivation(
        id="bordelon2025.iso.noise",
        title=r"ISO with label noise, one step",
        steps=tuple(steps),
        summary=r"$L=1$, $\rho\ge0$: $\min_\gamma \mathcal L = \rho + (1+\rho)/(\alpha+1+\rho)$.",
        result=sp.Eq(sp.Symbol(r"\mathcal{L}(\alpha,1)"), rho + (1 + rho) / (alpha + 1 + rho)),
    )
