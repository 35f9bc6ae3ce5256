"""Opening the local database: SQLite in WAL mode, schema created and migrated on open.

Hot paths (scans, duplicate finding, the journal) use plain sqlite3 connections from
``Database.raw()``. SQLAlchemy is imported and its engine created only when
``Database.engine`` is first used, or when the schema must be created or migrated:
importing it costs about 0.15 s of CPU, a large share of a short CLI command.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import paths

if TYPE_CHECKING:
    from sqlalchemy import Engine

SCHEMA_VERSION = 1
POOL_SIZE = 4           # idle plain connections kept for reuse
_AUTOCHECKPOINT = 1000  # SQLite's default: a commit checkpoints once the WAL holds this many pages

# Migrations from version N to N+1, applied in order on open: MIGRATIONS[N](connection).
MIGRATIONS: dict[int, Callable[[Any], None]] = {}


def _on_connect(dbapi_conn: sqlite3.Connection, _record: object = None) -> None:
    cur = dbapi_conn.cursor()
    # for a new file only (ignored once it has tables): a scan's big transactions write a third
    # of the pages, and a WAL of 100,000 files' rows stays under the autocheckpoint size (measured)
    cur.execute("PRAGMA page_size=16384")
    cur.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a process crash (kill -9); FULL would add an fsync per commit.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


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
        self._checkpoint: threading.Thread | None = None
        self._checkpoint_conn: sqlite3.Connection | None = None
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
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA wal_autocheckpoint={_AUTOCHECKPOINT}")
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

    @contextlib.contextmanager
    def checkpoint_later(self, conn: sqlite3.Connection) -> Iterator[None]:
        """Commits on `conn` inside this block leave the WAL as it is; after it (unless it
        raised) a thread copies the WAL into the database file, and ``close`` waits for it.

        For a big last commit before a command ends: its automatic checkpoint would copy
        ~1,000 pages and wait for the disk to sync the WAL and the database (~40 ms per
        100,000 new files), while the command could be writing its report.
        """
        conn.execute("PRAGMA wal_autocheckpoint=0")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA wal_autocheckpoint={_AUTOCHECKPOINT}")
        with self._lock:
            if self._checkpoint is not None or self._closed:
                return
            self._checkpoint = threading.Thread(target=self._checkpoint_now, name="wal-checkpoint",
                                                daemon=True)
            self._checkpoint.start()        # under the lock: wait_checkpoint joins only started ones

    def _checkpoint_now(self) -> None:
        # a passive checkpoint neither waits for nor blocks readers and writers. Its connection
        # is closed by wait_checkpoint, not here: closing a connection may take the database
        # lock for a checkpoint of its own, which is best done when this process is not writing
        try:
            conn = sqlite3.connect(self.path, timeout=0, check_same_thread=False)
        except sqlite3.Error:
            return
        self._checkpoint_conn = conn
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            pass                # only a head start: the next commit or the last close checkpoints anyway

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
        """Store a JSON setting."""
        conn = self.raw()
        try:
            conn.execute("INSERT INTO settings(key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, json.dumps(value)))
            conn.commit()
        finally:
            conn.close()

    def wait_checkpoint(self) -> None:
        """Wait for the thread ``checkpoint_later`` started, if any (a job about to fork a
        helper process calls this: a process with other threads does not fork)."""
        with self._lock:
            checkpoint, self._checkpoint = self._checkpoint, None
        if checkpoint is not None:
            checkpoint.join()
            conn, self._checkpoint_conn = self._checkpoint_conn, None
            if conn is not None:
                conn.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self.wait_checkpoint()
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.really_close()
        if self._engine is not None:
            self._engine.dispose()


def open_database(path: Path | None = None) -> Database:
    """Open (creating or migrating) the database at `path`, by default the app's own."""
    return Database(path or paths.database_path())
