"""Opening the local database: SQLite in WAL mode, schema created and migrated on open."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.pool import QueuePool

from app import paths
from app.store import schema

SCHEMA_VERSION = 1

# Migrations from version N to N+1, applied in order on open: MIGRATIONS[N](connection).
MIGRATIONS: dict[int, Callable[[Any], None]] = {}


def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a process crash (kill -9); FULL would add an fsync per commit.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


class Database:
    """The app's SQLite database. Thread-safe through SQLAlchemy's pool."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.engine: Engine = create_engine(
            f"sqlite:///{self.path}", poolclass=QueuePool, pool_size=4, max_overflow=8,
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        event.listen(self.engine, "connect", _on_connect)
        self._migrate()

    def _migrate(self) -> None:
        with self.engine.begin() as conn:
            version = conn.exec_driver_sql("PRAGMA user_version").scalar() or 0
            if version == 0:
                schema.metadata.create_all(conn)
                version = SCHEMA_VERSION
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](conn)
                version += 1
            conn.exec_driver_sql(f"PRAGMA user_version={version}")

    def raw(self) -> sqlite3.Connection:
        """A plain sqlite3 connection from the pool, for hot loops (executemany).

        Call ``close()`` on it to hand it back to the pool.
        """
        return self.engine.raw_connection()

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A JSON setting stored in the database."""
        with self.engine.connect() as conn:
            row = conn.execute(select(schema.settings.c.value).where(schema.settings.c.key == key)).first()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON setting."""
        with self.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, json.dumps(value)),
            )

    def close(self) -> None:
        self.engine.dispose()


def open_database(path: Path | None = None) -> Database:
    """Open (creating or migrating) the database at `path`, by default the app's own."""
    return Database(path or paths.database_path())
