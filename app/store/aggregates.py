"""Aggregates over the scanning index: what the dashboard shows and the reports export.

Every function takes a ``Database`` (each call borrows a pooled connection) or
an open ``sqlite3.Connection`` (``reading(db)`` gives one inside a read
transaction, so several calls see one consistent snapshot), plus a ``Scope``
(``scope_for(src, paths)``; None = the whole index). SQLite does the grouping
and sorting; Python only holds the rows it returns. Results are the plain
dataclasses of ``core.report``. Symbolic links are counted in ``totals`` and
left out of everything else.
"""

# SQL here is built only from fixed fragments and "?" placeholders; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from app.core.report import (
    AGE_BUCKETS,
    AgeBucket,
    DuplicateSet,
    DuplicateSummary,
    ErrorEntry,
    FileEntry,
    FolderEntry,
    Listing,
    Share,
    Totals,
    YearCount,
)
from app.store.codec import from_db
from app.store.db import Database
from app.store.index import join_path, root_ids_within

Source = Database | sqlite3.Connection
_DAY_NS = 86_400 * 10**9


@dataclass(frozen=True, slots=True)
class Scope:
    """Which indexed roots an aggregate covers; root_ids None = all of them.

    ``whole`` says root_ids was every indexed root when the scope was made: file queries
    then need no filter and can read covering indexes alone.
    """

    root_ids: tuple[int, ...] | None = None
    whole: bool = False

    def files_sql(self, links: bool = False, dirs: bool = False) -> tuple[str, tuple]:
        """'FROM ... WHERE ...' over files f (joined to dirs d when scoped or asked) and its arguments.

        CROSS JOIN keeps files as the outer loop: SQLite scans files (or a covering index of
        them) once and checks each folder through a Bloom filter, instead of visiting the
        files folder by folder.
        """
        link_cond = "" if links else " AND f.is_link=0"
        filtered = self.root_ids is not None and not self.whole
        join = " CROSS JOIN dirs d ON d.id=f.dir_id" if dirs or filtered else ""
        if not filtered:
            return f"FROM files f{join} WHERE 1{link_cond}", ()
        marks = ",".join("?" * len(self.root_ids))
        return f"FROM files f{join} WHERE d.root_id IN ({marks}){link_cond}", self.root_ids

    def roots_sql(self, column: str) -> tuple[str, tuple]:
        """A WHERE condition on a root id column and its arguments."""
        if self.root_ids is None or self.whole:
            return "1", ()
        return f"{column} IN ({','.join('?' * len(self.root_ids))})", self.root_ids


EVERYTHING = Scope()


@contextlib.contextmanager
def _conn(src: Source) -> Iterator[sqlite3.Connection]:
    if isinstance(src, sqlite3.Connection):
        yield src
        return
    raw = src.raw()
    try:
        yield raw.driver_connection
    finally:
        raw.close()


@contextlib.contextmanager
def reading(db: Database) -> Iterator[sqlite3.Connection]:
    """A connection inside one read transaction: every query sees the same snapshot (WAL)."""
    raw = db.raw()
    conn = raw.driver_connection
    try:
        conn.execute("BEGIN")
        yield conn
    finally:
        conn.rollback()
        raw.close()


def scope_for(src: Source, paths: Iterable[str] | None = None) -> Scope:
    """The scope of indexed roots equal to or inside `paths` (None: the whole index)."""
    if paths is None:
        return EVERYTHING
    with _conn(src) as conn:
        ids = tuple(root_ids_within(conn, paths))
        every = {i for (i,) in conn.execute("SELECT id FROM roots")}
    return Scope(ids, whole=bool(ids) and set(ids) == every)


def root_paths(src: Source, scope: Scope = EVERYTHING) -> list[str]:
    """The indexed root folders in the scope, outermost only, sorted."""
    where, args = scope.roots_sql("id")
    with _conn(src) as conn:
        paths = sorted(from_db(p) for (p,) in conn.execute(f"SELECT path FROM roots WHERE {where}", args))
    outer: list[str] = []
    for p in paths:
        if not any(p.startswith(o.rstrip(os.sep) + os.sep) for o in outer):
            outer.append(p)
    return outer


# --- totals and breakdowns --------------------------------------------------------------------

def totals(src: Source, scope: Scope = EVERYTHING) -> Totals:
    """Files, folders, bytes, symlinks; unique_bytes counts each hard-linked inode once."""
    frm, args = scope.files_sql(links=True)
    where, rargs = scope.roots_sql("root_id")
    with _conn(src) as conn:
        files, nbytes, links = conn.execute(
            f"SELECT coalesce(sum(f.is_link=0), 0), coalesce(sum(CASE WHEN f.is_link=0 THEN f.size END), 0), "
            f"coalesce(sum(f.is_link), 0) {frm}", args).fetchone()
        folders = conn.execute(f"SELECT count(*) FROM dirs WHERE {where}", rargs).fetchone()[0]
        frm, args = scope.files_sql()
        extra = conn.execute(                     # reads only ix_files_hardlinks (nlink > 1)
            f"SELECT coalesce(sum(size * (n - 1)), 0) FROM (SELECT f.size AS size, count(*) AS n {frm} "
            f"AND f.nlink > 1 GROUP BY f.dev, f.inode)", args).fetchone()[0]
    return Totals(files=files, folders=folders, bytes=nbytes, symlinks=links, unique_bytes=nbytes - extra)


def _kind_rows(conn: sqlite3.Connection, scope: Scope) -> list[tuple[str, str, int, int]]:
    frm, args = scope.files_sql()
    return conn.execute(f"SELECT f.category, f.ext, count(*), sum(f.size) {frm} GROUP BY f.category, f.ext",
                        args).fetchall()


def _shares(totals_by_key: dict[str, list[int]]) -> list[Share]:
    total = sum(b for _, b in totals_by_key.values()) or 1
    shares = [Share(key or "", n, b, b / total) for key, (n, b) in totals_by_key.items()]
    shares.sort(key=lambda s: (-s.bytes, s.key))
    return shares


def _sum_by(rows: Iterable[tuple], key: int) -> dict[str, list[int]]:
    acc: dict[str, list[int]] = {}
    for row in rows:
        a = acc.setdefault(row[key] or "", [0, 0])
        a[0] += row[-2]
        a[1] += row[-1] or 0
    return acc


def by_category(src: Source, scope: Scope = EVERYTHING) -> list[Share]:
    """Files and bytes per category, largest first."""
    with _conn(src) as conn:
        return _shares(_sum_by(_kind_rows(conn, scope), 0))


def by_extension(src: Source, scope: Scope = EVERYTHING, limit: int | None = None) -> Listing[Share]:
    """Files and bytes per extension ('' = none), largest first; `limit` keeps the first ones."""
    with _conn(src) as conn:
        shares = _shares(_sum_by(_kind_rows(conn, scope), 1))
    return Listing(shares if limit is None else shares[:limit], len(shares))


def _time_rows(conn: sqlite3.Connection, scope: Scope, now: float | None) -> list[tuple[int, int, int, int]]:
    """(age bucket, UTC day, files, bytes): one grouping serves the age buckets and the years."""
    now_ns = int((time.time() if now is None else now) * 1e9)
    bounds = [now_ns - days * _DAY_NS for _, _, days in AGE_BUCKETS[:-1]]
    cases = " ".join(f"WHEN f.mtime_ns >= ? THEN {i}" for i in range(len(bounds)))
    frm, args = scope.files_sql()
    return conn.execute(
        f"SELECT CASE {cases} ELSE {len(bounds)} END AS b, f.mtime_ns / {_DAY_NS} - (f.mtime_ns < 0) AS day, "
        f"count(*), sum(f.size) {frm} GROUP BY b, day", (*bounds, *args)).fetchall()


def _ages(rows: Iterable[tuple[int, int, int, int]]) -> list[AgeBucket]:
    acc = [[0, 0] for _ in AGE_BUCKETS]
    for b, _day, n, size in rows:
        acc[b][0] += n
        acc[b][1] += size
    return [AgeBucket(key, label, *acc[i]) for i, (key, label, _) in enumerate(AGE_BUCKETS)]


def _years(rows: Iterable[tuple[int, int, int, int]]) -> list[YearCount]:
    years: dict[int, list[int]] = {}
    for _b, day, n, size in rows:
        # a UTC day spans two local dates near midnight; its noon is in the right local year except
        # within a few hours of New Year, where the whole day goes to one side
        acc = years.setdefault(_local_year(day * 86_400 + 43_200), [0, 0])
        acc[0] += n
        acc[1] += size
    return [YearCount(y, n, b) for y, (n, b) in sorted(years.items())]


def by_age(src: Source, scope: Scope = EVERYTHING, now: float | None = None) -> list[AgeBucket]:
    """Files and bytes by time since last modified (AGE_BUCKETS); future dates count as recent."""
    with _conn(src) as conn:
        return _ages(_time_rows(conn, scope, now))


def by_year(src: Source, scope: Scope = EVERYTHING) -> list[YearCount]:
    """Files and bytes by the local calendar year of their last modification, oldest first."""
    with _conn(src) as conn:
        return _years(_time_rows(conn, scope, None))


@dataclass(slots=True)
class Breakdowns:
    """by_category, by_extension, by_age and by_year from two passes over the files."""

    by_category: list[Share]
    by_extension: Listing[Share]
    by_age: list[AgeBucket]
    by_year: list[YearCount]


def breakdowns(src: Source, scope: Scope = EVERYTHING, now: float | None = None,
               extension_limit: int | None = None) -> Breakdowns:
    """All four breakdowns at the cost of two GROUP BYs (what a dashboard or report wants)."""
    with _conn(src) as conn:
        kinds = _kind_rows(conn, scope)
        times = _time_rows(conn, scope, now)
    exts = _shares(_sum_by(kinds, 1))
    return Breakdowns(_shares(_sum_by(kinds, 0)),
                      Listing(exts if extension_limit is None else exts[:extension_limit], len(exts)),
                      _ages(times), _years(times))


def _local_year(seconds: int) -> int:
    try:
        return time.localtime(seconds).tm_year
    except (OverflowError, OSError, ValueError):      # absurd timestamps from broken filesystems
        return 1970 if seconds < 0 else 9999


# --- lists ------------------------------------------------------------------------------------

def _dir_paths(conn: sqlite3.Connection, scope: Scope) -> dict[int, str]:
    where, args = scope.roots_sql("root_id")
    return {i: from_db(p) for i, p in conn.execute(f"SELECT id, path FROM dirs WHERE {where}", args)}


def largest_files(src: Source, scope: Scope = EVERYTHING, limit: int = 100,
                  total: int | None = None) -> Listing[FileEntry]:
    """The biggest files, largest first (ties by folder, then name), with their duplicate group.

    Pass `total` (totals().files) when known, to save counting the files again.
    """
    frm, args = scope.files_sql(dirs=True)
    with _conn(src) as conn:
        rows = conn.execute(f"SELECT d.path, f.name, f.size, f.mtime_ns, f.category, f.ext, f.full_hash "
                            f"{frm} ORDER BY f.size DESC, d.path, f.name LIMIT ?", (*args, limit)).fetchall()
        if total is None:
            total = conn.execute(f"SELECT count(*) {scope.files_sql()[0]}", args).fetchone()[0]
        ids = duplicate_group_ids(conn, scope, [r[6] for r in rows if r[6] is not None])
    items = [FileEntry(join_path(from_db(d), from_db(n)), size, mt, cat, ext, ids.get(h) if h else None)
             for d, n, size, mt, cat, ext, h in rows]
    return Listing(items, total)


def folder_sizes(src: Source, scope: Scope = EVERYTHING) -> list[FolderEntry]:
    """Every folder with the bytes and files below it (recursive), largest first."""
    frm, args = scope.files_sql()
    with _conn(src) as conn:
        paths = _dir_paths(conn, scope)
        # "+": scan and sort, rather than walk the (dir_id, name) index and look up each row
        direct = conn.execute(f"SELECT f.dir_id, count(*), sum(f.size) {frm} GROUP BY +f.dir_id",
                              args).fetchall()
    by_path: dict[str, list[int]] = {p: [0, 0] for p in paths.values()}
    for did, n, b in direct:
        acc = by_path.get(paths.get(did, ""))
        if acc is not None:
            acc[0] += b
            acc[1] += n
    # children have longer paths than their parents: one pass from the deepest up
    for path in sorted(by_path, key=len, reverse=True):
        parent = os.path.dirname(path)
        if parent != path and parent in by_path:
            acc, up = by_path[path], by_path[parent]
            up[0] += acc[0]
            up[1] += acc[1]
    entries = [FolderEntry(p, b, n) for p, (b, n) in by_path.items()]
    entries.sort(key=lambda e: (-e.bytes, e.path))
    return entries


def largest_folders(src: Source, scope: Scope = EVERYTHING, limit: int = 100) -> Listing[FolderEntry]:
    """The biggest folders by recursive size, the scanned roots themselves left out."""
    with _conn(src) as conn:
        roots = set(root_paths(conn, scope))
        entries = [e for e in folder_sizes(conn, scope) if e.path not in roots]
    return Listing(entries[:limit], len(entries))


def scan_errors(src: Source, scope: Scope = EVERYTHING, limit: int | None = 500) -> Listing[ErrorEntry]:
    """Problems the last scan of each root met, by path."""
    where, args = scope.roots_sql("root_id")
    with _conn(src) as conn:
        total = conn.execute(f"SELECT count(*) FROM scan_errors WHERE {where}", args).fetchone()[0]
        rows = conn.execute(f"SELECT path, reason, at FROM scan_errors WHERE {where} "
                            f"ORDER BY path, id LIMIT ?", (*args, -1 if limit is None else limit)).fetchall()
    return Listing([ErrorEntry(from_db(p), r, at) for p, r, at in rows], total)


# --- duplicates -------------------------------------------------------------------------------

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
    with _conn(src) as conn:
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
    with _conn(src) as conn:
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
    with _conn(src) as conn:
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
    with _conn(src) as conn:
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


# --- every file -------------------------------------------------------------------------------

def iter_files(src: Source, scope: Scope = EVERYTHING, group_ids: dict[bytes, int] | None = None,
               batch: int = 5000) -> Iterator[FileEntry]:
    """Every regular file in the scope, folder by folder (in scan order), with its duplicate group."""
    frm, args = scope.files_sql()
    ids = group_ids or {}
    with _conn(src) as conn:
        dirs = _dir_paths(conn, scope)
        cur = conn.execute(f"SELECT f.dir_id, f.name, f.size, f.mtime_ns, f.category, f.ext, f.full_hash "
                           f"{frm} ORDER BY f.dir_id, f.name", args)
        while rows := cur.fetchmany(batch):
            for did, n, size, mt, cat, ext, h in rows:
                yield FileEntry(join_path(dirs[did], from_db(n)), size, mt, cat, ext,
                                ids.get(h) if h is not None else None)
