"""The prebuilt schema script creates exactly what SQLAlchemy's create_all creates."""

import sqlite3

from sqlalchemy import create_engine

from app.store import db as db_module
from app.store import open_database, schema, schema_sql


def _master(path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
                            ).fetchall()
    finally:
        conn.close()


def test_generated_ddl_is_up_to_date():
    # fails after an edit of schema.py: run `python -m app.store.schema_sql --write` and commit the result
    assert schema_sql.statements() is not None, "app/store/_schema_ddl.py is stale"
    assert sorted(schema_sql.generate()[1]) == sorted(schema_sql.statements())


def test_new_database_from_script_equals_create_all(app_home, tmp_path):
    db = open_database()
    assert db._engine is None               # created without SQLAlchemy
    conn = db.raw()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == db_module.SCHEMA_VERSION
    conn.close()
    db.close()
    reference = tmp_path / "reference.db"
    engine = create_engine(f"sqlite:///{reference}")
    schema.metadata.create_all(engine)
    engine.dispose()
    assert _master(db.path) == _master(reference)


def test_stale_script_falls_back_to_sqlalchemy(app_home, tmp_path, monkeypatch):
    monkeypatch.setattr(schema_sql, "source_digest", lambda: "not the generated one")
    db = open_database(tmp_path / "fallback.db")
    assert db._engine is not None           # create_all ran
    tables = {r[1] for r in _master(db.path) if r[0] == "table"}
    db.close()
    assert {"roots", "dirs", "files", "scan_errors", "history", "journal", "settings"} <= tables


def test_installed_build_without_the_schema_source_uses_the_script(app_home, tmp_path, monkeypatch):
    """The installers ship bytecode only: no schema.py to compare with, and the script (checked
    by the first test of this file before every build) is used, not a 0.3 s SQLAlchemy import."""
    monkeypatch.setattr(schema_sql, "source_digest", lambda: None)
    assert schema_sql.statements() == schema_sql.DDL
    db = open_database(tmp_path / "frozen.db")
    assert db._engine is None
    db.close()
