"""Opening the local database: SQLite in WAL mode, schema created and migrated on open.

Hot paths (scans, duplicate finding, the journal) use plain sqlite3 connections from
``Database.raw()``. SQLAlchemy is imported and its engine created only when
``Database.engine`` is first used, or when the schema must be created or migrated:
importing it costs about 0.15 s of CPU, a large share of a short CLI command.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import paths

if TYPE_CHECKING:
    from sqlalchemy import Engine

SCHEMA_VERSION = 2
POOL_SIZE = 4           # idle plain connections kept for reuse
BUSY_TIMEOUT = 10.0     # seconds a write waits for another connection's transaction


def _add_ctime(conn: Any) -> None:
    """1 -> 2: files get ctime_ns, part of what a stored hash is trusted by. Stored hashes of
    version 1 were trusted without it, so they are dropped: the next search hashes again.
    The insert trigger goes: only the scanner inserts file rows, and it signs their folders."""
    from app.store.schema import _UNSIGN_TRIGGERS

    conn.exec_driver_sql("ALTER TABLE files ADD COLUMN ctime_ns BIGINT NOT NULL DEFAULT 0")
    conn.exec_driver_sql("UPDATE files SET partial_hash=NULL, full_hash=NULL")
    conn.exec_driver_sql("UPDATE dirs SET signature=NULL")
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS files_insert_unsign")
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS files_update_unsign")
    conn.exec_driver_sql(next(t for t in _UNSIGN_TRIGGERS if "files_update_unsign" in t))


# Migrations from version N to N+1, applied in order on open: MIGRATIONS[N](connection).
MIGRATIONS: dict[int, Callable[[Any], None]] = {1: _add_ctime}


def _on_connect(dbapi_conn: sqlite3.Connection, _record: object = None) -> None:
    cur = dbapi_conn.cursor()
    # for a new file only (ignored once it has tables): fewer, larger pages for the index's rows
    cur.execute("PRAGMA page_size=16384")
    cur.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a process crash (kill -9); FULL would add an fsync per commit.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
    cur.execute("PRAGMA temp_store=MEMORY")
    # 16 MiB of pages per connection: a job holds several connections, and the peak memory of a
    # million-file search must stay well under 300 MB (64 MiB each added ~70 MB to it)
    cur.execute("PRAGMA cache_size=-16384")
    cur.close()


def begin_promptly(conn: sqlite3.Connection, timeout: float = BUSY_TIMEOUT) -> None:
    """Start a write transaction, asking for the write lock every 2 ms until `timeout`.

    A job writes in short transactions with short gaps between them. SQLite's own busy
    handler sleeps longer and longer between tries (up to 100 ms), so a small write (the
    window saving a setting) could miss gap after gap and wait half a second; asking often
    gets it in at the next gap.
    """
    deadline = time.monotonic() + timeout
    conn.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.002)
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")


class RawConnection(sqlite3.Connection):
    """A plain sqlite3 connection from ``Database.raw()``; ``close()`` hands it back to the pool.

    ``driver_connection`` is the connection itself (the attribute SQLAlchemy's pooled
    connections have), so callers written for either work unchanged.
    """

    _owner: Database | None = None

    @property
    def driver_connection(self) -> RawConnection:
        return self

    def close(self) -> None:
        owner = self._owner
        if owner is not None and owner._give_back(self):
            return
        super().close()

    def really_close(self) -> None:
        super().close()


class Database:
    """The app's SQLite database. Thread-safe: each thread takes its own connection."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._idle: list[RawConnection] = []
        self._closed = False
        self._engine: Engine | None = None
        self._migrate()

    # --- plain connections ------------------------------------------------------------------

    def _connect(self) -> RawConnection:
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, factory=RawConnection)
        _on_connect(conn)
        conn._owner = self
        return conn

    def _give_back(self, conn: RawConnection) -> bool:
        """Reset `conn` (roll back what was not committed, settings a job changed) and keep it
        for reuse; False: close it."""
        try:
            conn.rollback()
        except sqlite3.Error:
            return False
        with self._lock:
            if self._closed or len(self._idle) >= POOL_SIZE or conn in self._idle:
                return conn in self._idle
            self._idle.append(conn)
            return True

    def raw(self) -> RawConnection:
        """A plain sqlite3 connection from the pool, for hot loops (executemany).

        Call ``close()`` on it to hand it back to the pool.
        """
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._connect()

    # --- SQLAlchemy, on demand ----------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (created on first use)."""
        with self._lock:
            if self._engine is None:
                from sqlalchemy import create_engine, event
                from sqlalchemy.pool import QueuePool

                engine = create_engine(
                    f"sqlite:///{self.path}", poolclass=QueuePool, pool_size=4, max_overflow=8,
                    connect_args={"check_same_thread": False, "timeout": 30},
                )
                event.listen(engine, "connect", _on_connect)
                self._engine = engine
            return self._engine

    def _migrate(self) -> None:
        conn = self.raw()
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0] or 0
        finally:
            conn.close()
        if version >= SCHEMA_VERSION:
            return              # the common case: no SQLAlchemy needed
        if version == 0 and self._create_from_script():
            return
        from app.store import schema

        with self.engine.begin() as sa_conn:
            version = sa_conn.exec_driver_sql("PRAGMA user_version").scalar() or 0
            if version == 0:
                schema.metadata.create_all(sa_conn)
                version = SCHEMA_VERSION
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](sa_conn)
                version += 1
            sa_conn.exec_driver_sql(f"PRAGMA user_version={version}")

    def _create_from_script(self) -> bool:
        """Create a new database's schema from the prebuilt DDL (no SQLAlchemy); False if stale."""
        from app.store import schema_sql

        ddl = schema_sql.statements()
        if ddl is None:
            return False
        conn = self.raw()
        try:
            conn.execute("BEGIN IMMEDIATE")         # another process may be creating it right now
            if (conn.execute("PRAGMA user_version").fetchone()[0] or 0) == 0:
                for sql in ddl:
                    conn.execute(sql)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.commit()
        finally:
            conn.close()
        return True

    # --- settings -----------------------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A JSON setting stored in the database."""
        conn = self.raw()
        try:
            row = conn.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        finally:
            conn.close()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON setting (the window does, while jobs write: see ``begin_promptly``)."""
        conn = self.raw()
        try:
            begin_promptly(conn)
            conn.execute("INSERT INTO settings(key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, json.dumps(value)))
            conn.commit()
        finally:
            conn.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.really_close()
        if self._engine is not None:
            self._engine.dispose()


def open_database(path: Path | None = None) -> Database:
    """Open (creating or migrating) the database at `path`, by default the app's own."""
    return Database(path or paths.database_path())
