"""The year chart as chromium lays it out (issue 18.15): with files from 1980 to 2024 the first
label was cut ("980"), the last two ran together ("2024202") and the chart filled ~75% of its card."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.report.test_html_chromium import CHROMIUM, chromium

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")

# Measures the laid-out chart and writes the numbers into the page, which --dump-dom prints.
MEASURE = """<script>
addEventListener('load', () => {
  const svg = document.querySelector('svg.years');
  const box = svg.getBoundingClientRect();
  const card = svg.parentElement.getBoundingClientRect();
  const pad = parseFloat(getComputedStyle(svg.parentElement).paddingLeft)
            + parseFloat(getComputedStyle(svg.parentElement).paddingRight);
  const labels = [...svg.querySelectorAll('text.lbl')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left, right: r.right};
  });
  document.body.setAttribute('data-measure', JSON.stringify(
    {svg: {left: box.left, right: box.right, width: box.width}, card: card.width - pad, labels}));
});
</script>"""


@pytest.fixture(scope="module")
def report_1980_to_2024(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("years")
    root = base / "Archive"
    root.mkdir()
    for year in range(1980, 2025):
        p = root / f"file-{year}.txt"
        p.write_bytes(b"x" * (1000 + (year * 7919) % 50_000))
        t = time.mktime((year, 6, 1, 12, 0, 0, 0, 0, -1))
        os.utime(p, (t, t))
    out = base / "report.html"
    env = {**os.environ, "FILEORGANIZER_HOME": str(base / "home"),
           "PYTHONPATH": str(Path(__file__).parents[2])}
    proc = subprocess.run([sys.executable, "-m", "app.cli", "report", str(root), "-o", str(out), "-q"],
                          capture_output=True, text=True, env=env, timeout=300, cwd=base)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.mark.parametrize("width", [1280, 900])
def test_year_labels_are_whole_apart_and_the_chart_fills_its_card(report_1980_to_2024, tmp_path, width):
    page = report_1980_to_2024.read_text()
    # the report allows only its own script (by hash): the measuring copy drops the policy
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", MEASURE + "</body>"))
    dom = chromium(tmp_path / "profile", f"--window-size={width},900", "--virtual-time-budget=3000",
                   "--dump-dom", probe.as_uri()).stdout
    found = re.search(r'data-measure="([^"]*)"', dom)
    assert found, dom[-2000:]
    m = json.loads(found.group(1).replace("&quot;", '"'))
    labels, svg = m["labels"], m["svg"]
    years = [int(lbl["text"]) for lbl in labels]
    assert years[0] == 1980 and years[-1] == 2024 and years == sorted(years) and len(years) >= 8
    for lbl in labels:                                   # nothing cut at either edge
        assert lbl["left"] >= svg["left"] - 0.5 and lbl["right"] <= svg["right"] + 0.5, lbl
    for a, b in zip(labels, labels[1:], strict=False):   # no two labels touch
        assert b["left"] - a["right"] >= 4, (a, b)
    assert svg["width"] >= 0.97 * m["card"], m           # the chart spans its card
