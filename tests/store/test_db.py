import os

from sqlalchemy import insert, select

from app.store import open_database, schema
from app.store.codec import from_db, to_db


def test_open_creates_schema_in_wal_mode(app_home):
    db = open_database()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA user_version").scalar() >= 1
    assert str(db.path).startswith(str(app_home))
    db.close()


def test_settings_round_trip(app_home):
    db = open_database()
    db.set_setting("theme", {"mode": "dark"})
    assert db.get_setting("theme") == {"mode": "dark"}
    assert db.get_setting("missing", 5) == 5
    db.close()


def test_undecodable_name_round_trips_through_sqlite(app_home):
    odd = os.fsdecode(b"caf\xe9-\xff.txt")       # not valid UTF-8
    db = open_database()
    with db.engine.begin() as conn:
        conn.execute(insert(schema.roots).values(path=to_db(odd), added_at=0.0))
        stored = conn.execute(select(schema.roots.c.path)).scalar()
    assert from_db(stored) == odd
    assert os.fsencode(from_db(stored)) == b"caf\xe9-\xff.txt"
    db.close()


