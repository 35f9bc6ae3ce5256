"""Scopes and connections for the index aggregates: which roots a query covers, and how it reads.

Every aggregate takes a ``Source``: a ``Database`` (each call borrows a pooled connection) or an
open ``sqlite3.Connection`` (``reading(db)`` gives one inside a read transaction, so several
calls see one consistent snapshot), plus a ``Scope`` (``scope_for(src, paths)``; EVERYTHING =
the whole index).
"""

# SQL here is built only from fixed fragments and "?" placeholders; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from app.store.codec import from_db
from app.store.db import Database
from app.store.index import root_ids_within

Source = Database | sqlite3.Connection


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
def connection(src: Source) -> Iterator[sqlite3.Connection]:
    """`src` itself when it is a connection, else a pooled connection borrowed for the block."""
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
    with connection(src) as conn:
        ids = tuple(root_ids_within(conn, paths))
        every = {i for (i,) in conn.execute("SELECT id FROM roots")}
    return Scope(ids, whole=bool(ids) and set(ids) == every)


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
    """Folder id -> path of every indexed folder in the scope."""
    where, args = scope.roots_sql("root_id")
    return {i: from_db(p) for i, p in conn.execute(f"SELECT id, path FROM dirs WHERE {where}", args)}
