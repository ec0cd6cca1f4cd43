"""``icl-verify train``: one run, its printout and JSON, the cache, and one-line errors for bad input."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")

ARGS = (
    "train",
    "--model",
    "linear",
    "--d",
    "4",
    "--tau",
    "2",
    "--steps",
    "60",
    "--lr",
    "0.01",
    "--test-contexts",
    "200",
    "--no-progress",
)


def test_train_prints_the_errors(cli):
    res = cli(*ARGS)
    assert res.code == 0, res.err
    for what in ("final train loss", "ICL error", "IDG error", "g_task", "P=32", "60 steps"):
        assert what in res.out


def test_train_json_and_cache(cli, tmp_path):
    path = tmp_path / "run.json"
    assert cli(*ARGS, "--json", path).code == 0
    first = json.loads(path.read_text())
    assert first["config"]["d"] == 4 and first["config"]["kappa"] == "inf"
    assert first["result"]["train_loss"] < first["result"]["initial_train_loss"]
    res = cli(*ARGS, "--json", "-")  # the second run is read from the cache: same numbers, no retraining
    second = json.loads(res.out)
    assert second["result"] == first["result"]


def test_epochs_become_steps(cli):
    res = cli(
        "train",
        "--model",
        "gamma",
        "--d",
        "4",
        "--tau",
        "2",
        "--epochs",
        "3",
        "--batch-fraction",
        "0.5",
        "--test-contexts",
        "100",
        "--no-progress",
        "--json",
        "-",
    )
    assert res.code == 0, res.err
    data = json.loads(res.out)
    assert data["config"]["steps"] == 6 and data["result"]["epochs"] == 3.0


@pytest.mark.parametrize(
    "extra,message",
    [
        (("--model", "lstm"), "'lstm' is not one of 'gamma', 'linear', 'softmax', 'transformer'"),
        (("--tau", "0"), "tau must be"),
        (("--epochs", "2"), "--steps or --epochs"),
        (("--tau", "inf"), "batch_size"),
        (("--lr-schedule", "step"), "'step' is not one of 'constant', 'cosine'"),
        (("--device", "tpu"), "'tpu' is not one of 'auto', 'cpu', 'cuda'"),
        (("--lr", "1/0"), "'1/0' is not a number"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, extra, message):
    res = cli(*ARGS, *extra)
    assert res.code == 2
    assert message in res.err and len(res.err.strip().splitlines()) == 1


def test_cuda_without_a_gpu_is_a_clear_error(cli):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    res = cli(*ARGS, "--device", "cuda")
    assert res.code == 2 and "no CUDA GPU" in res.err


def test_figure_fig6_writes_png_pdf_csv(cli, tmp_path, monkeypatch):
    from iclverify.proofs.lu2024 import trained as T

    monkeypatch.setitem(
        T.SETUPS["quick"],
        "diversity",
        dict(d=3, tau=4.0, kappas=(0.5, 4.0), seeds=1, steps=20, lr=3e-3, dmmse_runs=100),
    )
    res = cli("figure", "lu2024-fig6", "--d", "3", "--runs", "1", "--out", tmp_path)
    assert res.code == 0, res.err
    csv = (tmp_path / "lu2024-fig6.csv").read_text().splitlines()
    assert (tmp_path / "lu2024-fig6.png").stat().st_size > 0 and (tmp_path / "lu2024-fig6.pdf").exists()
    assert csv[0].startswith("figure,d,kappa") and len(csv) == 3


def test_figure_fig5_writes_png_pdf_csv(cli, tmp_path, monkeypatch):
    from iclverify.empirics.experiments import lu2024_protocols as protocols
    from iclverify.figures import lu2024_trained as F
    from iclverify.proofs.lu2024 import trained as T

    monkeypatch.setitem(protocols._QUICK, "linear", dict(steps=60, lr=3e-2))
    monkeypatch.setitem(protocols._QUICK, "softmax", dict(steps=40, lr=1e-2))
    monkeypatch.setitem(T.SEARCH["quick"], "linear", T.Search(tau_range=(0.7, 1.6), rel_tol=0.3))
    monkeypatch.setitem(T.SEARCH["quick"], "other", T.Search(tau_range=(0.5, 4.0), rel_tol=0.5))
    monkeypatch.setitem(F.FIG5_DEFAULTS["quick"], "taus", (0.5, 1.0, 2.0))
    res = cli("figure", "lu2024-fig5", "--d", "3", "--d", "4", "--runs", "1", "--out", tmp_path, "--device", "cpu")
    assert res.code == 0, res.err
    rows = (tmp_path / "lu2024-fig5.csv").read_text().splitlines()
    assert rows[0].startswith("figure,model,d,tau") and (tmp_path / "lu2024-fig5.png").exists()
    assert sum(r.startswith("fig5,") for r in rows) == 2 * 2 * 3  # models × d × τ, one run
