"""Reading the scanning index for the duplicate finder, and storing the hashes it computes.

A ``Scope`` says which indexed files a search covers, by path: every file below the
folders it was given and the files it was given themselves, whichever indexed root
they were recorded under (so ``dupes a/x1 a/c`` after ``scan a`` sees exactly those).
Candidates are files sharing a size: SQLite groups and sorts them, Python holds one
size group at a time.
"""

# SQL here is built only from fixed fragments and "?" placeholders; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from app.core.dedup.groups import HashedFile
from app.store.codec import from_db, to_db


def is_within(path: str, root: str) -> bool:
    """True when `path` is `root` or below it (plain path comparison, no file system access)."""
    return path == root or path.startswith(root if root.endswith(os.sep) else root + os.sep)


def resolved(roots: Iterable[str]) -> list[str]:
    """Paths as the scanner records its roots: absolute, symbolic links resolved."""
    return [os.path.realpath(p) if os.path.exists(p) else os.path.abspath(p) for p in roots]


def ids_by_path(conn: sqlite3.Connection, roots: Iterable[str]) -> tuple[list[int], list[int], bool]:
    """(ids of the indexed folders at or below the folder roots, ids of the indexed files that are
    file roots, whether that is the whole index): what a scope by path covers.

    Roots are taken as the scanner records them (``resolved``). When existing folders hold every
    indexed root (the usual case: the folders scanned are the ones asked about), every indexed
    folder is below one of them, so the scope is the whole index: the folders are then not
    listed (matching every folder's path costs ~0.25 s per 20,000 folders, and a rescan asks
    three times).
    """
    wanted = resolved(roots)
    folders = [p for p in wanted if not os.path.isfile(p)]
    single = list(dict.fromkeys(p for p in wanted if p not in folders))
    indexed_roots = [from_db(path) for (path,) in conn.execute("SELECT path FROM roots")]
    if folders and not single and all(map(os.path.isdir, folders)) and all(
            any(is_within(r, f) for f in folders) for r in indexed_roots):
        return [], [], True
    every = list(conn.execute("SELECT id, path FROM dirs"))
    dir_ids = [did for did, path in every if any(is_within(from_db(path), f) for f in folders)]
    file_ids = []
    for path in single:
        parent, name = os.path.split(path)
        row = conn.execute("SELECT f.id FROM files f JOIN dirs d ON d.id=f.dir_id WHERE d.path=? "
                           "AND f.name=?", (to_db(parent), to_db(name))).fetchone()
        if row is not None:
            file_ids.append(row[0])
    return dir_ids, file_ids, not file_ids and len(dir_ids) == len(every)


@dataclass(frozen=True)
class Scope:
    """Indexed files below some folders plus some single files, held in this connection's
    temporary tables ``scope_dirs`` and ``scope_files`` (``Scope.of`` fills them)."""

    conn: sqlite3.Connection
    whole: bool             # every indexed file is in scope: queries need no filter

    @classmethod
    def of(cls, conn: sqlite3.Connection, roots: Iterable[str]) -> Scope:
        """The scope of `roots` (folders or files) in the index as it is now."""
        dir_ids, file_ids, whole = ids_by_path(conn, roots)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS scope_dirs (id INTEGER PRIMARY KEY)")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS scope_files (id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.scope_dirs")
        conn.execute("DELETE FROM temp.scope_files")
        conn.executemany("INSERT INTO temp.scope_dirs (id) VALUES (?)", [(i,) for i in dir_ids])
        conn.executemany("INSERT INTO temp.scope_files (id) VALUES (?)", [(i,) for i in file_ids])
        return cls(conn, whole=whole)

    def where(self, alias: str = "f") -> str:
        """An SQL condition limiting files `alias` to the scope ('1' when it is everything)."""
        if self.whole:
            return "1"
        return (f"({alias}.dir_id IN (SELECT id FROM temp.scope_dirs) "
                f"OR {alias}.id IN (SELECT id FROM temp.scope_files))")

    def dir_paths(self) -> dict[int, str]:
        """Folder id -> path (as the OS spells it) of the folders holding files in scope."""
        sql = "SELECT id, path FROM dirs"
        if not self.whole:
            sql += (" WHERE id IN (SELECT id FROM temp.scope_dirs) OR id IN "
                    "(SELECT dir_id FROM files WHERE id IN (SELECT id FROM temp.scope_files))")
        return {did: from_db(path) for did, path in self.conn.execute(sql)}


def dir_paths(conn: sqlite3.Connection, root_ids: Sequence[int]) -> dict[int, str]:
    """Folder id -> path (as the OS spells it) for the folders of these indexed roots."""
    marks = ",".join("?" * len(root_ids))
    return {did: from_db(path) for did, path in
            conn.execute(f"SELECT id, path FROM dirs WHERE root_id IN ({marks})", tuple(root_ids))}


def count_files(scope: Scope) -> int:
    """Regular files in scope."""
    sql = f"SELECT count(*) FROM files f WHERE f.is_link=0 AND {scope.where()}"
    return scope.conn.execute(sql).fetchone()[0]


def _size_cond(min_size: int, max_size: int | None, alias: str = "f") -> tuple[str, tuple]:
    cond, args = f"{alias}.is_link=0 AND {alias}.size >= ?", (max(1, min_size),)
    if max_size is not None:
        cond += f" AND {alias}.size <= ?"
        args += (max_size,)
    return cond, args


class Candidate(NamedTuple):
    """A file that shares its size with another, with the hashes stored for it so far."""

    id: int
    path: str
    size: int
    mtime_ns: int
    inode: int
    dev: int
    nlink: int
    partial_hash: bytes | None
    full_hash: bytes | None


def candidate_groups(scope: Scope, min_size: int = 1, max_size: int | None = None, *,
                     pending_only: bool = True) -> Iterator[list[Candidate]]:
    """Files in scope sharing a size, one size at a time.

    With `pending_only`, only sizes where some hashing is still due: a file without a
    partial hash that shares its size with another inode, or one without a full hash
    that shares (size, partial hash) with another inode. An unchanged tree has none.
    """
    conn, inscope = scope.conn, scope.where("f")
    cond, args = _size_cond(min_size, max_size)
    if pending_only:
        sizes = (f"SELECT f.size FROM files f WHERE {cond} AND {inscope} AND f.full_hash IS NULL "
                 f"AND EXISTS (SELECT 1 FROM files g WHERE g.size=f.size AND g.is_link=0 "
                 f"AND {scope.where('g')} AND (g.inode<>f.inode OR g.dev<>f.dev) "
                 f"AND (f.partial_hash IS NULL OR g.partial_hash=f.partial_hash)) GROUP BY f.size")
    else:
        sizes = f"SELECT f.size FROM files f WHERE {cond} AND {inscope} GROUP BY f.size HAVING count(*) > 1"
    paths = scope.dir_paths()
    cur = conn.execute(
        f"SELECT f.id, f.dir_id, f.name, f.size, f.mtime_ns, f.inode, f.dev, f.nlink, f.partial_hash, "
        f"f.full_hash FROM files f WHERE f.size IN ({sizes}) AND f.is_link=0 AND {inscope} ORDER BY f.size",
        args)
    sep = os.sep
    new_row = tuple.__new__         # Candidate(...) without the named tuple's Python-level __new__
    group: list[Candidate] = []
    current = None
    while rows := cur.fetchmany(4096):
        for fid, did, name, size, mtime_ns, inode, dev, nlink, partial, full in rows:
            if size != current:
                if len(group) > 1:
                    yield group
                group, current = [], size
            d = paths[did]
            name = from_db(name)
            group.append(new_row(Candidate, (fid, d + name if d.endswith(sep) else d + sep + name, size,
                                             mtime_ns, inode, dev, nlink, partial, full)))
    if len(group) > 1:
        yield group


_SET_HASHES = "UPDATE files SET partial_hash=coalesce(?, partial_hash), full_hash=coalesce(?, full_hash)"


YIELD_SECONDS = 0.003    # pause between two write transactions: another writer's turn


def _write_in_batches(conn: sqlite3.Connection, sql: str, rows: list[tuple], batch: int) -> None:
    """executemany in short transactions; between two of them a pause long enough for a
    waiting writer (which asks every 2 ms, ``store.db.begin_promptly``) to get its turn."""
    if conn.in_transaction:
        conn.commit()
    for i in range(0, len(rows), batch):
        if i:
            time.sleep(YIELD_SECONDS)
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(sql, rows[i:i + batch])
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def _set_hashes(conn: sqlite3.Connection, rows: list[tuple], where: str, batch: int) -> None:
    """Write ``(partial, full or None to keep, category or None to keep, *key)`` rows, where
    `where` finds a row by the key.

    Only the rows with a category set it: a column in an UPDATE's SET list makes SQLite rewrite
    the row's entry in every index holding it (``ix_files_kind``), unchanged or not, which was
    0.5 s of 1.7 s storing 94,000 hashes into a million-file index."""
    plain = [(partial, full, *key) for partial, full, category, *key in rows if category is None]
    typed = [row for row in rows if row[2] is not None]
    _write_in_batches(conn, f"{_SET_HASHES} WHERE {where}", plain, batch)
    _write_in_batches(conn, f"{_SET_HASHES}, category=? WHERE {where}", typed, batch)


def store_hashes(conn: sqlite3.Connection, rows: list[tuple[bytes | None, bytes | None, str | None, int]],
                 batch: int = 5000) -> None:
    """Save ``(partial, full or None to keep, category or None to keep, file id)`` rows, a
    short transaction per `batch` rows."""
    rows.sort(key=lambda r: r[3])       # in row id order: the B-tree pages are visited in order
    _set_hashes(conn, rows, "id=?", batch)


HashRow = tuple[bytes, "bytes | None", "str | None", str]      # (partial, full, category, path)


def store_hashes_by_path(conn: sqlite3.Connection, rows: Iterable[HashRow], batch: int = 5000) -> int:
    """Save ``(partial, full or None, category or None, path)`` rows of indexed files (paths the
    index does not hold are skipped); returns how many rows were saved."""
    dirs = {from_db(path): did for did, path in conn.execute("SELECT id, path FROM dirs")}
    sep = os.sep
    args = []
    for partial, full, cat, path in rows:
        folder, _, name = path.rpartition(sep)
        did = dirs.get(folder or sep)
        if did is not None:
            args.append((partial, full, cat, did, to_db(name)))
    args.sort(key=lambda a: a[3])       # folder by folder: the (dir_id, name) index in order
    _set_hashes(conn, args, "dir_id=? AND name=?", batch)
    return len(args)


def duplicate_rows(scope: Scope, min_size: int = 1, max_size: int | None = None) -> list[HashedFile]:
    """The files in scope whose stored full hash another file in scope shares, sorted by
    (full_hash, size)."""
    cond, args = _size_cond(min_size, max_size)
    inscope = scope.where("f")
    shared = (f"SELECT f.full_hash FROM files f WHERE {cond} AND f.full_hash IS NOT NULL AND {inscope} "
              f"GROUP BY f.full_hash HAVING count(*) > 1")
    paths = scope.dir_paths()
    sep = os.sep
    new_row = tuple.__new__         # HashedFile(...) without the named tuple's Python-level __new__
    rows = []
    for size, full, did, name, mtime_ns, inode, dev, nlink in scope.conn.execute(
            f"SELECT f.size, f.full_hash, f.dir_id, f.name, f.mtime_ns, f.inode, f.dev, f.nlink FROM files f "
            f"WHERE f.full_hash IN ({shared}) AND {cond} AND {inscope} ORDER BY f.full_hash, f.size",
            args + args):
        d, name = paths[did], from_db(name)
        path = d + name if d.endswith(sep) else d + sep + name
        rows.append(new_row(HashedFile, (size, full, path, mtime_ns, inode, dev, nlink)))
    return rows
