"""Aggregates over the scanning index: what the dashboard shows and the reports export.

The one import for callers (``from app.store import aggregates``); the work is split by kind:
``aggregates_scope`` (Scope, scope_for, reading, root_paths), ``aggregates_breakdowns`` (totals,
by category, extension, age, year), ``aggregates_lists`` (largest files and folders, scan
errors, every file) and ``aggregates_duplicates`` (duplicate groups and reclaimable bytes).

Every function takes a ``Database`` or an open ``sqlite3.Connection`` (``reading(db)`` gives one
inside a read transaction, so several calls see one consistent snapshot) plus a ``Scope``
(``scope_for(src, paths)``; None = the whole index). SQLite does the grouping and sorting;
Python only holds the rows it returns. Results are the plain dataclasses of ``core.report.model``.
"""

from __future__ import annotations

from app.core.report.model import Listing
from app.store.aggregates_breakdowns import (
    Breakdowns,
    breakdowns,
    by_age,
    by_category,
    by_extension,
    by_year,
    totals,
)
from app.store.aggregates_duplicates import (
    duplicate_group_ids,
    duplicate_groups,
    duplicate_summary,
    duplicates,
    iter_duplicate_files,
)
from app.store.aggregates_lists import folder_sizes, iter_files, largest_files, largest_folders, scan_errors
from app.store.aggregates_scope import EVERYTHING, Scope, Source, reading, root_paths, scope_for

__all__ = [
    "EVERYTHING", "Breakdowns", "Listing", "Scope", "Source", "breakdowns", "by_age", "by_category",
    "by_extension", "by_year", "duplicate_group_ids", "duplicate_groups", "duplicate_summary", "duplicates",
    "folder_sizes", "iter_duplicate_files", "iter_files", "largest_files", "largest_folders", "reading",
    "root_paths", "scan_errors", "scope_for", "totals",
]
