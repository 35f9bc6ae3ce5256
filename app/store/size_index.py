"""The files-by-size index, set aside while a first scan fills an empty index.

``ix_files_size`` (size, is_link) serves the duplicate candidates and the largest-file lists,
but its keys arrive in random order: once it outgrows the page cache, every write batch
dirties a page of it for almost every row, and the write-ahead log and its checkpoints copy
those pages again and again. On a million files that made writing rows twice as slow as the
rows themselves, and the cost per file grew with the tree (measured in docs/benchmarks.md).
Building the index once, after the rows are in, is a single sort.

So a scan that starts on an index holding few files drops it and builds it again when the
scan ends, cancelled or not. Queries stay correct meanwhile (an index is never needed for
a result), only slower. Building it holds the write lock for about 1.5 s per million rows,
once; the scan of a tree that size takes far longer. A process killed in between leaves
the index missing: every scan starts by restoring it (``ensure``), which costs nothing
when it is there.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from app.store import schema
from app.store.index import write_transaction

# below this many files in the whole index a scan fills it in bulk (rebuilding the index
# costs about 1.5 us a row: cheap next to what a scan that finds this many files costs)
BULK_BELOW = 50_000

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


@contextlib.contextmanager
def set_aside_when_empty(conn: sqlite3.Connection) -> Iterator[bool]:
    """While the block runs, drop the index if the index holds fewer than BULK_BELOW files;
    build it again at the end. Yields whether it was set aside."""
    ensure(conn)
    files = conn.execute("SELECT count(*) FROM files").fetchone()[0]
    conn.commit()
    if files >= BULK_BELOW:
        yield False
        return
    with write_transaction(conn):
        conn.execute(f"DROP INDEX IF EXISTS {_INDEX.name}")
    try:
        yield True
    finally:
        ensure(conn)

