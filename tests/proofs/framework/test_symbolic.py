"""The symbolic policy: SymPy failures and timeouts are inconclusive; equality is decided by proof or counterexample."""

from __future__ import annotations

import time

import pytest
import sympy as sp

from iclverify.proofs.framework import symbolic
from iclverify.proofs.framework.claims import Verdict
from iclverify.theory.derivation import DerivationError

x, y = sp.symbols("x y", positive=True)


def _confirm(_: object) -> Verdict:
    return Verdict.confirmed("compared")


@pytest.mark.parametrize(
    "exc", [DerivationError("SymPy could not prove: demo"), NotImplementedError("no algorithm"), RecursionError("deep")]
)
def test_a_failing_sympy_step_is_inconclusive_with_the_reason(exc):
    def build() -> sp.Expr:
        raise exc

    verdict = symbolic.symbolic_verdict("demo", build, _confirm)
    assert verdict.status == "inconclusive" and str(exc) in verdict.reason and type(exc).__name__ in verdict.reason


def test_a_sympy_step_past_its_time_limit_is_inconclusive():
    def slow() -> sp.Expr:
        time.sleep(3)
        return x

    start = time.perf_counter()
    verdict = symbolic.symbolic_verdict("demo", slow, _confirm, seconds=0.2)
    assert verdict.status == "inconclusive" and verdict.evidence["failure"] == "timeout"
    assert time.perf_counter() - start < 2
    # the alarm is cleared: a later computation is not interrupted
    assert symbolic.symbolic_verdict("after", lambda: x, _confirm, seconds=0.2).status == "confirmed"
    time.sleep(0.3)


def test_a_bug_in_a_check_is_not_hidden_as_inconclusive():
    with pytest.raises(KeyError):
        symbolic.symbolic_verdict("demo", lambda: {}["missing"], _confirm)


@pytest.mark.parametrize(
    ("computed", "stated", "status"),
    [
        ((x + y) ** 2, x**2 + 2 * x * y + y**2, "confirmed"),
        (sp.Integer(2) ** (2 * x + 2), sp.Integer(4) ** (x + 1), "confirmed"),
        ((x + y) ** 2, x**2 + y**2, "refuted"),
        (x / (x + y), y / (x + y), "refuted"),
    ],
)
def test_equality_rule(computed, stated, status):
    verdict = symbolic.equality_rule("demo", computed, stated)
    assert verdict.status == status
    assert verdict.evidence["computed"] == str(computed) and verdict.evidence["stated"] == str(stated)
    if status == "refuted":  # the counterexample really separates the two
        point = {
            sp.Symbol(k, positive=True): sp.Rational(v) for k, v in verdict.evidence["counterexample"]["point"].items()
        }
        assert sp.nsimplify(computed.subs(point) - stated.subs(point)) != 0


def test_equality_rule_is_inconclusive_when_nothing_decides():
    f = sp.Function("f")
    verdict = symbolic.equality_rule("demo", f(x), f(y))  # no proof and no numeric counterexample
    assert verdict.status == "inconclusive"
