"""A report as one self-contained HTML file: inline CSS and SVG charts, a tiny sort script.

No network request of any kind (a Content-Security-Policy allows only the
inline style and the one script, by hash), no external fonts, light and dark
through ``prefers-color-scheme``, a print stylesheet. Every name from the disk
goes through ``html.escape``; lists come capped by the caller and end with a
note saying how many entries were left out.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
from collections.abc import Callable, Iterable, Sequence

from app.core.report.model import (
    DuplicateSet,
    ErrorEntry,
    FileEntry,
    FolderEntry,
    Listing,
    Report,
    Share,
    YearCount,
    display_path,
    local_time,
)
from app.core.report.style import CATEGORY_COLORS, SORT_SCRIPT, STYLE, category_class, category_color
from app.core.units import count, human_bytes

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SORT_SCRIPT.encode()).digest()).decode()
CSP = (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
       f"script-src 'sha256-{_SCRIPT_HASH}'; base-uri 'none'; form-action 'none'")
_CATEGORY_LABELS = {"documents": "Documents", "images": "Images", "audio": "Audio", "video": "Video",
                    "archives": "Archives", "code": "Code", "installers": "Installers", "other": "Other"}


def esc(text: object) -> str:
    """Text safe inside HTML content and quoted attributes."""
    return html.escape(display_path(str(text)), quote=True)


def _num(n: int) -> str:
    return f"{n:,}"


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _label(category: str) -> str:
    return _CATEGORY_LABELS.get(category, category or "Other")    # custom names as the user wrote them


class _Paths:
    """Renders a path with its root folder muted, so the part that differs stands out."""

    def __init__(self, roots: Sequence[str]) -> None:
        self.roots = sorted((r.rstrip(os.sep) + os.sep for r in roots if r), key=len, reverse=True)

    def __call__(self, path: str) -> str:
        for root in self.roots:
            if path.startswith(root):
                return f'<span class="root">{esc(root)}</span>{esc(path[len(root):])}'
        return esc(path)


# --- charts -----------------------------------------------------------------------------------

def _bar_chart(rows: list[tuple[str, str, float, str, str]], label: str) -> str:
    """Horizontal bars. rows: (label, css class, value, value text, tooltip)."""
    if not rows:
        return '<p class="empty">No files.</p>'
    top = max(r[2] for r in rows) or 1
    row_h, label_w, bar_w, width = 30, 150, 400, 720
    parts = [f'<svg class="chart" viewBox="0 0 {width} {row_h * len(rows)}" role="img" '
             f'aria-label="{esc(label)}" preserveAspectRatio="xMinYMin meet">']
    for i, (name, css, value, text, tip) in enumerate(rows):
        y = i * row_h
        w = max(2.0, bar_w * value / top) if value > 0 else 0
        parts.append(f'<g><title>{esc(tip)}</title>'
                     f'<text class="lbl" x="{label_w - 10}" y="{y + 20}" text-anchor="end">{esc(name)}</text>'
                     f'<rect class="track" x="{label_w}" y="{y + 6}" width="{bar_w}" height="18" rx="3"/>'
                     f'<rect class="bar {esc(css)}" x="{label_w}" y="{y + 6}" width="{w:.1f}" '
                     f'height="18" rx="3"/>'
                     f'<text class="val" x="{label_w + bar_w + 10}" y="{y + 20}">{esc(text)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _year_labels(count: int, room: int) -> list[int]:
    """Which columns get a year under them: the oldest and the newest, and evenly spaced ones
    between (at most `room` in all); one that would crowd the newest is left out."""
    every = max(1, -(-count // max(1, room - 1)))     # ceil: never more labels than fit
    picked = list(range(0, count, every))
    if picked[-1] != count - 1:
        if len(picked) > 1 and count - 1 - picked[-1] < every * 0.75:
            picked.pop()
        picked.append(count - 1)
    return picked


def _year_chart(years: list[YearCount]) -> str:
    """Columns of bytes per year of last modification. The drawing is as wide as the card
    (1080 units at 1:1 in a full-width report) with a margin on both sides, so the first and
    last year labels are never cut, and labels are spaced so that they never touch."""
    if not years:
        return ""
    first, last = years[0].year, years[-1].year
    span = list(range(first, last + 1)) if last - first < 80 else [y.year for y in years]
    found = {y.year: y for y in years}
    top = max(y.bytes for y in years) or 1
    width, height, base, margin = 1080, 170, 140, 24
    step = (width - 2 * margin) / len(span)
    col = max(2.0, min(40.0, step * 0.7))
    labelled = set(_year_labels(len(span), int((width - 2 * margin) // 48)))   # "2024" needs ~35 units
    parts = [f'<svg class="chart years" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Bytes by year last modified" preserveAspectRatio="xMinYMin meet">',
             f'<line class="axis" x1="{margin}" y1="{base}" x2="{width - margin}" y2="{base}"/>']
    for i, year in enumerate(span):
        x = margin + i * step + (step - col) / 2
        y = found.get(year)
        if y is not None and y.bytes > 0:
            h = max(2.0, (base - 26) * y.bytes / top)     # headroom for the value label
            parts.append(f'<rect class="bar col" x="{x:.1f}" y="{base - h:.1f}" width="{col:.1f}" '
                         f'height="{h:.1f}" rx="2"><title>{year}: {count(y.files, "file")}, '
                         f'{human_bytes(y.bytes)}</title></rect>')
            if len(span) <= 16:
                parts.append(f'<text class="val" x="{x + col / 2:.1f}" y="{base - h - 6:.1f}" '
                             f'text-anchor="middle">{human_bytes(y.bytes)}</text>')
        if i in labelled:
            parts.append(f'<text class="lbl" x="{x + col / 2:.1f}" y="{base + 20}" '
                         f'text-anchor="middle">{year}</text>')
    parts.append("</svg>")
    return "".join(parts)


# --- tables -----------------------------------------------------------------------------------

Column = tuple[str, str]                 # (heading, "num" or "text")


def _table(table_id: str, columns: Sequence[Column], rows: Iterable[str], caption: str) -> str:
    head = "".join(f'<th scope="col" data-type="{kind}" class="{kind}">{esc(name)}</th>'
                   for name, kind in columns)
    return (f'<div class="scroll"><table id="{table_id}" class="sortable"><caption>{esc(caption)}</caption>'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def _more(listing: Listing, noun: str, hint: str = "") -> str:
    if not listing.more:
        return ""
    return (f'<p class="more">Showing the first {_num(len(listing.items))} of {_num(listing.total)} {noun}; '
            f'{_num(listing.more)} more not shown.{" " + esc(hint) if hint else ""}</p>')


def _size_cell(n: int) -> str:
    return f'<td class="num" data-v="{n}" title="{_num(n)} bytes">{human_bytes(n)}</td>'


def _meter(fraction: float) -> str:
    f = max(0.0, min(1.0, fraction))
    return (f'<span class="meter"><span style="width:{f * 100:.2f}%"></span></span>'
            f'<span class="pct">{_pct(f)}</span>')


def _files_table(listing: Listing[FileEntry], path: Callable[[str], str]) -> str:
    rows = (f'<tr><td class="path">{path(f.path)}</td>{_size_cell(f.size)}'
            f'<td class="date" data-v="{f.mtime_ns}">{esc(local_time(f.mtime)[:16])}</td>'
            f'<td>{esc(_label(f.category))}</td>'
            f'<td class="num" data-v="{f.duplicate_group or 0}">'
            f'{f"#{f.duplicate_group}" if f.duplicate_group else ""}</td></tr>' for f in listing.items)
    cols = (("Path", "text"), ("Size", "num"), ("Modified", "num"), ("Category", "text"),
            ("Duplicate group", "num"))
    return (_table("largest-files", cols, rows, "Largest files") +
            _more(listing, "files", "The CSV export lists every file."))


def _folders_table(listing: Listing[FolderEntry], total_bytes: int, path: Callable[[str], str]) -> str:
    rows = (f'<tr><td class="path">{path(f.path)}</td>{_size_cell(f.bytes)}'
            f'<td class="num" data-v="{f.files}">{_num(f.files)}</td>'
            f'<td class="num" data-v="{f.bytes}">{_meter(f.bytes / (total_bytes or 1))}</td></tr>'
            for f in listing.items)
    cols = (("Folder", "text"), ("Size", "num"), ("Files", "num"), ("Share", "num"))
    return _table("top-folders", cols, rows, "Top folders by size, including subfolders") + \
        _more(listing, "folders")


def _extensions_table(listing: Listing[Share]) -> str:
    rows = (f'<tr><td>{esc(s.key) if s.key else "<em>none</em>"}</td>'
            f'<td class="num" data-v="{s.files}">{_num(s.files)}</td>{_size_cell(s.bytes)}'
            f'<td class="num" data-v="{s.share:.6f}">{_pct(s.share)}</td></tr>' for s in listing.items)
    cols = (("Extension", "text"), ("Files", "num"), ("Size", "num"), ("Share", "num"))
    return _table("extensions", cols, rows, "Space by extension") + _more(listing, "extensions")


def _duplicates_table(listing: Listing[DuplicateSet], path: Callable[[str], str]) -> str:
    def paths(g: DuplicateSet) -> str:
        items = "".join(f"<li>{path(p)}</li>" for p in g.paths)
        left = g.path_count - len(g.paths)
        extra = f'<li class="more">and {_num(left)} more</li>' if left > 0 else ""
        return f'<ul class="paths">{items}{extra}</ul>'

    rows = (f'<tr><td class="num" data-v="{g.id}">#{g.id}</td><td class="path">{paths(g)}</td>'
            f'<td class="num" data-v="{g.copies}">{_num(g.copies)}</td>{_size_cell(g.size)}'
            f'{_size_cell(g.reclaimable)}</tr>' for g in listing.items)
    cols = (("Group", "num"), ("Files", "text"), ("Copies", "num"), ("File size", "num"),
            ("Reclaimable", "num"))
    return _table("duplicate-groups", cols, rows, "Duplicate groups, most reclaimable space first") + \
        _more(listing, "groups", "The CSV export with --what duplicates lists every group.")


def _errors_table(listing: Listing[ErrorEntry], path: Callable[[str], str]) -> str:
    rows = (f'<tr><td class="path">{path(e.path)}</td><td>{esc(e.reason)}</td></tr>' for e in listing.items)
    return _table("errors", (("Path", "text"), ("Problem", "text")), rows, "Problems met while scanning") + \
        _more(listing, "errors")


# --- page -------------------------------------------------------------------------------------

def _card(key: str, label: str, value: int, shown: str, detail: str = "") -> str:
    sub = f'<span class="detail">{esc(detail)}</span>' if detail else ""
    return (f'<div class="card"><span class="label">{esc(label)}</span>'
            f'<span class="value" id="sum-{key}" data-value="{value}" title="{_num(value)}">'
            f'{esc(shown)}</span>'
            f"{sub}</div>")


def _summary(r: Report) -> str:
    t, d = r.totals, r.duplicates
    cards = [
        _card("files", "Files", t.files, _num(t.files),
              f"{_num(t.symlinks)} symbolic links not counted" if t.symlinks else ""),
        _card("bytes", "Total size", t.bytes, human_bytes(t.bytes),
              f"{human_bytes(t.unique_bytes)} on disk (hard links once)"
              if t.unique_bytes != t.bytes else ""),
        _card("folders", "Folders", t.folders, _num(t.folders)),
        _card("reclaimable", "Reclaimable", d.reclaimable_bytes, human_bytes(d.reclaimable_bytes),
              f"{count(d.duplicate_files, 'duplicate file')} in {count(d.groups, 'group')}"),
        _card("errors", "Scan problems", r.errors.total, _num(r.errors.total)),
    ]
    return f'<div class="cards" id="summary" role="group" aria-label="Summary">{"".join(cards)}</div>'


def _section(sid: str, title: str, body: str, note: str = "") -> str:
    lead = f'<p class="note">{note}</p>' if note else ""
    return f'<section id="{sid}"><h2>{esc(title)}</h2>{lead}{body}</section>'


def render_html(report: Report) -> str:
    """The whole report page as one string (UTF-8 when written)."""
    r = report
    path = _Paths(r.roots)
    total = r.totals.bytes
    cat_rows = [(_label(s.key), category_class(s.key), s.bytes, f"{human_bytes(s.bytes)} · {_pct(s.share)}",
                 f"{_label(s.key)}: {count(s.files, 'file')}, {human_bytes(s.bytes)}") for s in r.by_category]
    age_rows = [(a.label, "age", a.bytes, f"{human_bytes(a.bytes)} · {count(a.files, 'file')}",
                 f"{a.label}: {count(a.files, 'file')}, {human_bytes(a.bytes)}") for a in r.by_age]
    by_cat_table = _table("categories", (("Category", "text"), ("Files", "num"), ("Size", "num"),
                                         ("Share", "num")),
                          (f'<tr><td><span class="swatch {category_class(s.key)}"></span>'
                           f'{esc(_label(s.key))}</td>'
                           f'<td class="num" data-v="{s.files}">{_num(s.files)}</td>{_size_cell(s.bytes)}'
                           f'<td class="num" data-v="{s.share:.6f}">{_pct(s.share)}</td></tr>'
                           for s in r.by_category), "Space by category")
    d = r.duplicates
    dup_note = (f"{count(d.groups, 'group')} of identical files; keeping one copy of each would free "
                f"<strong>{human_bytes(d.reclaimable_bytes)}</strong>." if d.groups else
                "No duplicate files found (files are compared by content hash).")
    roots = "".join(f"<li>{esc(p)}</li>" for p in r.roots) or "<li>the whole index</li>"
    title = "Space report: " + (display_path(r.roots[0]) if len(r.roots) == 1 else f"{len(r.roots)} folders")
    body = [
        _section("categories", "Space by category", _bar_chart(cat_rows, "Bytes by category") + by_cat_table),
        _section("age", "Age of files", _bar_chart(age_rows, "Bytes by time since last change") +
                 _year_chart(r.by_year), "By time since the last change (modification date); "
                 "below, bytes by the year of the last change."),
        _section("folders", "Top folders", _folders_table(r.largest_folders, total, path)),
        _section("files", "Largest files", _files_table(r.largest_files, path)),
        _section("extensions", "Extensions", _extensions_table(r.by_extension)),
        _section("duplicates", "Duplicates", _duplicates_table(r.duplicate_groups, path) if d.groups else "",
                 dup_note),
        _section("errors", "Scan problems", _errors_table(r.errors, path) if r.errors.total else "",
                 "" if r.errors.total else "The scan met no problems."),
    ]
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="color-scheme" content="light dark">'
            f'<meta name="generator" content="{esc(r.generator)}">'
            f"<title>{esc(title)}</title><style>{STYLE}{_category_css(s.key for s in r.by_category)}</style>"
            "</head>\n"
            f'<body><header><h1>{esc(title)}</h1><ul class="roots">{roots}</ul>'
            f'<p class="meta">Generated {esc(local_time(r.generated_at))} by {esc(r.generator)}</p>'
            f"{_summary(r)}</header>\n<main>{''.join(body)}</main>\n"
            '<footer>Sizes are apparent file sizes; 1 KiB = 1024 bytes. Click a column heading to sort.'
            f"</footer>\n<script>{SORT_SCRIPT}</script></body></html>\n")


def _category_css(present: Iterable[str] = ()) -> str:
    """Colours of the built-in categories and of the custom ones in the report."""
    keys = list(CATEGORY_COLORS) + [k for k in dict.fromkeys(present) if k not in CATEGORY_COLORS]
    light = "".join(f".{category_class(k)}{{--c:{category_color(k)[0]}}}" for k in keys)
    dark = "".join(f".{category_class(k)}{{--c:{category_color(k)[1]}}}" for k in keys)
    return f"{light}@media (prefers-color-scheme: dark){{{dark}}}"
