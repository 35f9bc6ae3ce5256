"""The report data model (plain dataclasses) and its CSV and JSON writers.

``store.aggregates`` fills these from the index; the GUI dashboard shows them,
``core.report.html`` renders them as one HTML file, and the writers below turn
them into JSON (``report_json``) or CSV (``write_files_csv``,
``write_duplicates_csv``). Paths are ``str`` as the OS spells them; names that
are not valid UTF-8 carry lone surrogates (surrogateescape) and are written
with their odd bytes shown as ``\\xNN`` in CSV and HTML, and as ``\\udcNN``
escapes in JSON (``json.loads`` restores the exact name).
"""

from __future__ import annotations

import csv
import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO, Generic, TypeVar

SCHEMA_VERSION = 1
AGE_BUCKETS: tuple[tuple[str, str, int], ...] = (   # key, label, upper age bound in days
    ("last_week", "Last 7 days", 7),
    ("last_month", "Last 30 days", 30),
    ("last_year", "Last 12 months", 365),
    ("older", "Older", 0),
)
_LONE_SURROGATE = re.compile("[\udc80-\udcff]")

T = TypeVar("T")


@dataclass(slots=True)
class Totals:
    """Everything indexed under the report's roots (symlinks are counted, never sized)."""

    files: int = 0
    folders: int = 0
    bytes: int = 0
    symlinks: int = 0
    unique_bytes: int = 0          # hard links of one inode counted once: the space on disk


@dataclass(slots=True)
class Share:
    """Files and bytes of one category or one extension ('' = no extension)."""

    key: str
    files: int
    bytes: int
    share: float = 0.0             # of all bytes, 0..1


@dataclass(slots=True)
class AgeBucket:
    """Files last modified within one age range (see AGE_BUCKETS)."""

    key: str
    label: str
    files: int
    bytes: int


@dataclass(slots=True)
class YearCount:
    """Files last modified in one calendar year (local time)."""

    year: int
    files: int
    bytes: int


@dataclass(slots=True)
class FileEntry:
    """One indexed file."""

    path: str
    size: int
    mtime_ns: int
    category: str
    ext: str
    duplicate_group: int | None = None

    @property
    def mtime(self) -> float:
        return self.mtime_ns / 1e9


@dataclass(slots=True)
class FolderEntry:
    """A folder with the size and file count of everything below it."""

    path: str
    bytes: int
    files: int


@dataclass(slots=True)
class DuplicateSummary:
    """Totals over all duplicate groups (files with identical bytes, by full hash)."""

    groups: int = 0
    duplicate_files: int = 0       # copies beyond the first in each group
    reclaimable_bytes: int = 0


@dataclass(slots=True)
class DuplicateSet:
    """One group of identical files; ``paths`` may be capped, ``path_count`` is all of them."""

    id: int                        # 1 = the group that frees the most space
    size: int
    hash: str                      # hex blake3
    copies: int                    # distinct inodes: hard links of one file count once
    path_count: int
    paths: list[str] = field(default_factory=list)

    @property
    def reclaimable(self) -> int:
        return self.size * (self.copies - 1)


@dataclass(slots=True)
class ErrorEntry:
    """A problem the last scan met (unreadable folder, vanished file...)."""

    path: str
    reason: str
    at: float


@dataclass(slots=True)
class Listing(Generic[T]):
    """The first items of a longer list, and how long the whole list is."""

    items: list[T] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        """Entries left out of ``items``."""
        return max(0, self.total - len(self.items))


@dataclass
class Report:
    """Everything a report shows, for one set of roots at one moment."""

    roots: list[str]
    totals: Totals
    by_category: list[Share]
    by_extension: Listing[Share]
    by_age: list[AgeBucket]
    by_year: list[YearCount]
    largest_files: Listing[FileEntry]
    largest_folders: Listing[FolderEntry]
    duplicates: DuplicateSummary
    duplicate_groups: Listing[DuplicateSet]
    errors: Listing[ErrorEntry]
    generated_at: float = field(default_factory=time.time)
    generator: str = "FileOrganizer Pro"


# --- formatting shared by the writers ---------------------------------------------------------

def display_path(path: str) -> str:
    """The path as valid Unicode text: bytes that are not UTF-8 shown as \\xNN."""
    if not _LONE_SURROGATE.search(path):
        return path
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def iso_utc(seconds: float) -> str:
    """'2024-05-01T12:00:00Z'."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_time(seconds: float) -> str:
    """'2024-05-01 14:00:00' in local time: what spreadsheet apps read as a date."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


# --- JSON -------------------------------------------------------------------------------------

def _share(s: Share, key_name: str) -> dict:
    return {key_name: s.key, "files": s.files, "bytes": s.bytes, "share": round(s.share, 6)}


def _listing(listing: Listing, convert) -> dict:
    return {"total": listing.total, "items": [convert(x) for x in listing.items]}


def report_dict(report: Report) -> dict:
    """The report as plain JSON data (the shape documented in the README, schema_version 1)."""
    t = report.totals
    d = report.duplicates
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": report.generator,
        "generated_at": iso_utc(report.generated_at),
        "roots": report.roots,
        "totals": {"files": t.files, "folders": t.folders, "bytes": t.bytes, "unique_bytes": t.unique_bytes,
                   "symlinks": t.symlinks},
        "by_category": [_share(s, "category") for s in report.by_category],
        "by_extension": _listing(report.by_extension, lambda s: _share(s, "extension")),
        "by_age": [{"bucket": a.key, "label": a.label, "files": a.files, "bytes": a.bytes}
                   for a in report.by_age],
        "by_year": [{"year": y.year, "files": y.files, "bytes": y.bytes} for y in report.by_year],
        "largest_files": _listing(report.largest_files, lambda f: {
            "path": f.path, "size": f.size, "modified": iso_utc(f.mtime), "category": f.category,
            "extension": f.ext, "duplicate_group": f.duplicate_group}),
        "largest_folders": _listing(report.largest_folders, lambda f: {
            "path": f.path, "bytes": f.bytes, "files": f.files}),
        "duplicates": {"groups": d.groups, "duplicate_files": d.duplicate_files,
                       "reclaimable_bytes": d.reclaimable_bytes},
        "duplicate_groups": _listing(report.duplicate_groups, lambda g: {
            "id": g.id, "size": g.size, "hash": g.hash, "copies": g.copies,
            "reclaimable_bytes": g.reclaimable, "path_count": g.path_count, "paths": g.paths,
            "more_paths": max(0, g.path_count - len(g.paths))}),
        "errors": _listing(report.errors, lambda e: {
            "path": e.path, "reason": e.reason, "at": iso_utc(e.at)}),
    }


def report_json(report: Report) -> str:
    """The report as JSON text (valid UTF-8; odd name bytes as \\udcNN escapes)."""
    text = json.dumps(report_dict(report), ensure_ascii=False, indent=1)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


# --- CSV --------------------------------------------------------------------------------------

FILES_CSV_HEADER = ("path", "size", "modified", "category", "extension", "duplicate_group")
DUPLICATES_CSV_HEADER = ("group", "path", "size", "modified", "copies", "reclaimable_bytes", "hash")


class _Utf8Writer:
    """A text sink over a binary file: UTF-8, optional byte order mark, CRLF rows (RFC 4180)."""

    def __init__(self, out: BinaryIO, bom: bool) -> None:
        self.out = out
        if bom:
            out.write(b"\xef\xbb\xbf")

    def write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))


def _writer(out: BinaryIO, bom: bool):
    return csv.writer(_Utf8Writer(out, bom), dialect="excel", lineterminator="\r\n",
                      quoting=csv.QUOTE_MINIMAL)


def write_files_csv(rows: Iterable[FileEntry], out: BinaryIO, *, bom: bool = False) -> int:
    """One row per file (FILES_CSV_HEADER); returns the number of rows written."""
    w = _writer(out, bom)
    w.writerow(FILES_CSV_HEADER)
    n = 0
    for f in rows:
        w.writerow((display_path(f.path), f.size, local_time(f.mtime), f.category, f.ext,
                    "" if f.duplicate_group is None else f.duplicate_group))
        n += 1
    return n


def write_duplicates_csv(groups: Iterable[tuple[DuplicateSet, Iterable[FileEntry]]], out: BinaryIO, *,
                         bom: bool = False) -> int:
    """One row per file of each duplicate group (DUPLICATES_CSV_HEADER); returns the rows written."""
    w = _writer(out, bom)
    w.writerow(DUPLICATES_CSV_HEADER)
    n = 0
    for g, files in groups:
        for f in files:
            w.writerow((g.id, display_path(f.path), f.size, local_time(f.mtime), g.copies, g.reclaimable,
                        g.hash))
            n += 1
    return n
