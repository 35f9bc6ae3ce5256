"""Version 1 -> 2: files get ``ctime_ns``, part of what a stored hash is trusted by.

Hashes stored under version 1 were trusted without it, so they are dropped (the next duplicate
search hashes again) and every folder's listing signature with them. The insert trigger goes:
only the scanner inserts file rows, and it signs their folders itself; the update trigger also
watches ``ctime_ns``.
"""

from __future__ import annotations

import sqlite3

_STATEMENTS = (
    "ALTER TABLE files ADD COLUMN ctime_ns BIGINT NOT NULL DEFAULT 0",
    "UPDATE files SET partial_hash=NULL, full_hash=NULL",
    "UPDATE dirs SET signature=NULL",
    "DROP TRIGGER IF EXISTS files_insert_unsign",
    "DROP TRIGGER IF EXISTS files_update_unsign",
    "CREATE TRIGGER files_update_unsign AFTER UPDATE OF dir_id, name, size, mtime_ns, inode, dev, nlink, "
    "is_link, ctime_ns ON files BEGIN "
    "UPDATE dirs SET signature = NULL WHERE id IN (OLD.dir_id, NEW.dir_id) AND signature IS NOT NULL; END",
)


def upgrade(conn: sqlite3.Connection) -> None:
    for sql in _STATEMENTS:
        conn.execute(sql)
