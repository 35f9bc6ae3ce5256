"""Local state: SQLite in WAL mode (index, journal, rules, settings, outbox); some repositories
write their SQL with SQLAlchemy Core."""

from app.store.db import Database, open_database

__all__ = ["Database", "open_database"]
