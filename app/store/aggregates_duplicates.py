"""Duplicate groups in the index: identical files by stored full hash, and the bytes extra copies take.

Group ids are stable for one state of the index: gid 1 is the group with the most reclaimable bytes.
"""

# SQL here is built only from fixed fragments and "?" placeholders; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

from app.core.report.model import DuplicateSet, DuplicateSummary, FileEntry, Listing
from app.store.aggregates_scope import EVERYTHING, Scope, Source, connection
from app.store.codec import from_db
from app.store.index import join_path


def _groups_cte(scope: Scope) -> tuple[str, tuple]:
    """CTE 'groups' (hash, size, copies, paths, gid): every duplicate group, gid 1 = most reclaimable."""
    frm, args = scope.files_sql()
    sql = (f"WITH g AS (SELECT f.full_hash AS hash, max(f.size) AS size, "
           f"count(DISTINCT f.dev || ':' || f.inode) AS copies, count(*) AS paths {frm} "
           f"AND f.full_hash IS NOT NULL AND f.size > 0 GROUP BY f.full_hash), "
           f"groups AS (SELECT hash, size, copies, paths, "
           f"row_number() OVER (ORDER BY size * (copies - 1) DESC, hash) AS gid FROM g WHERE copies > 1) ")
    return sql, args


def duplicates(src: Source, scope: Scope = EVERYTHING, limit: int | None = 100,
               paths_per_group: int | None = 20) -> tuple[DuplicateSummary, Listing[DuplicateSet]]:
    """The summary and the first `limit` groups (most reclaimable first) in one pass over the hashes."""
    cte, args = _groups_cte(scope)
    with connection(src) as conn:
        rows = conn.execute(
            f"{cte} SELECT gid, size, hash, copies, paths, count(*) OVER (), sum(copies - 1) OVER (), "
            f"sum(size * (copies - 1)) OVER () FROM groups ORDER BY gid LIMIT ?",
            (*args, -1 if limit is None else max(1, limit))).fetchall()
        summary = DuplicateSummary(*rows[0][5:]) if rows else DuplicateSummary()
        if limit is not None:
            rows = rows[:limit]
        paths = _group_paths(conn, scope, [r[2] for r in rows])
    sets = []
    for gid, size, h, copies, n, *_ in rows:
        files = paths[h][:paths_per_group] if paths_per_group is not None else paths[h]
        sets.append(DuplicateSet(gid, size, h.hex(), copies, n, [f.path for f in files]))
    return summary, Listing(sets, summary.groups)


def duplicate_summary(src: Source, scope: Scope = EVERYTHING) -> DuplicateSummary:
    """Groups of identical files (by stored full hash), extra copies and the bytes they take."""
    cte, args = _groups_cte(scope)
    with connection(src) as conn:
        groups, dupes, reclaim = conn.execute(
            f"{cte} SELECT count(*), coalesce(sum(copies - 1), 0), coalesce(sum(size * (copies - 1)), 0) "
            f"FROM groups", args).fetchone()
    return DuplicateSummary(groups, dupes, reclaim)


def duplicate_groups(src: Source, scope: Scope = EVERYTHING, limit: int | None = 100,
                     paths_per_group: int | None = 20) -> Listing[DuplicateSet]:
    """Duplicate groups, most reclaimable space first, each with its paths (capped per group)."""
    return duplicates(src, scope, limit, paths_per_group)[1]


def duplicate_group_ids(src: Source, scope: Scope = EVERYTHING,
                        hashes: Iterable[bytes] | None = None) -> dict[bytes, int]:
    """full_hash -> group id for every duplicate group in the scope (or only for `hashes`)."""
    cte, args = _groups_cte(scope)
    with connection(src) as conn:
        if hashes is None:
            return dict(conn.execute(f"{cte} SELECT hash, gid FROM groups", args))
        wanted = list(dict.fromkeys(hashes))
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        return dict(conn.execute(f"{cte} SELECT hash, gid FROM groups WHERE hash IN ({marks})",
                                 (*args, *wanted)))


def _group_paths(conn: sqlite3.Connection, scope: Scope, hashes: list[bytes]) -> dict[bytes, list[FileEntry]]:
    frm, args = scope.files_sql(dirs=True)
    found: dict[bytes, list[FileEntry]] = {h: [] for h in hashes}
    for start in range(0, len(hashes), 500):
        chunk = hashes[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for h, d, n, size, mt, cat, ext in conn.execute(
                f"SELECT f.full_hash, d.path, f.name, f.size, f.mtime_ns, f.category, f.ext {frm} "
                f"AND f.full_hash IN ({marks})", (*args, *chunk)):
            found[h].append(FileEntry(join_path(from_db(d), from_db(n)), size, mt, cat, ext))
    for files in found.values():
        files.sort(key=lambda f: f.path)
    return found


def iter_duplicate_files(src: Source, scope: Scope = EVERYTHING,
                         batch: int = 200) -> Iterator[tuple[DuplicateSet, list[FileEntry]]]:
    """Every duplicate group in id order with all its files (for CSV export); a batch of groups at a time."""
    cte, args = _groups_cte(scope)
    with connection(src) as conn:
        rows = conn.execute(f"{cte} SELECT gid, size, hash, copies, paths FROM groups ORDER BY gid",
                            args).fetchall()
        for start in range(0, len(rows), batch):
            part = rows[start:start + batch]
            paths = _group_paths(conn, scope, [r[2] for r in part])
            for gid, size, h, copies, n in part:
                files = paths[h]
                for f in files:
                    f.duplicate_group = gid
                yield DuplicateSet(gid, size, h.hex(), copies, n, [f.path for f in files]), files
