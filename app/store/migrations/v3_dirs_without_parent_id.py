"""Version 2 -> 3: ``dirs.parent_id`` goes; nothing ever filled it in or read it.

``ALTER TABLE ... DROP COLUMN`` needs SQLite 3.35 (2021). With an older SQLite the column
stays: it is nullable and unused, so leaving it costs a few bytes per folder and nothing else,
where rebuilding the table would mean switching foreign keys off around the upgrade.
"""

from __future__ import annotations

import sqlite3


def upgrade(conn: sqlite3.Connection) -> None:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(dirs)")}
    if "parent_id" in columns and sqlite3.sqlite_version_info >= (3, 35, 0):
        conn.execute("ALTER TABLE dirs DROP COLUMN parent_id")
