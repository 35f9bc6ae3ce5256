"""The files-by-size index, set aside while a first scan of a large tree fills the index.

``ix_files_size`` (size, is_link) serves the duplicate candidates and the largest-file lists,
but its keys arrive in random order: once it outgrows the page cache, every write batch
dirties a page of it for almost every row, and the write-ahead log and its checkpoints copy
those pages again and again. On a million files that made writing rows twice as slow as the
rows themselves, and the cost per file grew with the tree (docs/benchmarks.md). Building the
index once, after the rows are in, is a single sort.

So when a scan that started on a nearly empty index has written SET_ASIDE_AFTER new rows, it
drops the index, and builds it again when the scan ends, cancelled or not. A smaller scan
never does: there the index fits in the cache and costs little. Queries stay correct meanwhile
(no result needs an index), only slower. Building it holds the write lock for about 1.5 s per
million rows, once, at the end of a scan that took far longer; the window writes in its
workers, never on the UI thread, so it waits without freezing. A process killed in between
leaves the index missing: every scan starts by restoring it (``ensure``), which costs nothing
when it is there.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from app.store import schema
from app.store.index import write_transaction

BULK_BELOW = 50_000             # files in the whole index when the scan starts
SET_ASIDE_AFTER = 200_000       # new rows this scan has written

_INDEX = next(ix for ix in schema.files.indexes if ix.name == "ix_files_size")
_CREATE = (f"CREATE INDEX IF NOT EXISTS {_INDEX.name} ON files "
           f"({', '.join(column.name for column in _INDEX.columns)})")


def ensure(conn: sqlite3.Connection) -> None:
    """Create the index if a process died while it was set aside."""
    present = conn.execute("SELECT 1 FROM sqlite_master WHERE type='index' AND name=?",
                           (_INDEX.name,)).fetchone()
    conn.commit()
    if present is None:
        with write_transaction(conn):
            conn.execute(_CREATE)


class SizeIndex:
    """One scan's view of the index: ``written(n)`` after each folder, with the new rows so far."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        ensure(conn)
        self._conn = conn
        self._may_set_aside = conn.execute("SELECT count(*) FROM files").fetchone()[0] < BULK_BELOW
        conn.commit()
        self.set_aside = False

    def written(self, new_rows: int) -> None:
        if self._may_set_aside and not self.set_aside and new_rows >= SET_ASIDE_AFTER:
            with write_transaction(self._conn):
                self._conn.execute(f"DROP INDEX IF EXISTS {_INDEX.name}")
            self.set_aside = True


@contextlib.contextmanager
def for_scan(conn: sqlite3.Connection) -> Iterator[SizeIndex]:
    """The index as one scan sees it; built again at the end if the scan set it aside."""
    sizes = SizeIndex(conn)
    try:
        yield sizes
    finally:
        if sizes.set_aside:
            ensure(conn)
