"""Report exports: JSON, CSV (formula cells neutralised) and self-contained HTML (every value escaped)."""

from __future__ import annotations

import csv
import html
import io
import json

HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
_CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_CSV_FORMULA_START) and not isinstance(value, int | float):
        return "'" + text  # spreadsheet programs would run it as a formula
    return text


def to_csv(report: dict) -> str:
    """One block per table: a line with its name, the header, the rows; blank line between blocks.
    The summary comes first as a two-column table."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_csv_cell(report["title"])])
    blocks = [{"name": "summary", "columns": ["key", "value"],
               "rows": [[k, v] for k, v in report["summary"].items()]}, *report["tables"]]
    for table in blocks:
        writer.writerow([])
        writer.writerow([_csv_cell(table["name"])])
        writer.writerow([_csv_cell(c) for c in table["columns"]])
        for row in table["rows"]:
            writer.writerow([_csv_cell(c) for c in row])
    return out.getvalue()


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def to_html(report: dict) -> str:
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{_e(report['title'])}</title>",
             "<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
             "text-align:left}th{background:#f3f3f3}</style></head><body>",
             f"<h1>{_e(report['title'])}</h1>",
             f"<p>Created {_e(report['created_at'])}</p>"]
    if report["summary"]:
        parts.append("<dl>")
        for key, value in report["summary"].items():
            parts.append(f"<dt>{_e(key)}</dt><dd>{_e(value)}</dd>")
        parts.append("</dl>")
    for table in report["tables"]:
        parts.append(f"<h2>{_e(table['name'])}</h2><table><thead><tr>")
        parts.extend(f"<th>{_e(c)}</th>" for c in table["columns"])
        parts.append("</tr></thead><tbody>")
        for row in table["rows"]:
            parts.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)
