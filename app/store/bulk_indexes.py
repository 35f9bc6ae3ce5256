"""The files indexes with keys in random order, set aside while a first scan of a large tree
fills the index.

``ix_files_size`` (the duplicate candidates, the largest files), ``ix_files_kind`` and
``ix_files_mtime`` (the Dashboard's breakdowns) all get their keys in random order: once one
outgrows the page cache, every write batch dirties a page of it for almost every row, and the
write-ahead log and its checkpoints copy those pages again and again. On a million files the
size index alone made writing rows twice as slow as the rows themselves, and the cost per file
grew with the tree (docs/benchmarks.md). Building an index once, after the rows are in, is a
single sort.

So when a scan that started on a nearly empty index has written SET_ASIDE_AFTER new rows, it
drops these indexes, and builds them again when the scan ends, cancelled or not. A smaller scan
never does: there the indexes fit in the cache and cost little. Queries stay correct meanwhile
(no result needs an index), only slower. Building each holds the write lock for up to about
2 s per million rows (the kind index: 1.7-2.1 s measured), once, at the end of a scan that took
far longer; the window writes in its workers, never on the UI thread, so it waits without
freezing. A process killed in between leaves them missing: every scan starts by restoring them
(``ensure``), which costs nothing when they are there.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from app.platform.cpus import usable_cpus
from app.store.index import write_transaction

BULK_BELOW = 50_000             # files in the whole index when the scan starts
SET_ASIDE_AFTER = 200_000       # new rows this scan has written

NAMES = ("ix_files_size", "ix_files_kind", "ix_files_mtime")


def _create_sql(name: str) -> str:
    """The statement that builds index `name`, from its definition in ``store.schema`` (imported
    only here: it imports SQLAlchemy, which a scan does not otherwise need)."""
    from app.store import schema

    ix = next(ix for ix in schema.files.indexes if ix.name == name)
    return f"CREATE INDEX IF NOT EXISTS {name} ON files ({', '.join(c.name for c in ix.columns)})"


def missing(conn: sqlite3.Connection) -> list[str]:
    """The names of the set-aside indexes that are not there now."""
    present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    conn.commit()
    return [name for name in NAMES if name not in present]


def ensure(conn: sqlite3.Connection) -> None:
    """Create the indexes a process left set aside when it died (or this scan set aside)."""
    names = missing(conn)
    if not names:
        return
    # SQLite may sort the keys in helper threads (a no-op where it was built without them): the
    # three builds at a million rows took 3.2 s instead of 3.9 s on 2 cores with one helper (two
    # were no faster there, only busier)
    conn.execute(f"PRAGMA threads={max(0, min(3, usable_cpus() - 1))}")
    try:
        for name in names:
            with write_transaction(conn):       # one at a time: a writer waits for one build, not three
                conn.execute(_create_sql(name))
    finally:
        conn.execute("PRAGMA threads=0")


class BulkIndexes:
    """One scan's view of the indexes: ``written(n)`` after each folder, with the new rows so far."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        ensure(conn)
        self._conn = conn
        self._may_set_aside = conn.execute("SELECT count(*) FROM files").fetchone()[0] < BULK_BELOW
        conn.commit()
        self.set_aside = False

    def written(self, new_rows: int) -> None:
        if self._may_set_aside and not self.set_aside and new_rows >= SET_ASIDE_AFTER:
            with write_transaction(self._conn):
                for name in NAMES:
                    self._conn.execute(f"DROP INDEX IF EXISTS {name}")
            self.set_aside = True


@contextlib.contextmanager
def for_scan(conn: sqlite3.Connection) -> Iterator[BulkIndexes]:
    """The indexes as one scan sees them; built again at the end if the scan set them aside."""
    indexes = BulkIndexes(conn)
    try:
        yield indexes
    finally:
        if indexes.set_aside:
            ensure(conn)
