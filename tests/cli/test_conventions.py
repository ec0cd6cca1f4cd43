"""CLI conventions: --version, completion, choices, one --json convention (a path, '-' for stdout), plain
per-claim log lines on stderr when it is not a terminal, -q/-v, exact fractions for numeric options,
``claims --show`` with code paths, and the run record in the verdicts JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import iclverify

FAST = ("lu2024.ridge.ridgeless-limit", "mehta-gupta.A.shape")


def _claims_args() -> list[str]:
    return [a for cid in FAST for a in ("--claim", cid)]


def test_version(cli):
    res = cli("--version")
    assert res.code == 0 and res.out.strip() == f"icl-verify {iclverify.__version__}"


def test_completion_is_offered(cli):
    res = cli("--help")
    assert "--install-completion" in res.out and "--show-completion" in res.out


def test_completion_completes_claim_ids(tmp_path):
    env = {
        "_ICL_VERIFY_COMPLETE": "complete_bash",
        "COMP_WORDS": "icl-verify verify --claim lu2024.ridge",
        "COMP_CWORD": "3",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "iclverify"],
        env={**__import__("os").environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "lu2024.ridge.ridgeless-limit" in proc.stdout, proc.stderr[-500:]


@pytest.mark.parametrize(
    "command",
    [
        ("predict", "lu2024", "--tau", "2", "--alpha", "1", "--kappa", "1/2", "--rho", "1/100"),
        ("predict", "mehta-gupta", "exponent", "--h", "1/2"),
        ("claims",),
    ],
)
def test_json_to_a_path_or_dash(cli, tmp_path, command):
    path = tmp_path / "out.json"
    to_file = cli(*command, "--json", path)
    assert to_file.code == 0, to_file.err
    to_stdout = cli(*command, "--json", "-")
    assert to_stdout.code == 0 and json.loads(to_stdout.out) == json.loads(path.read_text())


def test_verify_json_dash_prints_only_json_and_logs_each_claim_on_stderr(cli):
    res = cli("verify", *_claims_args(), "--no-cache", "--json", "-")
    assert res.code == 0, res.err
    data = json.loads(res.out)  # nothing but JSON on stdout
    assert [c["id"] for c in data["claims"]] == list(FAST)
    # stderr is not a terminal here (captured): one plain line per finished claim
    lines = [line for line in res.err.splitlines() if line.startswith("[")]
    assert lines == [f"[1/2] {FAST[0]}: confirmed" + lines[0].split("confirmed", 1)[1], lines[1]]
    assert lines[1].startswith(f"[2/2] {FAST[1]}: confirmed (")


def test_quiet_and_verbose(cli):
    quiet = cli("-q", "verify", *_claims_args(), "--no-cache")
    assert quiet.code == 0 and quiet.err == ""
    verbose = cli("-v", "verify", *_claims_args(), "--no-cache")
    assert verbose.code == 0 and "SymPy" in verbose.err  # the reasons are logged too


def test_exact_fractions_everywhere(cli):
    half = json.loads(
        cli("predict", "lu2024", "--tau", "1/2", "--alpha", "1", "--kappa", "1", "--rho", "0", "--json", "-").out
    )
    dec = json.loads(
        cli("predict", "lu2024", "--tau", "0.5", "--alpha", "1", "--kappa", "1", "--rho", "0", "--json", "-").out
    )
    assert half == dec and half["params"]["tau"] == "1/2"
    from iclverify.cli.common import real_number

    assert real_number("3/4") == 0.75 and real_number("1e-4") == 1e-4


def test_claims_show_prints_code_paths(cli):
    from iclverify.proofs.framework.registry import get_claim

    claim = get_claim("lu2024.ridge.ridgeless-limit")
    res = cli("claims", "--show", claim.id)
    assert res.code == 0
    for role, path in claim.code_paths().items():
        assert role in res.out and path in res.out
    assert claim.where in res.out


def test_verdicts_json_has_the_run_record(cli, tmp_path):
    path = tmp_path / "v.json"
    res = cli("verify", *_claims_args(), "--json", path, "--device", "cpu")
    assert res.code == 0, res.err
    data = json.loads(path.read_text())
    run = data["run"]
    assert run["command"].startswith("icl-verify verify --claim lu2024.ridge.ridgeless-limit")
    assert run["device"] == "cpu" and isinstance(run["workers"], int)
    assert run["versions"]["icl-verify"] == iclverify.__version__ and "sympy" in run["versions"]
    assert "code_fingerprint" in run and "git_commit" in run
    for claim in data["claims"]:
        assert claim["cache"]["source"] in ("computed", "cached", "partly cached")
        assert claim["code"]["check"].startswith("iclverify.proofs.")
