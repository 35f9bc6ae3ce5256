"""What the window's Dashboard shows, read from the index in one background job.

It lives in jobs because it reads the store, which the window never does itself (gui -> jobs
-> store); the Dashboard view runs ``load_dashboard`` in a worker. Totals, breakdowns, largest
folders and duplicates come from ``store.aggregates`` (the same numbers the reports export),
read in one snapshot. When the user filters the lists (clicked a category, an age or a folder)
the largest files are queried here with those conditions.
"""

# SQL here is built only from fixed fragments and "?" placeholders; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from app.core.report.model import AGE_BUCKETS
from app.store import aggregates
from app.store.codec import from_db, to_db
from app.store.index import join_path

__all__ = ["DashboardData", "age_range_ns", "below_folder_glob", "load_dashboard"]

_DAY_NS = 86_400 * 10**9


@dataclass
class DashboardData:
    files: int = 0
    bytes: int = 0
    folders: int = 0
    dup_groups: int = 0
    dup_files: int = 0
    reclaimable: int = 0
    last_scan: float | None = None
    by_category: list[tuple[str, int, int]] = field(default_factory=list)  # (category, files, bytes)
    by_age: list[tuple[str, str, int, int]] = field(default_factory=list)  # (key, label, files, bytes)
    largest_files: list[tuple[str, int, float, str]] = field(default_factory=list)  # path, size, mtime, cat
    largest_folders: list[tuple[str, int, int]] = field(default_factory=list)  # path, bytes, files
    activity: list = field(default_factory=list)  # jobs.history.HistoryEntry


def age_range_ns(key: str, now: float | None = None) -> tuple[int | None, int | None]:
    """(oldest, newest) mtime_ns of an AGE_BUCKETS key; None = unbounded."""
    now_ns = int((time.time() if now is None else now) * 1e9)
    newer = None
    for k, _label, days in AGE_BUCKETS:
        lower = now_ns - days * _DAY_NS if days else None
        if k == key:
            return lower, newer
        newer = lower
    raise KeyError(key)


def below_folder_glob(folder: str, sep: str = os.sep) -> str:
    """A GLOB pattern matching every path below `folder` (`sep` is the path separator).

    GLOB rather than LIKE: LIKE ignores ASCII case, which Linux and macOS file names do not, and
    its escape character, the backslash, is Windows' separator. GLOB compares exactly, and its
    only special characters (* ? [) are made literal by bracketing them.
    """
    prefix = folder if folder.endswith(sep) else folder + sep     # "C:\\" and "/" stay as they are
    return "".join(f"[{c}]" if c in "*?[" else c for c in prefix) + "*"


def load_dashboard(
    db,
    folders: list[str],
    *,
    category: str | None = None,
    folder: str | None = None,
    age: str | None = None,
    limit: int = 30,
    progress=None,
) -> DashboardData:
    """Totals, charts, largest files and folders, duplicates and recent activity for ``folders``."""
    from app.jobs import history

    data = DashboardData()
    data.activity = history.entries(db, limit=8)
    if not folders:
        return data
    with aggregates.reading(db) as conn:
        scope = aggregates.scope_for(conn, folders)
        if not scope.root_ids:
            return data
        marks = ",".join("?" * len(scope.root_ids))
        data.last_scan = conn.execute(
            f"SELECT max(last_scan_at) FROM roots WHERE id IN ({marks})", scope.root_ids
        ).fetchone()[0]
        totals = aggregates.totals(conn, scope)
        data.files, data.bytes, data.folders = totals.files, totals.bytes, totals.folders
        data.by_category = [(s.key, s.files, s.bytes) for s in aggregates.by_category(conn, scope)]
        data.by_age = [(b.key, b.label, b.files, b.bytes) for b in aggregates.by_age(conn, scope)]
        if progress:
            progress.check()
        dup = aggregates.duplicate_summary(conn, scope)
        data.dup_groups, data.dup_files, data.reclaimable = (
            dup.groups,
            dup.duplicate_files,
            dup.reclaimable_bytes,
        )
        data.largest_folders = [
            (e.path, e.bytes, e.files) for e in aggregates.largest_folders(conn, scope, limit=limit).items
        ]
        if progress:
            progress.check()
        if category or folder or age:
            data.largest_files = _filtered_largest(conn, scope.root_ids, category, folder, age, limit)
        else:
            data.largest_files = [
                (e.path, e.size, e.mtime_ns / 1e9, e.category)
                for e in aggregates.largest_files(conn, scope, limit=limit, total=totals.files,
                                                         group_ids=False).items
            ]
    return data


def _filtered_largest(conn, root_ids, category, folder, age, limit) -> list[tuple[str, int, float, str]]:
    marks = ",".join("?" * len(root_ids))
    sql = (
        f"SELECT d.path, f.name, f.size, f.mtime_ns, f.category FROM files f JOIN dirs d ON d.id=f.dir_id "
        f"WHERE d.root_id IN ({marks}) AND f.is_link=0"
    )
    args: list = list(root_ids)
    if category:
        sql += " AND f.category = ?"
        args.append(category)
    if folder:
        sql += " AND (d.path = ? OR d.path GLOB ?)"
        args += [to_db(folder), below_folder_glob(folder)]
    if age:
        oldest, newest = age_range_ns(age)
        if oldest is not None:
            sql += " AND f.mtime_ns >= ?"
            args.append(oldest)
        if newest is not None:
            sql += " AND f.mtime_ns < ?"
            args.append(newest)
    sql += " ORDER BY f.size DESC LIMIT ?"
    args.append(limit)
    return [
        (join_path(from_db(d), from_db(n)), size, mtime / 1e9, cat)
        for d, n, size, mtime, cat in conn.execute(sql, args)
    ]
