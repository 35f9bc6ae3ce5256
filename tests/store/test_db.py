import os
import sqlite3
import threading

import pytest
from sqlalchemy import insert, select

from app.store import open_database, schema
from app.store.codec import from_db, to_db
from app.store.db import POOL_SIZE, SCHEMA_VERSION
from tests.store.open_at_once import open_at_once


def test_open_creates_the_current_schema_in_the_app_home(app_home):
    db = open_database()
    assert str(db.path).startswith(str(app_home))
    conn = db.raw()
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    assert tables == set(schema.metadata.tables)
    db.close()
    open_database().close()         # opening it again changes nothing
    assert sqlite3.connect(db.path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


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


def test_a_reader_keeps_its_snapshot_while_another_connection_commits(db):
    """What the window relies on while a job writes: reads never wait for the writer, and
    the writer never waits for readers (SQLite's write-ahead log)."""
    db.set_setting("k", "old")
    reader = db.raw()
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT value FROM settings WHERE key='k'").fetchone() == ('"old"',)
        db.set_setting("k", "new")                      # commits while the read is open
        assert reader.execute("SELECT value FROM settings WHERE key='k'").fetchone() == ('"old"',)
        reader.rollback()
        assert reader.execute("SELECT value FROM settings WHERE key='k'").fetchone() == ('"new"',)
    finally:
        reader.close()


def test_a_write_in_progress_does_not_block_readers(db):
    db.set_setting("k", 1)
    writer = db.raw()
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE settings SET value='2' WHERE key='k'")
        assert db.get_setting("k") == 1                 # another connection reads meanwhile
        writer.commit()
    finally:
        writer.close()
    assert db.get_setting("k") == 2


def test_a_connection_handed_back_uncommitted_is_rolled_back(db):
    conn = db.raw()
    conn.execute("INSERT INTO settings(key, value) VALUES ('lost', '1')")
    conn.close()
    assert db.get_setting("lost") is None
    conn = db.raw()                                     # the pool hands out a clean connection
    try:
        assert not conn.in_transaction
    finally:
        conn.close()


def test_a_connection_handed_back_cannot_be_used_by_its_old_borrower(db):
    conn = db.raw()
    conn.close()
    with pytest.raises(sqlite3.ProgrammingError):
        conn.execute("SELECT 1")
    conn.close()                                        # twice is harmless
    again = db.raw()
    try:
        assert again.execute("SELECT 1").fetchone() == (1,)
    finally:
        again.close()


def test_more_borrowers_than_the_pool_keeps_never_wait(db):
    held = [db.raw() for _ in range(POOL_SIZE * 3)]
    try:
        assert len({id(c.driver_connection) for c in held}) == len(held)
    finally:
        for c in held:
            c.close()


def test_connections_work_from_any_thread(db):
    conn = db.raw()
    seen = []
    try:
        t = threading.Thread(target=lambda: seen.append(conn.execute("SELECT 1").fetchone()[0]))
        t.start()
        t.join()
    finally:
        conn.close()
    assert seen == [1]


def test_foreign_keys_cascade_from_a_root_to_its_folders_and_files(db):
    conn = db.raw()
    try:
        conn.execute("INSERT INTO roots (id, path, added_at, scan_gen) VALUES (1, '/r', 0, 1)")
        conn.execute("INSERT INTO dirs (id, root_id, path, scan_gen) VALUES (1, 1, '/r', 1)")
        conn.execute("INSERT INTO files (dir_id, name, size, mtime_ns, inode, dev, nlink, ext, category, "
                     "is_link, scan_gen) VALUES (1, 'a', 1, 1, 1, 1, 1, '', 'other', 0, 1)")
        conn.commit()
        conn.execute("DELETE FROM roots")
        conn.commit()
        left = conn.execute("SELECT (SELECT count(*) FROM dirs) + (SELECT count(*) FROM files)").fetchone()
        assert left == (0,)
        with pytest.raises(sqlite3.IntegrityError):     # a folder of no root is refused
            conn.execute("INSERT INTO dirs (root_id, path, scan_gen) VALUES (99, '/x', 1)")
    finally:
        conn.rollback()
        conn.close()


def test_a_connection_handed_back_after_close_is_closed(app_home):
    db = open_database()
    conn = db.raw()
    sqlite_conn = conn.driver_connection
    db.close()
    conn.close()
    with pytest.raises(sqlite3.ProgrammingError):
        sqlite_conn.execute("SELECT 1")


def test_three_openers_of_a_new_database_at_once_all_get_it(tmp_path):
    """The first start of the app and a command at the same moment: each opener switches the new
    file to WAL and creates the schema, none fails with "database is locked"."""
    opened, failed = open_at_once(tmp_path / "new.db")
    try:
        assert failed == [] and len(opened) == 3
        opened[0].set_setting("k", 1)
        assert opened[2].get_setting("k") == 1
    finally:
        for db in opened:
            db.close()
