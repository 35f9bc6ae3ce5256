"""Opening the local database: a small pool of SQLite connections set up for WAL.

``Database.raw()`` lends a pooled sqlite3 connection (set up once by ``_on_connect``); the hot
paths (the scan index, duplicate queries, the journal, the aggregates) run plain sqlite3 on it
(``executemany`` over thousands of rows). Repositories that build their SQL with SQLAlchemy Core
use ``Database.engine``, made on first use: importing SQLAlchemy costs ~0.2 s, a fifth of an
unchanged 100,000-file ``fileorganizer dupes``, and most commands never need it.

The schema is ``store.schema``; ``_prepare`` creates it in a new database and runs the
numbered steps of ``store.migrations`` on an older one.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import paths
from app.store import migrations
from app.store.migrations import SCHEMA_VERSION

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["BUSY_TIMEOUT", "SCHEMA_VERSION", "Database", "PooledConnection", "begin_promptly",
           "open_database"]

POOL_SIZE = 4           # idle connections kept for reuse; more are opened when needed, never waited for
BUSY_TIMEOUT = 10.0     # seconds a write waits for another connection's transaction


def _on_connect(dbapi_conn: sqlite3.Connection, _record: object = None) -> None:
    cur = dbapi_conn.cursor()
    # for a new file only (ignored once it has tables): fewer, larger pages for the index's rows
    cur.execute("PRAGMA page_size=16384")
    # readers see the last commit while a job writes; the window's writes wait only for the
    # job's current short transaction
    _use_wal(dbapi_conn)
    # NORMAL in WAL mode survives a process crash (kill -9); FULL would add an fsync per commit.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
    # temp_store stays SQLite's default (files): large sorts (building an index after a first
    # scan, grouping a report) spill to a temporary file, which the OS caches, instead of the
    # process's own memory; the sort itself ran 20-40% faster that way here
    # 16 MiB of pages per connection: a job holds several connections, and the peak memory of a
    # million-file search must stay well under 300 MB (64 MiB each added ~70 MB to it)
    cur.execute("PRAGMA cache_size=-16384")
    cur.close()


def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the database file in WAL mode (it stays so). Switching needs the file to itself: when
    two processes open a new or an older database at once, a switch that waits in SQLite's busy
    handler keeps its lock while the other opener waits on it, and one of them fails with
    "database is locked" after the busy timeout. So the switch is tried without waiting, and
    again every 2 ms, holding nothing in between."""
    if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    _keep_asking(conn, "PRAGMA journal_mode=WAL", BUSY_TIMEOUT)


def begin_promptly(conn: sqlite3.Connection | PooledConnection, timeout: float = BUSY_TIMEOUT) -> None:
    """Start a write transaction, asking for the write lock every 2 ms until `timeout`.

    A job writes in short transactions with short gaps between them. SQLite's own busy
    handler sleeps longer and longer between tries (up to 100 ms), so a small write (the
    window saving a setting) could miss gap after gap and wait half a second; asking often
    gets it in at the next gap.
    """
    _keep_asking(conn, "BEGIN IMMEDIATE", timeout)


def _keep_asking(conn: sqlite3.Connection | PooledConnection, statement: str, timeout: float) -> None:
    """Run `statement`, which needs a lock, asking again every 2 ms until `timeout` instead of
    waiting in SQLite's busy handler (which holds what it has and backs off up to 100 ms)."""
    deadline = time.monotonic() + timeout
    conn.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                conn.execute(statement)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.002)
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")


def _connect(path: Path) -> sqlite3.Connection:
    """A new connection to the database file, usable from any thread (one at a time)."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, check_same_thread=False)
    try:
        _on_connect(conn)
    except BaseException:
        conn.close()
        raise
    return conn


class PooledConnection:
    """A connection lent by ``Database.raw()``: the sqlite3 connection's own methods (``execute``,
    ``executemany``, ``commit``, ``in_transaction`` ...); ``close()`` hands it back, rolling back
    what was not committed. ``driver_connection`` is the sqlite3 connection itself."""

    __slots__ = ("_pool", "driver_connection")

    def __init__(self, conn: sqlite3.Connection, pool: _Pool) -> None:
        self.driver_connection: sqlite3.Connection | None = conn
        self._pool = pool

    def __getattr__(self, name: str) -> Any:
        if self.driver_connection is None:      # handed back: another borrower may have it now
            raise sqlite3.ProgrammingError("this connection was handed back to the pool")
        return getattr(self.driver_connection, name)

    def close(self) -> None:
        conn, self.driver_connection = self.driver_connection, None
        if conn is not None:
            self._pool.put(conn)


class _Pool:
    """Idle connections kept for reuse, up to POOL_SIZE. A borrower never waits: with none idle,
    another is opened (a duplicate search holds a reader and a writer while the window reads and
    writes settings). After ``close`` a connection handed back is closed rather than kept: it
    would hold the database file open (on Windows, the file could not be removed)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def get(self) -> sqlite3.Connection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _connect(self._path)

    def put(self, conn: sqlite3.Connection) -> None:
        try:
            conn.rollback()
        except sqlite3.ProgrammingError:        # closed already
            return
        except sqlite3.Error:                   # in a state nobody should inherit
            conn.close()
            return
        with self._lock:
            if not self._closed and len(self._idle) < POOL_SIZE:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


class Database:
    """The app's SQLite database. Thread-safe: each thread takes its own connection."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._pool = _Pool(self.path)
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self._closed = False
        try:
            self._prepare()
        except BaseException:
            self.close()
            raise

    def raw(self) -> PooledConnection:
        """A pooled sqlite3 connection for hot loops (``executemany``); ``close()`` hands it back
        to the pool (rolling back what was not committed)."""
        return PooledConnection(self._pool.get(), self._pool)

    @property
    def engine(self) -> Engine:
        """An SQLAlchemy engine on the same file, for the repositories written with SQLAlchemy Core
        (its own pool of connections, set up like the others), made on first use."""
        with self._engine_lock:
            if self._engine is None:
                from sqlalchemy import URL, create_engine, event
                from sqlalchemy.pool import QueuePool

                # QueuePool: POOL_SIZE idle connections kept; max_overflow=-1 opens another rather than wait
                self._engine = create_engine(
                    URL.create("sqlite", database=str(self.path)), poolclass=QueuePool, pool_size=POOL_SIZE,
                    max_overflow=-1, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT})
                event.listen(self._engine, "connect", _on_connect)
                event.listen(self._engine, "checkin", self._on_checkin)
            return self._engine

    def _prepare(self) -> None:
        """Create the schema in a new database, or upgrade an older one to ``SCHEMA_VERSION``."""
        conn = self.raw()
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
        if version >= SCHEMA_VERSION:
            return              # the common case
        from app.store import schema

        with self.engine.connect() as sa_conn:
            dbapi = sa_conn.connection.driver_connection
            # one write transaction for the whole creation or upgrade: another process may be
            # doing the same right now, and a failure must leave the database as it was
            begin_promptly(dbapi)
            try:
                version = dbapi.execute("PRAGMA user_version").fetchone()[0]
                if version == 0:
                    schema.metadata.create_all(sa_conn)
                    version = SCHEMA_VERSION
                elif version < SCHEMA_VERSION:
                    version = migrations.upgrade(dbapi, version)
                dbapi.execute(f"PRAGMA user_version={version}")
                dbapi.commit()
            except BaseException:
                dbapi.rollback()
                raise

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

    def _on_checkin(self, dbapi_conn: sqlite3.Connection | None, record: Any) -> None:
        # after close(), a connection handed back is closed rather than kept (see _Pool)
        if self._closed and dbapi_conn is not None:
            record.invalidate()

    def close(self) -> None:
        """Close the pooled connections; one still borrowed is closed when handed back."""
        self._closed = True
        self._pool.close()
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()


def open_database(path: Path | None = None) -> Database:
    """Open (creating or upgrading) the database at `path`, by default the app's own."""
    return Database(path or paths.database_path())
