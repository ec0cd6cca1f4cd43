"""The quick report built for real: every registered claim run, every figure drawn, LaTeX compiled by
pdflatex, and the HTML parsed. The trained-model setups are shrunk to seconds (``tiny_lu``, ``tiny_mg``);
the slow test below builds the unmodified quick report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("torch")

from iclverify.proofs.framework.registry import all_claims
from iclverify.report.mathml import has_raw_tex

XHTML = "{http://www.w3.org/1999/xhtml}"


def _visible(root) -> str:
    skip = {f"{XHTML}style", f"{XHTML}script"}
    parts: list[str] = []

    def walk(el) -> None:
        if el.tag not in skip:
            parts.append(el.text or "")
            for child in el:
                walk(child)
        parts.append(el.tail or "")

    walk(root)
    return "".join(parts)


def _check_report(folder, res) -> None:
    assert res.code == 0, res.err
    assert "warning: figure" not in res.err  # every claim's figure was drawn
    claims = {c.id: c for c in all_claims()}
    data = json.loads((folder / "verdicts.json").read_text())
    verdicts = {c["id"]: c for c in data["claims"]}
    assert set(verdicts) == set(claims)
    assert all(v["status"] in ("confirmed", "refuted", "inconclusive") for v in verdicts.values())
    assert all(v["cache"]["source"] in ("computed", "cached", "partly cached") for v in verdicts.values())

    pdf = folder / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 100_000
    tex = (folder / "report.tex").read_text(encoding="utf-8")
    page = folder / "report.html"
    assert page.stat().st_size <= 2_000_000  # the quick report's HTML stays small
    root = ET.fromstring(page.read_text(encoding="utf-8"))  # strict XML: the page parses
    # every claim has its own section in both documents, and that section states its verdict
    sections = {s.get("id"): "".join(s.itertext()) for s in root.iter(f"{XHTML}section") if s.get("id")}
    for cid, v in verdicts.items():
        assert cid.replace("_", r"\_") in tex, cid
        text = sections.get(f"claim-{cid}")
        assert text is not None, f"no HTML section for {cid}"
        assert v["status"] in text and claims[cid].where.split(":")[0] in text, cid
    counts = {
        td.get("data-status"): int(td.text or "") for td in root.iter(f"{XHTML}td") if td.get("data-paper") == "all"
    }
    assert counts == data["counts"]
    assert not has_raw_tex(_visible(root))
    figures = {c.figure for c in claims.values() if c.figure}
    drawn = {p.stem for p in (folder / "figures").rglob("*.png")}
    assert figures <= drawn
    shown = {f.get("id") for f in root.iter(f"{XHTML}figure")}
    assert shown == {f"figure-{name}" for name in figures}  # each figure once
    assert len(list(root.iter(f"{XHTML}img"))) == len(figures)


def test_quick_report_for_real(cli, tmp_path, pdflatex, tiny_lu, tiny_mg):
    folder = tmp_path / "report"
    res = cli("verify", "--level", "quick", "--report", folder, "--device", "cpu", "--no-progress")
    _check_report(folder, res)


@pytest.mark.slow
def test_unmodified_quick_report(cli, tmp_path, pdflatex):
    """What the README's first command produces (6–9 minutes on 2 cores)."""
    folder = tmp_path / "report"
    res = cli("verify", "--level", "quick", "--report", folder, "--device", "cpu", "--no-progress")
    _check_report(folder, res)
