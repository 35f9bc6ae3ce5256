"""Report job: bring the index up to date, aggregate it, write HTML, CSV or JSON.

``collect_report(db, roots)`` only reads the index (the GUI dashboard can call
it as is); ``export_report(...)`` scans first (incrementally; by default it also
hashes same-size files so duplicate groups are complete), then writes the file
atomically: a partial report is never left behind.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from app import APP_NAME, __version__
from app.core.progress import Progress
from app.core.report.html import render_html
from app.core.report.model import Report, report_json, write_duplicates_csv, write_files_csv
from app.jobs.duplicates import find_duplicates
from app.jobs.scan import ScanResult, scan
from app.store import aggregates
from app.store.db import Database

FORMATS = ("html", "csv", "json")
CSV_CONTENTS = ("files", "duplicates")
REFRESH = ("hash", "scan", "none")     # scan and hash same-size files | scan only | use the index as is


@dataclass(frozen=True)
class ReportLimits:
    """How many entries each list of the HTML/JSON report keeps (the rest is counted, not listed)."""

    files: int = 100
    folders: int = 100
    extensions: int = 50
    groups: int = 100
    paths_per_group: int = 10
    errors: int = 500


@dataclass
class ReportResult:
    """What an export wrote and what it took."""

    output: str
    format: str
    report: Report | None = None          # None for CSV
    rows: int = 0                         # CSV rows written (header not counted)
    bytes_written: int = 0
    scan: ScanResult | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    hashed_files: int = 0
    refresh_seconds: float = 0.0
    report_seconds: float = 0.0


def collect_report(src: aggregates.Source, roots: list[str] | None = None, *,
                   limits: ReportLimits = ReportLimits(), now: float | None = None,
                   progress: Progress | None = None) -> Report:
    """Aggregate the index for `roots` (None: everything indexed) into a Report. Reads only."""
    progress = progress or Progress()
    with _snapshot(src) as conn:
        scope = aggregates.scope_for(conn, roots)
        parts: dict = {}

        def dupes() -> None:
            parts["duplicates"], parts["duplicate_groups"] = aggregates.duplicates(
                conn, scope, limits.groups, limits.paths_per_group)

        def kinds() -> None:
            b = aggregates.breakdowns(conn, scope, now, limits.extensions)
            parts.update(by_category=b.by_category, by_extension=b.by_extension, by_age=b.by_age,
                         by_year=b.by_year)

        steps = (
            lambda: parts.update(totals=aggregates.totals(conn, scope)),
            kinds,
            dupes,
            lambda: parts.update(largest_files=aggregates.largest_files(conn, scope, limits.files,
                                                                        parts["totals"].files)),
            lambda: parts.update(largest_folders=aggregates.largest_folders(conn, scope, limits.folders)),
            lambda: parts.update(errors=aggregates.scan_errors(conn, scope, limits.errors)),
        )
        progress.stage("report", total=len(steps))
        for step in steps:
            progress.check()
            step()
            progress.advance(1)
        if roots is None:
            shown = aggregates.root_paths(conn, scope)
        else:
            shown = [os.path.abspath(r) for r in roots]
    return Report(roots=shown, generator=f"{APP_NAME} {__version__}", generated_at=time.time(), **parts)


@contextlib.contextmanager
def _snapshot(src: aggregates.Source) -> Iterator:
    if isinstance(src, Database):
        with aggregates.reading(src) as conn:
            yield conn
    else:
        yield src


def _checked(items: Iterable, progress: Progress) -> Iterator:
    for item in items:
        progress.check()
        progress.advance(1)
        yield item


def _write(db: Database, roots: list[str], out: BinaryIO, fmt: str, what: str, bom: bool,
           limits: ReportLimits, progress: Progress, result: ReportResult) -> None:
    if fmt == "csv":
        with aggregates.reading(db) as conn:
            scope = aggregates.scope_for(conn, roots)
            progress.stage("export")
            if what == "duplicates":
                groups = _checked(aggregates.iter_duplicate_files(conn, scope), progress)
                result.rows = write_duplicates_csv(groups, out, bom=bom)
            else:
                ids = aggregates.duplicate_group_ids(conn, scope)
                files = _checked(aggregates.iter_files(conn, scope, ids), progress)
                result.rows = write_files_csv(files, out, bom=bom)
        return
    report = collect_report(db, roots, limits=limits, progress=progress)
    result.report = report
    text = render_html(report) if fmt == "html" else report_json(report)
    # JSON keeps odd name bytes as \\udcNN escapes; HTML shows them as \\xNN: both are plain UTF-8 here
    out.write(text.encode("utf-8"))


def export_report(db: Database, roots: list[str], output: str | None, *, progress: Progress,
                  fmt: str = "html", what: str = "files", bom: bool = False, refresh: str = "hash",
                  exclude: tuple[str, ...] | list[str] = (), include_hidden: bool = True,
                  limits: ReportLimits = ReportLimits()) -> ReportResult:
    """Refresh the index for `roots`, then write the report to `output` (None or '-': stdout).

    fmt: html | csv | json; what (CSV only): files | duplicates; refresh: hash | scan | none.
    The file appears complete or not at all (written beside it, then renamed).
    Raises Cancelled when progress.cancel() was called (nothing is written then).
    """
    if fmt not in FORMATS or what not in CSV_CONTENTS or refresh not in REFRESH:
        raise ValueError(f"bad report options: {fmt!r}, {what!r}, {refresh!r}")
    roots = [os.path.abspath(r) for r in roots]
    result = ReportResult(output or "-", fmt)
    started = time.monotonic()
    if refresh == "hash":
        found = find_duplicates(db, roots, progress=progress, exclude=exclude, include_hidden=include_hidden)
        result.scan, result.errors, result.hashed_files = found.scan, list(found.errors), found.hashed_files
    elif refresh == "scan":
        result.scan = scan(db, roots, progress=progress, exclude=exclude, include_hidden=include_hidden)
        result.errors = list(result.scan.errors)
    result.refresh_seconds = time.monotonic() - started
    started = time.monotonic()
    if output is None or output == "-":
        sys.stdout.flush()
        _write(db, roots, sys.stdout.buffer, fmt, what, bom, limits, progress, result)
        sys.stdout.buffer.flush()
    else:
        target = os.path.abspath(output)
        tmp = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.{uuid.uuid4().hex[:8]}.tmp")
        # O_EXCL on a fresh name; mode 0o666 so the umask decides, as for any file the user saves
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            with os.fdopen(fd, "wb") as out:
                _write(db, roots, out, fmt, what, bom, limits, progress, result)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        result.bytes_written = os.path.getsize(target)
    result.report_seconds = time.monotonic() - started
    return result
