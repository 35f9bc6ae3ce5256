"""The inline assets of the HTML report: its stylesheet, category colours and sort script.

They live in the package (not in resources/) so the report renders the same
from a checkout, a wheel or a frozen app; ``core.report.html`` inlines them.
"""

from __future__ import annotations

import zlib

# category -> (light, dark) colours; chosen to stay apart for common colour-vision deficiencies
CATEGORY_COLORS: dict[str, tuple[str, str]] = {
    "documents": ("#2f6fde", "#6ea1ff"),
    "images": ("#d9822b", "#f0a35e"),
    "audio": ("#8e44ad", "#c08ae0"),
    "video": ("#c0392b", "#f07a6c"),
    "archives": ("#6d5d4b", "#b7a48d"),
    "code": ("#16a085", "#4fd1b5"),
    "installers": ("#b8860b", "#e6c35c"),
    "other": ("#7f8c8d", "#a9b4b5"),
}
# custom categories: one of these, picked by a stable hash of the name (same on every run/device)
EXTRA_COLORS: tuple[tuple[str, str], ...] = (
    ("#b0367e", "#e07ab8"), ("#2e7d4f", "#6fcf97"), ("#4a55a2", "#9aa6f0"), ("#a0522d", "#dd9a72"),
    ("#00838f", "#5fcfdb"), ("#7b4fb8", "#b495ef"), ("#7c7c00", "#cccc4d"), ("#c2185b", "#f06292"),
)


def _hash(category: str) -> int:
    return zlib.crc32(category.encode("utf-8", "surrogatepass"))


def category_color(category: str) -> tuple[str, str]:
    """(light, dark) colour of a category; a custom one gets a deterministic colour of its own."""
    found = CATEGORY_COLORS.get(category)
    return found if found is not None else EXTRA_COLORS[_hash(category) % len(EXTRA_COLORS)]


def category_class(category: str) -> str:
    """A CSS class for a category's colour (custom names may hold spaces or any character)."""
    return f"c-{category}" if category in CATEGORY_COLORS else f"c-x{_hash(category):08x}"

STYLE = """
:root{color-scheme:light dark;--bg:#f6f7f9;--fg:#1c1e21;--muted:#606770;--card:#fff;--line:#dde1e6;
--track:#eceff3;--accent:#2f6fde;--age:#2f6fde;--stripe:#f9fafb;--hover:#eef3fc}
@media (prefers-color-scheme: dark){:root{--bg:#15171a;--fg:#e6e8eb;--muted:#9aa3ad;--card:#1e2125;
--line:#33383e;--track:#2a2e33;--accent:#6ea1ff;--age:#6ea1ff;--stripe:#1a1d20;--hover:#24303f}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg)}
body{margin:0 auto;max-width:1180px;padding:24px 28px 40px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",
Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}
h1{font-size:26px;margin:0 0 4px;overflow-wrap:anywhere}
h2{font-size:18px;margin:0 0 12px}
.roots{list-style:none;margin:0;padding:0;color:var(--muted);overflow-wrap:anywhere}
.meta{color:var(--muted);margin:2px 0 18px;font-size:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin-bottom:8px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;
display:flex;flex-direction:column;gap:2px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums}
.card .detail{color:var(--muted);font-size:12px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;
margin-top:16px}
.note{margin:-6px 0 12px;color:var(--muted)}
.note strong{color:var(--fg)}
.chart{width:100%;max-width:900px;height:auto;display:block;margin:0 0 12px}
.chart.years{max-width:none}
.chart .lbl{fill:var(--fg);font-size:13px}
.chart .val{fill:var(--muted);font-size:12px}
.chart .track{fill:var(--track)}
.chart .axis{stroke:var(--line)}
.bar{fill:var(--c,var(--accent))}
.bar.age,.bar.col{fill:var(--age)}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:8px;background:var(--c)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
caption{text-align:left;color:var(--muted);font-size:12px;padding-bottom:6px}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;cursor:pointer;user-select:none;white-space:nowrap;
position:sticky;top:0;background:var(--card)}
th:hover,th:focus{color:var(--fg);outline:none}
th[aria-sort=ascending]::after{content:" \\25B2"}
th[aria-sort=descending]::after{content:" \\25BC"}
td.num,th.num{text-align:right;white-space:nowrap}
td.date{white-space:nowrap}
tbody tr:nth-child(even){background:var(--stripe)}
tbody tr:hover{background:var(--hover)}
td.path{overflow-wrap:anywhere;word-break:break-word;min-width:16em}
.root{color:var(--muted)}
.paths{margin:0;padding:0;list-style:none}
.paths li+li{margin-top:2px}
.paths .more,p.more{color:var(--muted);font-style:italic}
p.more{margin:8px 0 0}
.meter{display:inline-block;width:70px;height:8px;border-radius:4px;background:var(--track);
vertical-align:middle;margin-right:6px;overflow:hidden}
.meter span{display:block;height:100%;background:var(--accent)}
.pct{display:inline-block;min-width:3.6em;text-align:right}
.empty{color:var(--muted)}
footer{color:var(--muted);font-size:12px;margin-top:18px}
@media print{
:root{--bg:#fff;--fg:#000;--muted:#444;--card:#fff;--line:#bbb;--track:#eee;--stripe:#fff;--hover:#fff}
html,body{background:#fff;color:#000}
body{max-width:none;padding:0;font-size:10.5pt}
section,.card{border-color:#bbb;break-inside:avoid-page}
section{padding:8px 0;border:0;border-top:1px solid #bbb;border-radius:0}
#folders,#files,#extensions,#duplicates,#errors{break-inside:auto}
.scroll{overflow:visible}
th{position:static;cursor:auto}
th::after{content:""!important}
thead{display:table-header-group}
tr{break-inside:avoid}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

# Sorts a table on a click (or Enter/Space) on its heading: numbers by data-v, text by locale.
SORT_SCRIPT = """
(function () {
  "use strict";
  function key(cell) { return cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent; }
  function sortBy(th) {
    var table = th.closest("table"), body = table.tBodies[0];
    var col = Array.prototype.indexOf.call(th.parentNode.children, th);
    var num = th.getAttribute("data-type") === "num";
    var now = th.getAttribute("aria-sort");
    var dir = now ? (now === "ascending" ? -1 : 1) : (num ? -1 : 1);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[col]), y = key(b.cells[col]);
      return (num ? Number(x) - Number(y) : x.localeCompare(y)) * dir;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable th"), function (th) {
    th.tabIndex = 0;
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th); }
    });
  });
  document.documentElement.setAttribute("data-sortable", "ready");
})();
"""
