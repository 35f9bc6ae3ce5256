"""Scopes and connections for the index aggregates: which roots a query covers, and how it reads.

Every aggregate takes a ``Source``: a ``Database`` (each call borrows a pooled connection) or an
open ``sqlite3.Connection`` (``reading(db)`` gives one inside a read transaction, so several
calls see one consistent snapshot), plus a ``Scope`` (``scope_for(src, paths)``, by path: the
files below some folders and some single files; EVERYTHING = the whole index). The folders'
own file totals in a scope (``direct_totals``) are here too: the totals and the folder sizes
both add them up.
"""

# SQL here is built only from fixed fragments and "?" placeholders; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from app.store.codec import from_db
from app.store.db import Database
from app.store.index import root_ids_within
from app.store.index_query import ids_by_path, resolved

Source = Database | sqlite3.Connection


@dataclass(frozen=True, slots=True)
class Scope:
    """Which indexed files an aggregate covers: every file below some folders plus some single
    files, by path, whichever indexed root they were recorded under (None = everything).

    ``root_ids`` are the indexed roots inside those folders (for their scan problems and scan
    times). ``whole`` says the scope was the whole index when it was made: file queries then
    need no filter and can read covering indexes alone.
    """

    root_ids: tuple[int, ...] | None = None
    whole: bool = False
    dir_ids: str = "[]"         # JSON arrays: bound as one value each (json_each), however long
    file_ids: str = "[]"

    def files_sql(self, links: bool = False, dirs: bool = False) -> tuple[str, tuple]:
        """'FROM ... WHERE ...' over files f (joined to dirs d when asked) and its arguments.

        CROSS JOIN keeps files as the outer loop: SQLite scans files (or a covering index of
        them) once and checks each folder through a Bloom filter, instead of visiting the
        files folder by folder.
        """
        link_cond = "" if links else " AND f.is_link=0"
        join = " CROSS JOIN dirs d ON d.id=f.dir_id" if dirs else ""
        if self.root_ids is None or self.whole:
            return f"FROM files f{join} WHERE 1{link_cond}", ()
        return (f"FROM files f{join} WHERE (f.dir_id IN (SELECT value FROM json_each(?)) "
                f"OR f.id IN (SELECT value FROM json_each(?))){link_cond}", (self.dir_ids, self.file_ids))

    def roots_sql(self, column: str) -> tuple[str, tuple]:
        """A WHERE condition on a root id column and its arguments."""
        if self.root_ids is None or self.whole:
            return "1", ()
        return f"{column} IN ({','.join('?' * len(self.root_ids))})", self.root_ids

    def dirs_sql(self) -> tuple[str, tuple]:
        """A WHERE condition on dirs (as d) for the folders holding files in scope."""
        if self.root_ids is None or self.whole:
            return "1", ()
        return ("(d.id IN (SELECT value FROM json_each(?)) OR d.id IN (SELECT dir_id FROM files "
                "WHERE id IN (SELECT value FROM json_each(?))))", (self.dir_ids, self.file_ids))


EVERYTHING = Scope()


@contextlib.contextmanager
def connection(src: Source) -> Iterator[sqlite3.Connection]:
    """`src` itself when it is a connection, else a pooled connection borrowed for the block."""
    if not isinstance(src, Database):
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
    """The scope of `paths` (folders or files; None: the whole index)."""
    if paths is None:
        return EVERYTHING
    wanted = resolved(paths)
    with connection(src) as conn:
        ids = tuple(root_ids_within(conn, wanted))
        dir_ids, file_ids, whole = ids_by_path(conn, wanted)
    return Scope(ids, whole=whole and bool(ids),
                 dir_ids=json.dumps(dir_ids), file_ids=json.dumps(file_ids))


def root_paths(src: Source, scope: Scope = EVERYTHING) -> list[str]:
    """The indexed root folders in the scope, outermost only, sorted."""
    where, args = scope.roots_sql("id")
    with connection(src) as conn:
        paths = sorted(from_db(p) for (p,) in conn.execute(f"SELECT path FROM roots WHERE {where}", args))
    outer: list[str] = []
    for p in paths:
        if not any(p.startswith(o.rstrip(os.sep) + os.sep) for o in outer):
            outer.append(p)
    return outer


def dir_paths(conn: sqlite3.Connection, scope: Scope) -> dict[int, str]:
    """Folder id -> path of every indexed folder holding files in the scope."""
    where, args = scope.dirs_sql()
    return {i: from_db(p) for i, p in conn.execute(f"SELECT d.id, d.path FROM dirs d WHERE {where}", args)}


def direct_totals(conn: sqlite3.Connection, scope: Scope) -> list[tuple[int, int, int]]:
    """(folder id, files, bytes) of each folder's own files in the scope.

    The scanner keeps these totals on the folder rows (``dirs.files``, ``dirs.bytes``): reading
    them is one row per folder instead of a sort of every file (over a second per million
    files). Folders whose rows changed since (their totals are NULL), and folders that are in
    the scope only for some single files, are counted from their rows.
    """
    where, args = scope.dirs_sql()
    whole = set(json.loads(scope.dir_ids)) if scope.root_ids is not None and not scope.whole else None
    known, recount = [], []
    for did, nfiles, nbytes in conn.execute(f"SELECT d.id, d.files, d.bytes FROM dirs d WHERE {where}", args):
        if nfiles is None or (whole is not None and did not in whole):
            recount.append(did)
        else:
            known.append((did, nfiles, nbytes))
    if recount:
        frm, fargs = scope.files_sql()
        known += conn.execute(f"SELECT f.dir_id, count(*), sum(f.size) {frm} AND f.dir_id IN "
                              f"(SELECT value FROM json_each(?)) GROUP BY f.dir_id",
                              (*fargs, json.dumps(recount))).fetchall()
    return known
