"""Local state: SQLAlchemy 2 over SQLite in WAL mode (index, journal, rules, settings, outbox)."""

from app.store.db import Database, open_database

__all__ = ["Database", "open_database"]
