"""Numbered upgrades of the local database: one module per schema version after the first.

A database records its schema version in SQLite's ``PRAGMA user_version``. Version 1 is the
schema of the first release and is frozen: every later change to ``store.schema`` comes with a
module here, ``v<N>_<what>.py``, whose ``upgrade(conn)`` takes a database from version N-1 to
N, and an entry in ``STEPS`` (listed by hand, so the installers' bundler sees every module).

``store.db.Database`` creates a new database from ``store.schema`` at ``SCHEMA_VERSION``
directly, and runs the steps an older one lacks in a single write transaction (SQLite's DDL
is transactional), so an upgrade that fails or is interrupted leaves the database as it was,
and two processes opening it at once upgrade it once.

A step works on the plain sqlite3 connection with its SQL written out in full, never taken
from ``store.schema``: it must do the same thing however that module changes later.
``tests/store/test_migrations.py`` upgrades a version-1 database full of data and compares
the result with a new database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from app.store.migrations import (
    v2_files_ctime,
    v3_dirs_without_parent_id,
    v4_folder_totals_and_report_indexes,
)

FIRST_RELEASED = 1

# target version -> the step that reaches it from the version before
STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {
    2: v2_files_ctime.upgrade,
    3: v3_dirs_without_parent_id.upgrade,
    4: v4_folder_totals_and_report_indexes.upgrade,
}

SCHEMA_VERSION = max(STEPS)


def upgrade(conn: sqlite3.Connection, version: int) -> int:
    """Run the steps from `version` to ``SCHEMA_VERSION`` on `conn` (inside the caller's
    transaction); returns the version reached."""
    if version < FIRST_RELEASED:
        raise ValueError(f"schema version {version} predates the first release; no upgrade exists")
    for target in range(version + 1, SCHEMA_VERSION + 1):
        STEPS[target](conn)
    return max(version, SCHEMA_VERSION)
