"""Verdicts are stable: the same seed reproduces the same numbers on a CPU, with nothing cached between runs;
another seed changes the random numbers (so the first comparison could have failed)."""

from __future__ import annotations

import json

import pytest

RANDOM_CLAIMS = ("lu2024.numerics.float-path", "lu2024.mc.double-descent", "lu2024.trained.gamma-tie")


def _verdicts(cli, tmp_path, seed: int, name: str) -> dict:
    path = tmp_path / f"{name}.json"
    args = ["verify", "--no-progress", "--no-cache", "--device", "cpu", "--seed", str(seed), "--json", str(path)]
    for claim in RANDOM_CLAIMS:
        args += ["--claim", claim]
    result = cli(*args)
    assert result.code in (0, 3), result.err
    data = json.loads(path.read_text())
    return {c["id"]: (c["status"], c["reason"], c["evidence"]) for c in data["claims"]}


def test_same_seed_same_numbers_other_seed_other_numbers(cli, tmp_path):
    pytest.importorskip("torch")
    first = _verdicts(cli, tmp_path, 5, "a")
    again = _verdicts(cli, tmp_path, 5, "b")
    other = _verdicts(cli, tmp_path, 6, "c")
    assert first == again
    for claim in RANDOM_CLAIMS:
        assert first[claim][2] != other[claim][2], f"{claim}: evidence does not depend on the seed"
