import contextlib
import os
import threading
import time

from sqlalchemy import insert, select

from app.store import open_database, schema
from app.store.codec import from_db, to_db
from app.store.db import Database


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


def _checkpoint_threads():
    return [t for t in threading.enumerate() if t.name == "wal-checkpoint"]


def test_a_big_last_commit_leaves_its_checkpoint_to_a_thread_that_close_waits_for(app_home, monkeypatch):
    checkpoint_now = Database._checkpoint_now

    def slow_checkpoint(self):
        time.sleep(0.3)             # still running when close() is called
        checkpoint_now(self)

    monkeypatch.setattr(Database, "_checkpoint_now", slow_checkpoint)
    db = open_database()
    conn = db.raw()
    conn.execute("CREATE TABLE blobs (data BLOB)")
    conn.commit()
    before = db.path.stat().st_size
    with db.checkpoint_later(conn):
        conn.executemany("INSERT INTO blobs VALUES (?)", [(os.urandom(4000),) for _ in range(6000)])
        conn.commit()       # ~1,500 pages: past the autocheckpoint size
        assert db.path.stat().st_size == before         # nothing copied into the database file yet
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000     # the pooled connection
    conn.close()
    db.close()
    assert not _checkpoint_threads()
    assert db.path.stat().st_size > before + 20 * 2**20
    again = open_database()
    check = again.raw()
    assert check.execute("SELECT count(*) FROM blobs").fetchone()[0] == 6000
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
    again.close()


def test_no_checkpoint_thread_after_a_block_that_raised(app_home):
    db = open_database()
    conn = db.raw()
    with contextlib.suppress(RuntimeError), db.checkpoint_later(conn):
        raise RuntimeError("cancelled")
    assert not _checkpoint_threads()
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    conn.close()
    db.close()
