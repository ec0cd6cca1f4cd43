"""Torch files in the cache are checksummed and loaded with weights_only=True; bad ones are recomputed."""

from __future__ import annotations

import collections
import io

import pytest

torch = pytest.importorskip("torch")

from iclverify.runtime.cache import QUARANTINE, ResultCache  # noqa: E402
from iclverify.runtime.checkpoint import load_torch, save_torch, sidecar  # noqa: E402


def _path(tmp_path):
    return ResultCache(tmp_path).path("train", {"seed": 0}, suffix=".ckpt.pt")


def test_round_trip_with_sidecar(tmp_path):
    path = _path(tmp_path)
    save_torch({"w": torch.arange(3.0), "step": 7}, path, config={"seed": 0})
    state = load_torch(path)
    assert state["step"] == 7 and torch.equal(state["w"], torch.arange(3.0))
    assert '"config": {"seed": 0}' in sidecar(path).read_text()


@pytest.mark.parametrize("damage", ["truncate", "flip", "no-sidecar"])
def test_damaged_torch_file_is_moved_aside(tmp_path, capsys, damage):
    path = _path(tmp_path)
    save_torch({"w": torch.ones(50)}, path)
    raw = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(raw[:100])
    elif damage == "flip":
        path.write_bytes(raw[:-30] + bytes([raw[-30] ^ 1]) + raw[-29:])
    else:
        sidecar(path).unlink()
    assert load_torch(path) is None
    assert not path.exists() and "moved aside" in capsys.readouterr().err
    assert len(list((tmp_path / QUARANTINE).iterdir())) == 1


class Payload:
    def __reduce__(self):
        return (print, ("code ran while loading",))


def test_a_pickle_that_would_run_code_is_refused(tmp_path, capsys):
    path = _path(tmp_path)
    save_torch({"evil": Payload(), "w": torch.ones(1)}, path)  # a correct checksum: only weights_only stops it
    assert load_torch(path) is None
    captured = capsys.readouterr()
    assert "code ran" not in captured.out and "not loadable" in captured.err


def test_ordered_state_dicts_load(tmp_path):
    path = _path(tmp_path)
    save_torch(collections.OrderedDict(a=torch.zeros(2)), path)
    assert list(load_torch(path)) == ["a"]
    buffer = io.BytesIO(path.read_bytes())
    assert torch.load(buffer, weights_only=True)["a"].shape == (2,)
