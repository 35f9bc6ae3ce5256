"""Lists over the index: the largest files and folders, scan errors, and every file (for exports)."""

# SQL here is built only from fixed fragments and "?" placeholders; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import os
from collections.abc import Iterator

from app.core.report.model import ErrorEntry, FileEntry, FolderEntry, Listing
from app.store.aggregates_duplicates import duplicate_group_ids
from app.store.aggregates_scope import (
    EVERYTHING,
    Scope,
    Source,
    connection,
    dir_paths,
    direct_totals,
    root_paths,
)
from app.store.codec import from_db
from app.store.index import join_path


def largest_files(src: Source, scope: Scope = EVERYTHING, limit: int = 100,
                  total: int | None = None, group_ids: bool = True) -> Listing[FileEntry]:
    """The biggest files, largest first (ties by folder, then name), with their duplicate group.

    Pass `total` (totals().files) when known, to save counting the files again, and
    group_ids=False when the groups are not shown: numbering them reads every duplicate group.
    """
    frm, args = scope.files_sql(dirs=True)
    with connection(src) as conn:
        # the size of the limit-th largest file, from ix_files_size alone: only files at least that
        # large are joined to their folders and sorted by path (not every file in the index)
        smallest = conn.execute(f"SELECT f.size {scope.files_sql()[0]} ORDER BY f.size DESC LIMIT 1 OFFSET ?",
                                (*args, max(limit - 1, 0))).fetchone()
        rows = conn.execute(f"SELECT d.path, f.name, f.size, f.mtime_ns, f.category, f.ext, f.full_hash "
                            f"{frm} AND f.size >= ? ORDER BY f.size DESC, d.path, f.name LIMIT ?",
                            (*args, smallest[0] if smallest else 0, limit)).fetchall()
        if total is None:
            total = conn.execute(f"SELECT count(*) {scope.files_sql()[0]}", args).fetchone()[0]
        ids = duplicate_group_ids(conn, scope, [r[6] for r in rows if r[6] is not None]) if group_ids else {}
    items = [FileEntry(join_path(from_db(d), from_db(n)), size, mt, cat, ext, ids.get(h) if h else None)
             for d, n, size, mt, cat, ext, h in rows]
    return Listing(items, total)


def folder_sizes(src: Source, scope: Scope = EVERYTHING) -> list[FolderEntry]:
    """Every folder with the bytes and files below it (recursive), largest first."""
    with connection(src) as conn:
        paths = dir_paths(conn, scope)
        direct = direct_totals(conn, scope)
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
    with connection(src) as conn:
        roots = set(root_paths(conn, scope))
        entries = [e for e in folder_sizes(conn, scope) if e.path not in roots]
    return Listing(entries[:limit], len(entries))


def scan_errors(src: Source, scope: Scope = EVERYTHING, limit: int | None = 500) -> Listing[ErrorEntry]:
    """Problems the last scan of each root met, by path."""
    where, args = scope.roots_sql("root_id")
    with connection(src) as conn:
        total = conn.execute(f"SELECT count(*) FROM scan_errors WHERE {where}", args).fetchone()[0]
        rows = conn.execute(f"SELECT path, reason, at FROM scan_errors WHERE {where} "
                            f"ORDER BY path, id LIMIT ?", (*args, -1 if limit is None else limit)).fetchall()
    return Listing([ErrorEntry(from_db(p), r, at) for p, r, at in rows], total)


def iter_files(src: Source, scope: Scope = EVERYTHING, group_ids: dict[bytes, int] | None = None,
               batch: int = 5000) -> Iterator[FileEntry]:
    """Every regular file in the scope, folder by folder (in scan order), with its duplicate group."""
    frm, args = scope.files_sql()
    ids = group_ids or {}
    with connection(src) as conn:
        dirs = dir_paths(conn, scope)
        cur = conn.execute(f"SELECT f.dir_id, f.name, f.size, f.mtime_ns, f.category, f.ext, f.full_hash "
                           f"{frm} ORDER BY f.dir_id, f.name", args)
        while rows := cur.fetchmany(batch):
            for did, n, size, mt, cat, ext, h in rows:
                yield FileEntry(join_path(dirs[did], from_db(n)), size, mt, cat, ext,
                                ids.get(h) if h is not None else None)
