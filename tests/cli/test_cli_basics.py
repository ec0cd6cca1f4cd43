"""The command line: help, listing, and one clear line plus exit 2 for bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest


def test_help_lists_the_commands(cli):
    result = cli("--help")
    assert result.code == 0
    for command in ("verify", "predict", "latex", "figure", "claims"):
        assert command in result.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("verify", "--claim", "no.such"), "unknown claim id"),
        (("verify", "--paper", "nobody"), "unknown paper"),
        (("verify", "--level", "huge"), "is not one of 'quick', 'full'"),
        (("verify", "--device", "tpu"), "is not one of 'auto', 'cpu', 'cuda'"),
        (("claims", "--show", "lu2024.nope"), "unknown claim id"),
        (("train", "--model", "rnn"), "is not one of"),
        (("train", "--tau", "1/0"), "is not a number"),
        (("verify", "--fail-on", "maybe"), "--fail-on"),
        (("latex", "nobody"), "unknown paper"),
        (("figure", "no-such-figure"), "unknown figure"),
        (("no-such-command",), "No such command"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args, message):
    result = cli(*args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err + result.out


def test_verify_json_lists_every_selected_claim(cli, tmp_path):
    from iclverify.proofs.framework.registry import all_claims

    path = tmp_path / "v.json"
    chosen = [c.id for c in all_claims()][:1]
    args = ["verify", "--no-progress", "--json", str(path)] + [a for cid in chosen for a in ("--claim", cid)]
    result = cli(*args)
    data = json.loads(path.read_text())
    assert result.code in (0, 3)
    assert [c["id"] for c in data["claims"]] == chosen
    assert data["seed"] == 0 and data["level"] == "quick"


def test_console_script_runs_outside_the_checkout(tmp_path):
    exe = shutil.which("icl-verify")
    if exe is None:
        pytest.skip("console script not on PATH")
    proc = subprocess.run(
        [exe, "claims", "--json", "-"], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert isinstance(json.loads(proc.stdout), list)


def test_python_dash_m_works(tmp_path):
    env = {**os.environ, "ICLVERIFY_CACHE": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "iclverify", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0 and "verify" in proc.stdout
