r"""Optimal depth-width allocation (Mehta & Gupta, MG-A), derived with SymPy for symbolic exponents.

The summary states :math:`L^* \propto N^{2/3}`, :math:`d^* \propto N^{1/3}` for a fixed budget
:math:`N = L d`; the error model behind it is not given. We *reconstruct* it as the additive error
:math:`E(L, d) = A L^{-a} + B d^{-b}` (:math:`A, B, a, b > 0`) and derive, step by step:

* under :math:`L d = N`: :math:`L^* = (aA/(bB))^{1/(a+b)} N^{b/(a+b)}`,
  :math:`d^* = (bB/(aA))^{1/(a+b)} N^{a/(a+b)}` (substitution and Lagrangian, the unique stationary point,
  a minimum by the second derivative and by the bordered Hessian);
* the stated exponents hold iff :math:`b = 2a`, and then :math:`L^* \propto d^{*2}`;
* a multiplicative error :math:`A L^{-a} d^{-b}` has no interior optimum; terms that depend on
  :math:`L d` alone cannot move the optimum;
* under the true parameter count :math:`P = 12 L d^2`: :math:`L^* \propto P^{b/(2a+b)}`,
  :math:`d^* \propto P^{a/(2a+b)}`; the pair :math:`(2/3, 1/3)` is impossible there for every
  :math:`a, b` (it would make :math:`L d^2` grow as :math:`P^{4/3}`).

Every ``symbolic`` step is checked by SymPy (:func:`~iclverify.theory.derivation.proved_equal`).

>>> alloc = allocation(1, 2)
>>> alloc.exponent_L, alloc.exponent_d
(2/3, 1/3)
>>> allocation(1, 2, budget="12ld2").exponent_L
1/2
>>> stated_exponent_condition().result
Eq(b, 2*a)
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any, Literal

import sympy as sp

from iclverify.runtime.validation import exact, one_of
from iclverify.theory.derivation import Derivation, DerivationError, Step, proved_equal, steps

__all__ = [
    "BUDGETS",
    "Allocation",
    "Budget",
    "additive_allocation",
    "additive_derivation",
    "allocation",
    "leading_parameter_count",
    "multiplicative_error",
    "parameter_budget_allocation",
    "parameter_budget_derivation",
    "parameter_budget_unattainable",
    "positive_simplify",
    "product_only_terms",
    "stated_exponent_condition",
    "symbols",
]

Budget = Literal["ld", "12ld2"]
BUDGETS: tuple[Budget, ...] = ("ld", "12ld2")

A, B, a, b = sp.symbols("A B a b", positive=True)
N, P, L, d, mu = sp.symbols("N P L d mu", positive=True)
LS, DS, MUS = sp.Symbol("L^*", positive=True), sp.Symbol("d^*", positive=True), sp.Symbol(r"\mu^*", positive=True)
STATED_L = sp.Rational(2, 3)
STATED_D = sp.Rational(1, 3)


def leading_parameter_count(L_value: Any, d_value: Any) -> Any:
    r"""The transformer blocks' leading parameter count :math:`P = 12 L d^2` (attention :math:`4d^2`, MLP :math:`8d^2`).

    Works for exact integers, SymPy expressions and mpmath numbers alike.

    >>> leading_parameter_count(64, 31250), leading_parameter_count(L, d)
    (750000000000, 12*L*d**2)
    """
    return 12 * L_value * d_value**2


def symbols() -> dict[str, sp.Symbol]:
    """The symbols used here (all positive): A, B, a, b, N, P, L, d, mu."""
    return {"A": A, "B": B, "a": a, "b": b, "N": N, "P": P, "L": L, "d": d, "mu": mu}


def positive_simplify(expr: sp.Expr) -> sp.Expr:
    r"""Simplify with the power rules that hold for positive symbols (:math:`(xy)^c = x^c y^c`,
    :math:`(x^c)^e = x^{ce}`), which plain :func:`sympy.simplify` leaves alone.

    >>> x, y, c = sp.symbols("x y c", positive=True)
    >>> positive_simplify((x * y) ** c - x**c * y**c)
    0
    """
    expanded = sp.expand(sp.expand_power_base(expr, force=True))
    if expanded == 0 or _monomials_cancel(expanded):
        return sp.Integer(0)
    return sp.simplify(sp.powsimp(sp.powdenest(expanded, force=True), force=True))


def _monomials_cancel(expr: sp.Expr) -> bool:
    """True when ``expr``, a sum of signed products of powers of positive quantities, is 0.

    Each term's logarithm (expanded, integers split into primes) is a linear combination of logs of symbols
    and of primes. Two terms are proportional by a rational factor when their coefficients of every symbol's
    log agree and their coefficients of every prime's log differ by constants; grouped that way, the signed
    rational factors of each group must sum to 0."""
    groups: list[list] = []  # [coefficients of the group's first term, summed rational factor]
    for term in sp.Add.make_args(expr):
        sign = -1 if term.could_extract_minus_sign() else 1
        coeffs = _log_coefficients(_log_of_positive(sign * term))
        if coeffs is None:
            return False
        for group in groups:
            factor = _rational_ratio(coeffs, group[0])
            if factor is not None:
                group[1] += sign * factor
                break
        else:
            groups.append([coeffs, sp.Integer(sign)])
    return all(group[1] == 0 for group in groups)


def _log_coefficients(form: sp.Expr) -> dict | None:
    """{log atom: coefficient} of a combination of logs (None if anything else is left over)."""
    atoms = sorted(form.atoms(sp.log), key=sp.default_sort_key)
    parts = sp.collect(sp.expand(form), atoms, evaluate=False)
    if sp.cancel(parts.pop(sp.S.One, 0)) != 0:
        return None
    return {atom: sp.cancel(c) for atom, c in parts.items()}


def _rational_ratio(c1: dict, c2: dict) -> sp.Rational | None:
    """The rational r with term1 = r * term2, or None when the two are not rational multiples."""
    ratio = sp.Integer(1)
    for atom in set(c1) | set(c2):
        diff = sp.cancel(c1.get(atom, 0) - c2.get(atom, 0))
        if diff == 0:
            continue
        base = atom.args[0]
        if not (base.is_Integer and diff.is_Rational):
            return None
        ratio *= base**diff
    return ratio if ratio.is_Rational else None


def _log_of_positive(term: sp.Expr) -> sp.Expr:
    """log(term) for a product of powers of positive symbols and numbers, as a sum with primes split."""
    expanded = sp.expand_log(sp.log(term), force=True)

    def split(n: sp.Rational) -> sp.Expr:
        n = sp.Rational(n)
        return sum((e * sp.log(p) for p, e in sp.factorint(n.p).items()), sp.Integer(0)) - sum(
            (e * sp.log(p) for p, e in sp.factorint(n.q).items()), sp.Integer(0)
        )

    expanded = expanded.replace(lambda e: isinstance(e, sp.log) and e.args[0].is_Rational, lambda e: split(e.args[0]))
    return sp.expand(expanded)


def _eq(text: str, lhs: sp.Expr, rhs: sp.Expr, detail: str = "", *, shown: sp.Basic | str | None = None) -> Step:
    """A SymPy-proved step; ``shown`` replaces the (proved) left side in the display when it is unwieldy."""
    step = proved_equal(text, lhs, rhs, simplifier=positive_simplify, detail=detail)
    return step if shown is None else dataclasses.replace(step, lhs=shown)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Allocation:
    r"""The optimal shape for a budget: ``L_star``, ``d_star`` as expressions of the budget variable
    (:math:`N = L d` or :math:`P = 12 L d^2`), their exponents, the shape law :math:`L^* \propto d^{*\,s}`
    (``shape_exponent`` :math:`s = b/a` under both budgets) and the derivation."""

    budget: Budget
    variable: sp.Symbol
    L_star: sp.Expr
    d_star: sp.Expr
    exponent_L: sp.Expr
    exponent_d: sp.Expr
    shape_exponent: sp.Expr

    @property
    def derivation(self) -> Derivation:
        """The SymPy derivation of this optimum for symbolic a, b, A, B (built and checked on first use)."""
        return additive_derivation() if self.budget == "ld" else parameter_budget_derivation()


# The closed forms (checked by the derivations below, which SymPy proves on first use).
L_STAR_LD = (a * A / (b * B)) ** (1 / (a + b)) * N ** (b / (a + b))
D_STAR_LD = (b * B / (a * A)) ** (1 / (a + b)) * N ** (a / (a + b))
D_STAR_P = (b * B / (2 * a * A)) ** (1 / (2 * a + b)) * (P / 12) ** (a / (2 * a + b))
L_STAR_P = (2 * a * A / (b * B)) ** (2 / (2 * a + b)) * (P / 12) ** (b / (2 * a + b))


def additive_allocation() -> Allocation:
    """The optimum of A L^-a + B d^-b under L d = N (closed form; ``.derivation`` proves it)."""
    return Allocation(
        budget="ld",
        variable=N,
        L_star=L_STAR_LD,
        d_star=D_STAR_LD,
        exponent_L=b / (a + b),
        exponent_d=a / (a + b),
        shape_exponent=b / a,
    )


def parameter_budget_allocation() -> Allocation:
    """The optimum of A L^-a + B d^-b under 12 L d^2 = P (closed form; ``.derivation`` proves it)."""
    return Allocation(
        budget="12ld2",
        variable=P,
        L_star=L_STAR_P,
        d_star=D_STAR_P,
        exponent_L=b / (2 * a + b),
        exponent_d=a / (2 * a + b),
        shape_exponent=b / a,
    )


@cache
def additive_derivation() -> Derivation:
    """Minimise A L^-a + B d^-b under L d = N: substitution, Lagrangian, second-order checks."""
    E_Ld = A * L**-a + B * d**-b
    E = E_Ld.subs(d, N / L)
    dE = sp.diff(E, L)
    L_star, d_star = L_STAR_LD, D_STAR_LD
    mu_star = a * A * L_star**-a / N
    lagrangian = E_Ld + mu * (L * d - N)
    at_opt = {L: L_star, d: d_star, mu: mu_star}
    bordered = sp.Matrix(
        [
            [0, sp.diff(L * d, L), sp.diff(L * d, d)],
            [sp.diff(L * d, L), sp.diff(lagrangian, L, 2), sp.diff(lagrangian, L, d)],
            [sp.diff(L * d, d), sp.diff(lagrangian, d, L), sp.diff(lagrangian, d, 2)],
        ]
    )
    E2 = sp.diff(E, L, 2)
    der = Derivation(
        id="mg-allocation-additive",
        title=r"Optimal allocation for the additive error under $L d = N$",
        summary=(
            r"\emph{Reconstructed.} The summary states $L^*\propto N^{2/3}$, $d^*\propto N^{1/3}$ for $N = Ld$ "
            r"but not the error model; we posit $E = A L^{-a} + B d^{-b}$ with $A,B,a,b>0$."
        ),
        steps=steps(
            Step(text="Error model (reconstructed).", lhs=sp.Symbol("E"), rhs=E_Ld),
            Step(text=r"Budget: eliminate $d = N/L$.", lhs=sp.Function("E")(L), rhs=E),
            Step(text="Stationarity.", lhs=sp.Derivative(sp.Function("E")(L), L), rhs=dE),
            Step(text=r"Candidate optimum (where $L^{a+b} = aAN^b/(bB)$).", lhs=LS, rhs=L_star),
            _eq(
                r"The derivative factorises as $aA L^{-a-1}\,((L/L^*)^{a+b} - 1)$: negative for $L < L^*$, "
                r"positive for "
                r"$L > L^*$. So $L^*$ is the only stationary point and the global minimum.",
                dE,
                a * A * L ** (-a - 1) * ((L / L_star) ** (a + b) - 1),
                shown=sp.Derivative(sp.Function("E")(L), L),
            ),
            _eq(r"It is stationary: $E'(L^*) = 0$.", dE.subs(L, L_star), sp.Integer(0), shown=sp.Subs(dE, L, LS)),
            _eq(r"Width at the optimum, $d^* = N/L^*$.", N / L_star, d_star),
            _eq(
                r"Second derivative at $L^*$: positive, as it must be at a strict minimum.",
                E2.subs(L, L_star),
                a * A * (a + b) * L_star ** (-a - 2),
                shown=sp.Subs(E2, L, LS),
            ),
            _eq(
                r"Lagrangian $\Lambda = E + \mu(Ld - N)$: $\partial_L\Lambda = 0$ at $(L^*, d^*, \mu^*)$.",
                sp.diff(lagrangian, L).subs(at_opt),
                sp.Integer(0),
                shown=sp.Subs(sp.diff(lagrangian, L), (L, d, mu), (LS, DS, MUS)),
            ),
            _eq(
                r"$\partial_d\Lambda = 0$ at the same point.",
                sp.diff(lagrangian, d).subs(at_opt),
                sp.Integer(0),
                shown=sp.Subs(sp.diff(lagrangian, d), (L, d, mu), (LS, DS, MUS)),
            ),
            _eq(
                r"$\partial_\mu\Lambda = 0$ (the budget holds).",
                sp.diff(lagrangian, mu).subs(at_opt),
                sp.Integer(0),
                shown=sp.Subs(sp.diff(lagrangian, mu), (L, d), (LS, DS)),
            ),
            _eq(
                r"Bordered Hessian at the optimum: negative, so a constrained minimum (one constraint, sign $(-1)^1$).",
                bordered.det().subs(at_opt),
                -(a + b) * a * A * L_star**-a,
                shown=sp.Subs(sp.factor(bordered.det()), (L, d, mu), (LS, DS, MUS)),
            ),
            _eq(
                r"Balance at the optimum: the depth term is $b/a$ times the width term.",
                (A * L_star**-a) / (B * d_star**-b),
                b / a,
                shown=(A * LS**-a) / (B * DS**-b),
            ),
            _eq(r"Exponent of $N$ in $L^*$.", sp.expand_log(sp.log(L_star), force=True).diff(N) * N, b / (a + b)),
            _eq(r"Exponent of $N$ in $d^*$.", sp.expand_log(sp.log(d_star), force=True).diff(N) * N, a / (a + b)),
            _eq(
                r"Shape law: $L^* \propto d^{*\,b/a}$ (the ratio is free of $N$).",
                sp.diff(sp.log(L_star / d_star ** (b / a)), N),
                sp.Integer(0),
            ),
        ),
        result=sp.Eq(sp.Symbol("L^*"), L_star),
    )
    return der


@cache
def stated_exponent_condition() -> Derivation:
    """The stated exponents (2/3, 1/3) hold iff b = 2a; then L* is proportional to d*^2."""
    alloc = additive_allocation()
    sol = sp.solve(sp.Eq(alloc.exponent_L, STATED_L), b)
    if sol != [2 * a]:
        raise DerivationError(f"expected b = 2a, SymPy found {sol}")
    L2, d2 = alloc.L_star.subs(b, 2 * a), alloc.d_star.subs(b, 2 * a)
    return Derivation(
        id="mg-allocation-condition",
        title=r"When the stated exponents $(2/3, 1/3)$ hold",
        summary=r"\emph{Reconstructed} condition for the \emph{stated} allocation (MG-A).",
        steps=steps(
            Step(
                text=r"Stated (summary): $L^* \propto N^{2/3}$, $d^* \propto N^{1/3}$.",
                lhs=sp.Symbol("L^*"),
                rhs=sp.Symbol("N") ** STATED_L,
                relation=r"\propto",
                how="stated",
            ),
            Step(
                text=r"$b/(a+b) = 2/3$ is linear in $b$; its unique solution (\texttt{sympy.solve}) is",
                lhs=b,
                rhs=sol[0],
                how="symbolic",
                detail="sympy.solve",
            ),
            _eq(r"Then the width exponent is $1/3$ as stated.", alloc.exponent_d.subs(b, 2 * a), STATED_D),
            _eq(
                r"And $L^*/d^{*2}$ does not depend on $N$: $L^* \propto d^{*2}$.", sp.diff(L2 / d2**2, N), sp.Integer(0)
            ),
            _eq(r"The constant of proportionality.", L2 / d2**2, (A / (2 * B)) ** (3 / (3 * a))),
        ),
        result=sp.Eq(b, 2 * a),
    )


@cache
def multiplicative_error() -> Derivation:
    """A L^-a d^-b under L d = N is monotone in L: no interior optimum."""
    E = A * L**-a * d**-b
    E_L = E.subs(d, N / L)
    return Derivation(
        id="mg-allocation-multiplicative",
        title="A multiplicative error has no interior optimum",
        summary=r"\emph{Reconstructed} alternative error model $E = A L^{-a} d^{-b}$.",
        steps=steps(
            Step(text="Error model.", lhs=sp.Symbol("E"), rhs=E),
            _eq(r"Under $Ld = N$.", E_L, A * N**-b * L ** (b - a)),
            _eq(
                r"Its derivative is $(b-a)E/L$: with $E, L > 0$ its sign is that of $b - a$ everywhere, so $E$ is "
                r"strictly monotone in $L$ for $a \ne b$ (the best shape is an extreme one) and constant for $a = b$ "
                r"(every shape is equally good). There is no interior optimum.",
                sp.diff(E_L, L),
                (b - a) * E_L / L,
            ),
        ),
        result=sp.Eq(sp.Derivative(sp.Symbol("E"), L), (b - a) * sp.Symbol("E") / L),
    )


@cache
def product_only_terms() -> Derivation:
    """Terms that depend on L d alone are constant under L d = N and cannot move the optimum."""
    f, g, h = sp.Function("f"), sp.Function("g"), sp.Function("h")
    with_h = f(L) + g(N / L) + h(L * (N / L))
    without = f(L) + g(N / L)
    return Derivation(
        id="mg-allocation-product-terms",
        title=r"Terms depending only on $Ld$ cannot move the optimum",
        summary=r"\emph{Reconstructed.} Any error $f(L) + g(d) + h(Ld)$ with arbitrary $f, g, h$.",
        steps=steps(
            Step(text="Error model.", lhs=sp.Symbol("E"), rhs=f(L) + g(d) + h(L * d)),
            _eq(r"Under $Ld=N$ the $h$ term is the constant $h(N)$.", h(L * (N / L)), h(N)),
            _eq(
                r"So the stationarity condition is the same with or without $h$.",
                sp.diff(with_h, L),
                sp.diff(without, L),
            ),
        ),
        result=sp.Eq(sp.diff(with_h, L), sp.diff(without, L)),
    )


@cache
def parameter_budget_derivation() -> Derivation:
    """Minimise A L^-a + B d^-b under the true parameter count 12 L d^2 = P."""
    E_Ld = A * L**-a + B * d**-b
    (L_of_d,) = sp.solve(sp.Eq(leading_parameter_count(L, d), P), L)
    E = E_Ld.subs(L, L_of_d)
    dE = sp.diff(E, d)
    d_star = D_STAR_P
    L_star = L_of_d.subs(d, d_star)
    L_form = L_STAR_P
    der = Derivation(
        id="mg-allocation-parameter-budget",
        title=r"The same error under the true parameter count $P = 12 L d^2$",
        summary=(
            r"\emph{Reconstructed.} A transformer block has about $12d^2$ weights (attention $4d^2$, MLP $8d^2$); "
            r"the budget $N = Ld$ of the summary is not a parameter count."
        ),
        steps=steps(
            Step(text="Error model and budget.", lhs=sp.Symbol("E"), rhs=E_Ld),
            Step(text=r"Eliminate $L = P/(12 d^2)$.", lhs=sp.Function("E")(d), rhs=E),
            Step(text="Stationarity.", lhs=sp.Derivative(sp.Function("E")(d), d), rhs=dE),
            Step(text=r"Candidate optimum (where $d^{2a+b} = bB P^a/(2aA\,12^a)$).", lhs=DS, rhs=d_star),
            _eq(
                r"The derivative factorises as $bB d^{-b-1}((d/d^*)^{2a+b} - 1)$: its sign is that of $d - d^*$, so "
                r"$d^*$ is the only stationary point and the global minimum.",
                dE,
                b * B * d ** (-b - 1) * ((d / d_star) ** (2 * a + b) - 1),
                shown=sp.Derivative(sp.Function("E")(d), d),
            ),
            _eq(r"It is stationary.", dE.subs(d, d_star), sp.Integer(0), shown=sp.Subs(dE, d, DS)),
            _eq(
                r"Second derivative at $d^*$: positive.",
                sp.diff(E, d, 2).subs(d, d_star),
                b * B * (2 * a + b) * d_star ** (-b - 2),
                shown=sp.Subs(sp.diff(E, d, 2), d, DS),
            ),
            _eq(r"Depth at the optimum, $L^* = P/(12 d^{*2})$.", L_star, L_form, shown=P / (12 * DS**2)),
            _eq(r"Exponent of $P$ in $L^*$.", sp.expand_log(sp.log(L_form), force=True).diff(P) * P, b / (2 * a + b)),
            _eq(r"Exponent of $P$ in $d^*$.", sp.expand_log(sp.log(d_star), force=True).diff(P) * P, a / (2 * a + b)),
            _eq(
                r"The shape law is unchanged: $L^* \propto d^{*\,b/a}$.",
                sp.diff(sp.log(L_form / d_star ** (b / a)), P),
                sp.Integer(0),
            ),
            _eq(
                r"Along this optimum $N = L^*d^*$ grows as $P^{(a+b)/(2a+b)}$, so in terms of $N$ again $L^* "
                r"\propto N^{b/(a+b)}$.",
                (b / (2 * a + b)) / ((a + b) / (2 * a + b)),
                b / (a + b),
            ),
        ),
        result=sp.Eq(sp.Symbol("L^*"), L_form),
    )
    return der


@cache
def parameter_budget_unattainable() -> Derivation:
    """(2/3, 1/3) in P is impossible: exponents must satisfy e_L + 2 e_d = 1; no a, b > 0 give it."""
    e_L, e_d = sp.symbols("e_L e_d", positive=True)
    alloc = parameter_budget_allocation()
    system = [sp.Eq(alloc.exponent_L, STATED_L), sp.Eq(alloc.exponent_d, STATED_D)]
    solutions = sp.solve(system, [a, b], dict=True)
    if solutions:
        raise DerivationError(f"expected no positive solution, SymPy found {solutions}")
    only_L = sp.solve(system[0], b)
    only_d = sp.solve(system[1], b)
    return Derivation(
        id="mg-allocation-unattainable",
        title=r"The stated pair is impossible under $P = 12Ld^2$",
        summary=r"\emph{Reconstructed.} If $L^*\propto P^{e_L}$ and $d^*\propto P^{e_d}$ then $12 L^* d^{*2} = "
        r"P$ forces $e_L + 2e_d = 1$.",
        steps=steps(
            Step(text="Exponent bookkeeping of the budget.", lhs=e_L + 2 * e_d, rhs=sp.Integer(1)),
            _eq(r"The stated pair gives instead", STATED_L + 2 * STATED_D, sp.Rational(4, 3)),
            Step(
                text=r"i.e.\ $L d^2$ would grow as $P^{4/3}$, not $P$. With the derived exponents, $b/(2a+b) = "
                r"2/3$ needs",
                lhs=b,
                rhs=only_L[0],
                how="symbolic",
                detail="sympy.solve",
            ),
            Step(text=r"while $a/(2a+b) = 1/3$ needs", lhs=b, rhs=only_d[0], how="symbolic", detail="sympy.solve"),
            Step(
                text=r"Both at once have no solution with $a, b > 0$ (\texttt{sympy.solve} returns none).",
                lhs=sp.Symbol(r"\{(a,b) > 0\}"),
                rhs=sp.EmptySet,
                how="symbolic",
                detail="sympy.solve of the two equations",
            ),
        ),
        result=sp.Eq(STATED_L + 2 * STATED_D, sp.Rational(4, 3)),
    )


def allocation(
    a_value: object = None,
    b_value: object = None,
    *,
    budget: str = "ld",
    A_value: object = None,
    B_value: object = None,
) -> Allocation:
    """The optimal allocation with some of a, b, A, B given (exact positive numbers); others stay symbols.

    >>> alloc = allocation(1, 2, A_value=1, B_value=1)
    >>> alloc.L_star
    2**(2/3)*N**(2/3)/2
    >>> allocation(0, 1)
    Traceback (most recent call last):
    ...
    iclverify.runtime.errors.ParameterError: a must be a finite number > 0, got 0
    """
    one_of("budget", budget, BUDGETS)
    subs = {}
    for sym, name, value in ((a, "a", a_value), (b, "b", b_value), (A, "A", A_value), (B, "B", B_value)):
        if value is not None:
            subs[sym] = sp.Rational(exact(name, value, low=0, low_open=True))
    base = additive_allocation() if budget == "ld" else parameter_budget_allocation()
    if not subs:
        return base
    return dataclasses.replace(
        base,
        L_star=sp.powsimp(base.L_star.subs(subs)),
        d_star=sp.powsimp(base.d_star.subs(subs)),
        exponent_L=sp.nsimplify(base.exponent_L.subs(subs)),
        exponent_d=sp.nsimplify(base.exponent_d.subs(subs)),
        shape_exponent=sp.nsimplify(base.shape_exponent.subs(subs)),
    )
