"""The Python API: the same numbers and JSON as the CLI, rich display, documented exceptions, the caller's
matplotlib backend untouched, and a light ``import iclverify``."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import iclverify
from iclverify.runtime.errors import UnknownNameError, UserError

FAST = ("lu2024.ridge.ridgeless-limit", "mehta-gupta.A.shape")


def test_import_is_light():
    heavy = "('numpy', 'sympy', 'matplotlib', 'torch', 'mpmath')"
    code = f"import sys, iclverify; print(sorted(m for m in {heavy} if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("api", "cli_args"),
    [
        (
            (("lu2024",), dict(tau="1/2", alpha=1, kappa="inf", rho="0.01", lam="1e-3", dps=40)),
            [
                "lu2024",
                "--tau",
                "1/2",
                "--alpha",
                "1",
                "--kappa",
                "inf",
                "--rho",
                "0.01",
                "--lam",
                "1e-3",
                "--dps",
                "40",
            ],
        ),
        ((("mehta-gupta", "exponent"), dict(h="1/2")), ["mehta-gupta", "exponent", "--h", "1/2"]),
        (
            (("mehta-gupta", "allocation"), dict(N="1e6", a=1, b=2, budget="12ld2")),
            ["mehta-gupta", "allocation", "--N", "1e6", "--a", "1", "--b", "2", "--budget", "12ld2"],
        ),
        (
            (("mehta-gupta", "critical-scale"), dict(k=20, h=2)),
            ["mehta-gupta", "critical-scale", "--k", "20", "--h", "2"],
        ),
    ],
)
def test_predict_equals_the_cli_json(cli, api, cli_args):
    args, params = api
    prediction = iclverify.predict(*args, **params)
    res = cli("predict", *cli_args, "--json", "-")
    assert res.code == 0, res.err
    assert prediction.to_dict() == json.loads(res.out)
    assert dict(prediction) == prediction.to_dict()


def test_verify_to_dict_equals_the_verdicts_json(cli, tmp_path):
    result = iclverify.verify(claim=list(FAST), cache=False)
    path = tmp_path / "v.json"
    res = cli("verify", *[a for c in FAST for a in ("--claim", c)], "--no-cache", "--json", path)
    assert res.code == 0, res.err
    from_cli, from_api = json.loads(path.read_text()), result.to_dict()
    assert set(from_cli) == set(from_api) and set(from_cli["run"]) == set(from_api["run"])
    strip = lambda d: [{k: v for k, v in c.items() if k != "seconds"} for c in d["claims"]]  # noqa: E731
    assert strip(from_cli) == strip(from_api) and from_cli["counts"] == from_api["counts"]
    assert from_api["counts"]["confirmed"] == 2


def test_claims_equal_the_cli_json(cli):
    res = cli("claims", "--paper", "mehta-gupta", "--json", "-")
    assert iclverify.claims("mehta-gupta").to_dict() == json.loads(res.out)


def test_rich_display_is_html_with_the_values():
    p = iclverify.predict("mehta-gupta", "exponent", h=1)
    r = iclverify.verify(claim=FAST[1], cache=False)
    c = iclverify.claims("lu2024")
    for obj, needle in ((p, "1/4"), (r, "confirmed"), (c, "lu2024.ridge.ridgeless-limit")):
        markup = obj._repr_html_()
        ET.fromstring(markup)  # well-formed
        assert needle in markup
    assert "alpha = 1/4" in str(p) and "1 claims at level quick" in str(r)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: iclverify.predict("nobody"), UnknownNameError, "unknown prediction 'nobody'"),
        (lambda: iclverify.predict("lu2024", tau=2, alpha=1, kappa=1), UserError, "missing 1 required"),
        (lambda: iclverify.predict("lu2024", tau=-1, alpha=1, kappa=1, rho=0), ValueError, "tau must be"),
        (lambda: iclverify.verify(claim="no.such"), UnknownNameError, "unknown claim id"),
        (lambda: iclverify.verify(level="huge"), UserError, "level must be one of"),
        (lambda: iclverify.claims("nobody"), UnknownNameError, "unknown paper"),
        (lambda: iclverify.figure("nope"), UnknownNameError, "unknown figure"),
    ],
)
def test_bad_input_raises_the_documented_exception(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_figure_returns_a_figure_and_keeps_the_callers_backend():
    code = (
        "import matplotlib; matplotlib.use('svg'); import sys, iclverify\n"
        "fig = iclverify.figure('lu2024-fig3', cache=False)\n"
        "from matplotlib.figure import Figure\n"
        "print(isinstance(fig, Figure), matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules, len(fig.axes))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    is_figure, backend, pyplot, axes = proc.stdout.split()
    assert (is_figure, backend, pyplot) == ("True", "svg", "False") and int(axes) >= 3
