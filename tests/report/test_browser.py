"""The HTML report in a real browser (headless Chromium): it loads without console errors, the counts it
shows equal the verdicts JSON, the visible text holds no raw ``\\command``, every claim section is reachable
from the overview, formulas are laid out as MathML, figures load, and the verdict filter hides and shows.

A probe script is appended to a copy of the page; it writes what it measured into the DOM, which
``--dump-dom`` prints. Console messages come from ``--enable-logging=stderr``. Seconds, on a small verdict set.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=5000",
    "--window-size=1280,900",
)

PROBE = r"""
<script>//<![CDATA[
(function () {
  var result = {errors: window.__errors || []};
  var probe = document.getElementById('probe-result');
  result.counts = {};
  document.querySelectorAll('#counts td[data-paper]').forEach(function (td) {
    result.counts[td.getAttribute('data-paper') + '/' + td.getAttribute('data-status')] = td.innerText.trim();
  });
  probe.hidden = true;
  result.text = document.body.innerText;
  var overviewLinks = {};
  ['overview', 'contents'].forEach(function (id) {
    document.getElementById(id).querySelectorAll('a[href^="#"]').forEach(function (a) {
      overviewLinks[a.getAttribute('href').slice(1)] = id;
    });
  });
  result.claims = [];
  document.querySelectorAll('section.claim').forEach(function (s) {
    result.claims.push({id: s.id, linked: overviewLinks[s.id] || null, status: s.getAttribute('data-status')});
  });
  result.overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  result.overviewReachesContents = overviewLinks['contents'] === 'overview';
  result.mathWidths = Array.prototype.map.call(document.querySelectorAll('math'), function (m) {
    return m.getBoundingClientRect().width;
  });
  result.images = Array.prototype.map.call(document.querySelectorAll('img'), function (i) {
    return i.complete && i.naturalWidth > 0;
  });
  function shown(selector) {
    return Array.prototype.map.call(document.querySelectorAll(selector), function (s) {
      return s.offsetParent !== null;
    });
  }
  var box = document.querySelector('#filter input[data-filter="confirmed"]');
  box.checked = false;
  box.dispatchEvent(new Event('change'));
  result.confirmedShownWhenUnchecked = shown('section.claim[data-status="confirmed"]');
  result.othersShown = shown('section.claim:not([data-status="confirmed"])');
  box.checked = true;
  box.dispatchEvent(new Event('change'));
  result.shownAgain = shown('section.claim[data-status="confirmed"]');
  probe.textContent = JSON.stringify(result);
})();
//]]></script>
"""

CATCH = (
    "<script>window.__errors=[];"
    "window.addEventListener('error',function(e){window.__errors.push(e.message);});</script>"
)


def _chromium() -> str:
    exe = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (.ci/run installs it) but not found")
        pytest.skip("chromium not installed")
    return exe


def _probe(page: Path, tmp_path: Path) -> tuple[dict, str]:
    text = page.read_text(encoding="utf-8")
    text = text.replace("<head>", "<head>" + CATCH, 1)
    text = text.replace("</body>", '<pre id="probe-result"></pre>' + PROBE + "</body>", 1)
    probed = page.with_name("probed.html")
    probed.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", probed.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    m = re.search(r'<pre id="probe-result"[^>]*>(.*?)</pre>', proc.stdout, re.S)
    assert m is not None and m.group(1), "the probe did not run:\n" + proc.stderr[-2000:]
    import html

    return json.loads(html.unescape(m.group(1))), proc.stderr


@pytest.fixture(scope="module")
def report_folder(demo_result, tmp_path_factory):
    from iclverify.figures.output import new_figure, save_figure

    folder = tmp_path_factory.mktemp("browser")
    fig, axes = new_figure()
    axes[0, 0].plot([0, 1], [1, 0])
    paths = save_figure(fig, folder / "figures" / "lu2024-fig3", "lu2024-fig3", [{"x": 0, "y": 1}])
    from iclverify.report.document import write_report

    write_report(demo_result, folder, figures={"lu2024-fig3": paths}, pdf=False)
    (folder / "verdicts.json").write_text(json.dumps(demo_result.to_dict()), encoding="utf-8")
    return folder


def test_report_in_headless_chromium(report_folder, tmp_path):
    result, stderr = _probe(report_folder / "report.html", tmp_path)
    console = [line for line in stderr.splitlines() if ":CONSOLE" in line]
    assert console == [] and result["errors"] == [], console + result["errors"]

    verdicts = json.loads((report_folder / "verdicts.json").read_text())
    for status, n in verdicts["counts"].items():
        assert result["counts"][f"all/{status}"] == str(n)
        papers = {c["paper"] for c in verdicts["claims"]}
        assert sum(int(result["counts"][f"{p}/{status}"]) for p in papers) == n

    raw = re.findall(r".{0,30}\\[A-Za-z]+.{0,10}", result["text"])
    assert raw == [], raw[:5]
    assert "confirmed" in result["text"] and "Predicted against measured" in result["text"]

    assert result["overflow"] <= 0  # nothing wider than the window: no horizontal scrolling
    assert result["overviewReachesContents"]
    ids = {f"claim-{c['id']}" for c in verdicts["claims"]}
    assert {c["id"] for c in result["claims"]} == ids
    assert all(c["linked"] == "contents" for c in result["claims"])

    assert len(result["mathWidths"]) >= 8 and all(w > 0 for w in result["mathWidths"])
    assert result["images"] and all(result["images"])

    assert result["confirmedShownWhenUnchecked"] and not any(result["confirmedShownWhenUnchecked"])
    assert result["othersShown"] and all(result["othersShown"])
    assert all(result["shownAgain"])


def test_the_probe_sees_a_broken_page(report_folder, tmp_path):
    """The browser check can fail: a script error and raw LaTeX in a copy of the page are both caught."""
    broken = tmp_path / "broken" / "report.html"
    broken.parent.mkdir()
    text = (report_folder / "report.html").read_text(encoding="utf-8")
    text = text.replace("<h1>", '<div style="width:3000px">wide</div><h1>\\kappa ', 1)
    text = text.replace("</body>", "<script>noSuchFunction();</script></body>", 1)
    broken.write_text(text, encoding="utf-8")
    result, stderr = _probe(broken, tmp_path)
    assert any("noSuchFunction" in line for line in stderr.splitlines() if ":CONSOLE" in line)
    assert re.search(r"\\kappa", result["text"])
    assert result["overflow"] > 0
