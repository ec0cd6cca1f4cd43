"""The report renders any claims into LaTeX that compiles and into well-formed HTML with an overview first,
MathML formulas, each derivation and figure once, readable evidence, code links and the run record."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from iclverify.report.document import report_tex, write_report
from iclverify.report.mathml import has_raw_tex

XHTML = "{http://www.w3.org/1999/xhtml}"
MATHML = "{http://www.w3.org/1998/Math/MathML}"


@pytest.fixture(scope="module")
def page(demo_result, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    fig = folder / "figures" / "lu2024-fig3"
    fig.mkdir(parents=True)
    from iclverify.figures.output import new_figure, save_figure

    f, axes = new_figure()
    axes[0, 0].plot([0, 1], [1, 0])
    paths = save_figure(f, fig, "lu2024-fig3", [{"x": 0, "y": 1}])
    files = write_report(demo_result, folder, figures={"lu2024-fig3": paths}, pdf=False)
    return folder, files, files.html.read_text(encoding="utf-8")


def _visible(root) -> str:
    """Text a browser shows: everything but <style> and <script>."""
    skip = {f"{XHTML}style", f"{XHTML}script"}
    out = []

    def walk(el):
        if el.tag in skip:
            return
        out.append(el.text or "")
        for child in el:
            walk(child)
            out.append(child.tail or "")

    walk(root)
    return "".join(out)


def test_overview_comes_first_with_counts_equal_to_the_verdicts(page, demo_result):
    _, _, text = page
    root = ET.fromstring(text)
    body = root.find(f"{XHTML}body")
    sections = [el.get("id") for el in body if el.tag == f"{XHTML}section"]
    assert sections[:3] == ["overview", "forest", "contents"]
    cells = {
        (td.get("data-paper"), td.get("data-status")): int(td.text)
        for td in root.iter(f"{XHTML}td")
        if td.get("data-paper")
    }
    counts = demo_result.to_dict()["counts"]
    assert counts == {"confirmed": 1, "refuted": 1, "inconclusive": 1, "error": 1}
    for status, n in counts.items():
        assert cells[("demo", status)] == n and cells[("all", status)] == n


def test_every_claim_is_reachable_from_the_overview_and_links_back(page, demo_result):
    _, _, text = page
    root = ET.fromstring(text)
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    toc = {
        a.get("href") for tr in root.iter(f"{XHTML}tr") if tr.get("class") == "toc-row" for a in tr.iter(f"{XHTML}a")
    }
    for o in demo_result.outcomes:
        assert f"#claim-{o.claim.id}" in toc
        assert f"claim-{o.claim.id}" in ids
    for href in re.findall(r'href="#([^"]+)"', text):
        assert href in ids, f"dangling link #{href}"
    claims = [s for s in root.iter(f"{XHTML}section") if s.get("class") == "claim"]
    assert all(any(a.get("href") == "#overview" for a in s.iter(f"{XHTML}a")) for s in claims)


def test_formulas_are_mathml_and_no_raw_latex_is_visible(page):
    _, _, text = page
    root = ET.fromstring(text)
    assert len(list(root.iter(f"{MATHML}math"))) >= 8
    visible = _visible(root)
    assert not has_raw_tex(visible), re.findall(r".{30}\\[A-Za-z]+.{10}", visible)[:5]
    assert "``" not in visible and "data:image/svg" not in text


def test_each_derivation_and_figure_once_linked_from_its_claims(page):
    folder, _, text = page
    root = ET.fromstring(text)
    articles = [a for a in root.iter(f"{XHTML}article") if a.get("id", "").startswith("derivation-")]
    assert [a.get("id") for a in articles] == ["derivation-demo"]
    assert text.count('href="#derivation-demo"') == 2  # from demo.ok and demo.maybe
    figures = [f for f in root.iter(f"{XHTML}figure")]
    assert [f.get("id") for f in figures] == ["figure-lu2024-fig3"]
    assert text.count("data:image/png;base64,") == 1
    assert 'href="figures/lu2024-fig3/lu2024-fig3.csv"' in text
    assert (folder / "figures/lu2024-fig3/lu2024-fig3.csv").is_file()


def test_forest_plot_has_a_row_per_quantity(page):
    _, _, text = page
    forest = text[text.index('id="forest"') : text.index('id="contents"')]
    for name in ("demo.ok", "demo.bad", "demo.maybe"):
        assert f'href="#claim-{name}"' in forest
    assert "2 → 2.45 [2.3, 2.6]" in forest


def test_evidence_tables_code_links_cache_and_run_record(page, demo_result):
    _, _, text = page
    section = text[text.index('id="claim-demo.bad"') :]
    section = section[: section.index("</section>")]
    assert "<th>n star</th>" in section and "690.5" in section  # a list of records becomes a table
    assert "file://" in section and "tests/report/conftest.py" in section  # the check's source
    assert "depend on the seed (11)" in section
    assert "computed" in section and "cache disabled" not in section
    run = text[text.index('id="run"') :]
    record = demo_result.record
    for key in ("command", "git_commit", "device", "workers", "code_fingerprint"):
        assert key.replace("_", " ") in run
    assert record["command"] == "icl-verify verify --demo" and record["command"] in run


def test_verdicts_json_equals_to_dict(demo_result, tmp_path):
    page = demo_result.write_report(tmp_path)
    assert page.name == "report.html"
    assert json.loads((tmp_path / "verdicts.json").read_text()) == demo_result.to_dict()


def test_latex_compiles_with_each_derivation_once(demo_result, tmp_path, pdflatex):
    files = write_report(demo_result, tmp_path, pdf=True)
    assert files.pdf is not None and files.pdf.stat().st_size > 10_000
    tex = files.tex.read_text()
    assert tex.count(r"\label{derivation:demo}") == 1 and r"\pageref{derivation:demo}" in tex
    for claim in ("demo.ok", "demo.bad", "demo.err"):
        assert claim in tex
    assert "Run record" in tex


def test_report_tex_without_derivations_given_computes_them(demo_result, tmp_path):
    assert r"\label{derivation:demo}" in report_tex(demo_result, figures={}, tex_dir=tmp_path)
