"""Without torch, every command that needs it says so in one line and exits 2 (never "internal error").

torch is hidden from a subprocess by a ``sitecustomize`` whose meta-path finder makes ``import torch`` raise
``ImportError`` (as on an install without the ``train`` extra); the rest of the CLI must keep working.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from iclverify.runtime.device import TORCH_MISSING, missing_dependency
from iclverify.runtime.errors import MissingDependencyError

HIDE_TORCH = """
import sys

class _NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoTorch())
"""


@pytest.fixture(scope="module")
def no_torch_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    site = tmp_path_factory.mktemp("no_torch")
    (site / "sitecustomize.py").write_text(HIDE_TORCH)
    env = {k: v for k, v in os.environ.items() if k != "ICLVERIFY_DEBUG"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH", "")]))
    env["ICLVERIFY_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    return env


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    code = "import sys; from iclverify.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args], check=False, env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_torch_is_really_hidden(no_torch_env: dict[str, str], tmp_path: Path) -> None:
    hidden = subprocess.run(
        [sys.executable, "-c", "import torch"], check=False, env=no_torch_env, capture_output=True, text=True
    )
    assert hidden.returncode == 1 and "No module named 'torch'" in hidden.stderr
    # commands that do not need torch still work
    listing = _cli(["claims"], no_torch_env, tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "lu2024.trained.gamma-tie" in listing.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--d", "4", "--steps", "2", "--test-contexts", "10"],
        ["figure", "lu2024-fig5", "--no-cache"],
        ["verify", "--claim", "lu2024.trained.gamma-tie", "--no-cache", "--no-progress"],
    ],
    ids=["train", "trained-figure", "verify-trained-claim"],
)
def test_commands_that_need_torch_exit_2_with_one_line(
    args: list[str], no_torch_env: dict[str, str], tmp_path: Path
) -> None:
    result = _cli([*args, *(["--out", str(tmp_path / "fig")] if args[0] == "figure" else [])], no_torch_env, tmp_path)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert lines == [f"error: {TORCH_MISSING}"], result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_only_a_torch_import_error_is_a_missing_dependency() -> None:
    assert isinstance(missing_dependency(ImportError("x", name="torch.nn")), MissingDependencyError)
    assert missing_dependency(ImportError("x", name="torchvision")) is None
    assert missing_dependency(ImportError("x")) is None
    assert missing_dependency(ValueError("torch")) is None
