"""The HTML report in headless Debian chromium: summary numbers, no injected script, sorting, themes."""

import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import time
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.tree_copy import copy_tree

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed "
                                "(scripts/install-system-deps.sh installs it)")
ATTACKS = (
    "<img src=x onerror=alert(1)>.txt",
    "<img src=x onerror=\"document.title='PWNED'\">.txt",
    "<svg onload=document.documentElement.setAttribute('data-pwned','1')>.txt",
    "\"><script>document.title='PWNED'<\\script>.txt",
)


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


class Dom(HTMLParser):
    """Elements by id (tag, attributes, text) plus every tag and attribute seen."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.by_id, self.tags, self.attrs, self.title, self.texts = {}, [], {}, "", []
        self.path_cells: list[str] = []             # text of every <td class="path">
        self._open: list[dict] = []
        self._in_title = False
        self.root_attrs = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.root_attrs = a
        for k in a:
            self.attrs[k] = self.attrs.get(k, 0) + 1
        node = {"tag": tag, "attrs": a, "text": ""}
        if "id" in a:
            self.by_id[a["id"]] = node
        self._open.append(node)
        self._in_title = tag == "title" and "svg" not in self.tags      # the page's, not a chart tooltip

    def handle_endtag(self, tag):
        while self._open:
            node = self._open.pop()
            if node["tag"] == "td" and node["attrs"].get("class") == "path":
                self.path_cells.append(node["text"])
            if node["tag"] == tag:
                break
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._open and self._open[-1]["tag"] in ("script", "style"):
            return
        self.texts.append(data)
        for node in self._open:
            node["text"] += data


def dump(profile: Path, page: Path) -> Dom:
    d = Dom()
    d.feed(chromium(profile, "--dump-dom", page.as_uri()).stdout)
    return d


@pytest.fixture(scope="module")
def rendered(make_corpus, tmp_path_factory):
    """A real corpus with hostile names and a spread of dates, scanned and reported by the CLI."""
    base = tmp_path_factory.mktemp("chromium")
    src, manifest = make_corpus(files=300, seed=21, total_mb=3)
    root = base / "Documents"
    copy_tree(src, root)
    for name in ATTACKS:
        (root / name).write_bytes(b"x" * 5_000_000)                 # big, so they are in "largest files"
    (root / "copy of attack.bin").write_bytes(b"x" * 5_000_000)     # and in a duplicate group
    now = time.time()
    for i, (d, _, names) in enumerate(os.walk(root)):
        for j, n in enumerate(names):
            p = os.path.join(d, n)
            if not os.path.islink(p):
                t = now - ((i * 7919 + j * 104729) % (6 * 365)) * 86_400
                os.utime(p, (t, t))
    home = base / "home"
    home.mkdir()
    out = base / "report.html"
    env = {**os.environ, "FILEORGANIZER_HOME": str(home), "PYTHONPATH": str(Path(__file__).parents[2])}
    proc = subprocess.run([sys.executable, "-m", "app.cli", "report", str(root), "-o", str(out)],
                          capture_output=True, text=True, env=env, timeout=300, cwd=base)
    assert proc.returncode == 0, proc.stderr
    return base, root, out, home / "data" / "fileorganizer.db", manifest


def test_summary_numbers_in_the_dom_equal_the_index(rendered):
    base, root, out, db_path, manifest = rendered
    dom = dump(base / "p-summary", out)
    assert dom.root_attrs.get("data-sortable") == "ready"           # the page's own script did run
    with sqlite3.connect(db_path) as db:
        files, nbytes = db.execute("SELECT count(*), sum(size) FROM files WHERE is_link=0").fetchone()
        folders = db.execute("SELECT count(*) FROM dirs").fetchone()[0]
        errors = db.execute("SELECT count(*) FROM scan_errors").fetchone()[0]
        groups = db.execute("SELECT full_hash, max(size), count(DISTINCT dev || ':' || inode) FROM files "
                            "WHERE full_hash IS NOT NULL GROUP BY full_hash").fetchall()
    reclaim = sum(size * (n - 1) for _, size, n in groups if n > 1)
    on_disk = [os.path.join(d, n) for d, _, ns in os.walk(root) for n in ns]
    assert files == sum(1 for p in on_disk if not os.path.islink(p))
    expected = {"files": files, "bytes": nbytes, "folders": folders, "reclaimable": reclaim, "errors": errors}
    for key, value in expected.items():
        node = dom.by_id[f"sum-{key}"]
        assert int(node["attrs"]["data-value"]) == value, key
    assert dom.by_id["sum-files"]["text"] == f"{files:,}"
    assert dom.by_id["sum-folders"]["text"] == f"{folders:,}"
    assert sum(1 for _, _, n in groups if n > 1) == len(manifest["duplicate_groups"]) + 1   # + attacks


@pytest.mark.parametrize("csp", [True, False], ids=["as-written", "without-csp"])
def test_file_names_show_as_text_and_run_no_script(rendered, csp):
    """Escaping alone keeps the names inert; the page's Content-Security-Policy is a second wall."""
    base, root, out, _, _ = rendered
    page = out
    if not csp:
        page = base / "no-csp.html"
        page.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "",
                               out.read_text(encoding="utf-8")), encoding="utf-8")
        assert "Content-Security-Policy" not in page.read_text(encoding="utf-8")
    dom = dump(base / f"p-xss-{csp}", page)
    assert dom.root_attrs.get("data-sortable") == "ready"           # the page's own script ran to the end
    assert dom.title == f"Space report: {root}"                       # no onerror rewrote it
    assert "data-pwned" not in dom.root_attrs
    assert "img" not in dom.tags
    assert dom.tags.count("script") == 1
    assert not [a for a in dom.attrs if a.startswith("on")]           # no event handler attribute anywhere
    for name in ATTACKS:
        # shown as the text of path cells: largest files, duplicate group members
        assert sum(cell.endswith(name) for cell in dom.path_cells) >= 1, name
        assert name in "".join(dom.texts)


def test_clicking_a_heading_sorts_the_table(rendered):
    base, _, out, _, _ = rendered
    page = out.read_text(encoding="utf-8")
    # a test harness appended to a copy: click headings, record the resulting orders in the DOM
    harness = """<script>
    function col(id, i) { return Array.from(document.querySelectorAll('#' + id + ' tbody tr'))
        .map(function (r) { var c = r.cells[i]; return c.getAttribute('data-v') || c.textContent; }); }
    var th = document.querySelectorAll('#largest-files th');
    var out = {initial: col('largest-files', 1)};
    th[1].click(); out.first = col('largest-files', 1); out.aria1 = th[1].getAttribute('aria-sort');
    th[1].click(); out.second = col('largest-files', 1); out.aria2 = th[1].getAttribute('aria-sort');
    th[0].click(); out.paths = col('largest-files', 0);
    document.body.setAttribute('data-result', JSON.stringify(out));
    </script></body>"""
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page).replace("</body>", harness)
    copy = base / "harness.html"
    copy.write_text(page, encoding="utf-8")
    html = chromium(base / "p-sort", "--dump-dom", copy.as_uri()).stdout
    m = re.search(r'<body data-result="([^"]*)"', html)
    assert m, html[:500]
    result = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    sizes = lambda key: [int(v) for v in result[key]]                 # noqa: E731
    assert len(sizes("initial")) >= 10
    assert sizes("first") == sorted(sizes("initial"), reverse=True) and result["aria1"] == "descending"
    assert sizes("second") == sorted(sizes("initial")) and result["aria2"] == "ascending"
    assert len(result["paths"]) == len(result["initial"])


def png_info(path: Path) -> tuple[int, int, tuple[int, int, int]]:
    """(width, height, RGB of the top-left pixel) of a PNG (the first pixel needs no unfiltering)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, color = struct.unpack(">IIBB", data[16:26])
    idat, pos = b"", 8
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompressobj().decompress(idat, 16)
    assert depth == 8 and color in (2, 6)
    return width, height, tuple(raw[1:4])


@pytest.mark.slow
def test_screenshots_in_light_and_dark(rendered):
    base, _, out, _, _ = rendered
    shots = {}
    for theme, extra in (("light", ()), ("dark", ("--force-dark-mode",))):
        png = base / f"report-{theme}.png"
        chromium(base / f"p-{theme}", *extra, "--window-size=1280,2000", f"--screenshot={png}", out.as_uri())
        shots[theme] = png_info(png)
        assert png.stat().st_size > 50_000                            # a rendered page, not a blank one
    (lw, lh, light), (dw, dh, dark) = shots["light"], shots["dark"]
    assert (lw, lh) == (dw, dh) == (1280, 2000)
    assert sum(light) > 600 and sum(dark) < 150                      # page background follows the theme
