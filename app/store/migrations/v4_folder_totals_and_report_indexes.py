"""Version 3 -> 4: folders keep their own file totals, and two indexes serve the breakdowns.

``dirs.files`` and ``dirs.bytes`` start out NULL (unknown): the reports count those folders'
rows until the next scan writes the totals. The two triggers that unsign a folder when its
rows change now clear its totals too. ``ix_files_kind`` and ``ix_files_mtime`` let the Dashboard
read files by kind and by age without sorting every row (about 3 s per million files before).
"""

from __future__ import annotations

import sqlite3

_STATEMENTS = (
    "ALTER TABLE dirs ADD COLUMN files INTEGER",
    "ALTER TABLE dirs ADD COLUMN bytes BIGINT",
    "DROP TRIGGER IF EXISTS files_delete_unsign",
    "DROP TRIGGER IF EXISTS files_update_unsign",
    "CREATE TRIGGER files_delete_unsign AFTER DELETE ON files BEGIN "
    "UPDATE dirs SET signature = NULL, files = NULL, bytes = NULL "
    "WHERE id = OLD.dir_id AND (signature IS NOT NULL OR files IS NOT NULL); END",
    "CREATE TRIGGER files_update_unsign AFTER UPDATE OF dir_id, name, size, mtime_ns, inode, dev, nlink, "
    "is_link, ctime_ns ON files BEGIN "
    "UPDATE dirs SET signature = NULL, files = NULL, bytes = NULL "
    "WHERE id IN (OLD.dir_id, NEW.dir_id) AND (signature IS NOT NULL OR files IS NOT NULL); END",
    "CREATE INDEX IF NOT EXISTS ix_files_kind ON files (category, ext, is_link, size, dir_id)",
    "CREATE INDEX IF NOT EXISTS ix_files_mtime ON files (mtime_ns, is_link, size, dir_id)",
)


def upgrade(conn: sqlite3.Connection) -> None:
    for statement in _STATEMENTS:
        conn.execute(statement)
