"""Upgrading a database made by the first released schema (version 1) keeps its data.

``schema_v1.sql`` is the DDL that version-1 databases were created with (frozen from git
history); each test builds such a database with plain sqlite3, fills every table, and opens
it with the current code.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.core.organize.rules import Action, Condition, Rule, rule_to_dict
from app.core.scan.walk import walk_dirs
from app.store import categories_repo, migrations, open_database, outbox, rules_repo, watched
from app.store.db import SCHEMA_VERSION
from app.store.index import IndexWriter
from app.store.journal import JournalStore
from tests.store.open_at_once import open_at_once

V1_SQL = Path(__file__).with_name("schema_v1.sql")
RULE = Rule("Invoices", [Condition("extension", {"extensions": ["pdf"]})],
            [Action("move", {"to": "~/Invoices"})], uuid="0b5a8f52-6d5e-4c61-9f8e-1a2b3c4d5e6f")


def make_v1(path: Path, scanned: Path) -> None:
    """A version-1 database as that release left it: a scanned root whose two files are hashed
    (a duplicate pair), a scan problem, one run in the history, a rule, a category, a watched
    folder, a setting and an outbox item."""
    conn = sqlite3.connect(path)
    conn.executescript(V1_SQL.read_text())
    conn.execute("PRAGMA user_version=1")
    conn.execute("INSERT INTO roots VALUES (1, ?, 100.0, 200.0, 1)", (str(scanned),))
    conn.execute("INSERT INTO dirs VALUES (1, 1, NULL, ?, 1, x'00ff')", (str(scanned),))
    conn.execute("INSERT INTO dirs VALUES (2, 1, 1, ?, 1, x'0102')", (str(scanned / "sub"),))
    for fid, did, name, inode in ((1, 1, "a.txt", 11), (2, 2, "b.txt", 12)):
        st = (scanned / ("sub" if did == 2 else "") / name).stat()
        conn.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, 7, 1, '.txt', 'documents', 0, "
                     "x'aa', x'bb', 1)", (fid, did, name, st.st_size, st.st_mtime_ns, inode))
    conn.execute("INSERT INTO scan_errors VALUES (1, 1, ?, 'permission denied', 150.0)",
                 (str(scanned / "locked"),))
    conn.execute("INSERT INTO history VALUES (1, 'run-1', 300.0, 301.0, 'duplicates', 'Removed 1 copy', "
                 "'done', NULL, 1, 1, 0, 0, 5)")
    conn.execute("INSERT INTO journal VALUES (1, 1, 0, 'trash', ?, NULL, NULL, ?, 'bb', "
                 "'{\"size\":5,\"mtime_ns\":1,\"inode\":12,\"dev\":7}', 'done', NULL, NULL, 5)",
                 (str(scanned / "sub" / "b.txt"), str(scanned / "a.txt")))
    conn.execute("INSERT INTO rules VALUES (1, ?, 'Invoices', 0, 1, ?, 3, 400.0, 0)",
                 (RULE.uuid, json.dumps(rule_to_dict(RULE))))
    conn.execute("INSERT INTO categories VALUES (1, 'cat-1', 'Scans', '[\".tiff\"]', 1, 410.0, 0)")
    conn.execute("INSERT INTO settings VALUES ('theme', '\"dark\"')")
    conn.execute("INSERT INTO watched_folders VALUES (1, ?, 1, '[]', NULL, 500.0, 1)", (str(scanned),))
    conn.execute("INSERT INTO outbox VALUES (1, 'item-1', 'rule', '{\"uuid\": \"r\"}', 600.0, 2, 700.0, "
                 "'offline')")
    conn.commit()
    conn.close()


@pytest.fixture
def scanned(tmp_path: Path) -> Path:
    root = tmp_path / "scanned"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("hello")
    (root / "sub" / "b.txt").write_text("hello")
    return root


@pytest.fixture
def v1_path(tmp_path: Path, scanned: Path) -> Path:
    path = tmp_path / "v1.db"
    make_v1(path, scanned)
    return path


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def shape(path: Path) -> dict:
    """Everything about a database's schema that its queries can tell apart: per table its
    columns, foreign keys and indexes (with their columns and partial conditions), and the
    triggers. An upgraded database and a new one must agree on all of it."""
    conn = sqlite3.connect(path)
    try:
        out: dict = {}
        tables = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                             "ORDER BY name")]
        for t in tables:
            # a default written DEFAULT 0 by ALTER TABLE and DEFAULT '0' by create_all is the
            # same value in an integer column
            columns = [(c[1], c[2], c[3], c[4].strip("'") if c[4] else None, c[5])
                       for c in conn.execute(f"PRAGMA table_info({t})")]
            fks = sorted(tuple(f[2:]) for f in conn.execute(f"PRAGMA foreign_key_list({t})"))
            indexes = {}
            for _seq, name, unique, origin, partial in conn.execute(f"PRAGMA index_list({t})"):
                cols = [c[2] for c in conn.execute(f"PRAGMA index_info({name})")]
                where = conn.execute("SELECT sql FROM sqlite_master WHERE name=?", (name,)).fetchone()
                key = name if origin == "c" else f"{origin}:{','.join(cols)}"   # autoindex names vary
                indexes[key] = (unique, cols, partial, where[0] if where else None)
            out[t] = (columns, fks, indexes)
        out["triggers"] = sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger'"))
        return out
    finally:
        conn.close()


def test_upgrade_from_the_first_release_keeps_the_data(v1_path: Path, scanned: Path):
    db = open_database(v1_path)
    try:
        assert rows(v1_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
        assert rows(v1_path, "SELECT id, path, added_at, last_scan_at, scan_gen FROM roots") == [
            (1, str(scanned), 100.0, 200.0, 1)]
        # stored hashes were trusted without ctime under version 1: dropped, and the folder
        # signatures with them, so the next scan compares and the next search hashes again
        assert rows(v1_path, "SELECT id, dir_id, name, size, dev, category, partial_hash, full_hash, "
                             "ctime_ns FROM files ORDER BY id") == [
            (1, 1, "a.txt", 5, 7, "documents", None, None, 0),
            (2, 2, "b.txt", 5, 7, "documents", None, None, 0)]
        # folder totals unknown until the next scan: the reports count the rows meanwhile
        assert rows(v1_path, "SELECT * FROM dirs ORDER BY id") == [
            (1, 1, str(scanned), 1, None, None, None), (2, 1, str(scanned / "sub"), 1, None, None, None)]
        assert rows(v1_path, "SELECT path, reason FROM scan_errors") == [
            (str(scanned / "locked"), "permission denied")]

        entry = JournalStore(db).entries()[0]
        assert (entry.uuid, entry.source, entry.title, entry.status, entry.op_count, entry.bytes) == (
            "run-1", "duplicates", "Removed 1 copy", "done", 1, 5)
        [record] = JournalStore(db).records(entry.id)
        assert (record.op.kind.value, record.op.src, record.op.keep, record.state) == (
            "trash", str(scanned / "sub" / "b.txt"), str(scanned / "a.txt"), "done")
        [rule] = rules_repo.list_rules(db)
        assert (rule.uuid, rule.name, rule.actions[0].options) == (
            RULE.uuid, "Invoices", {"to": "~/Invoices"})
        assert [(c.name, c.extensions) for c in categories_repo.list_categories(db)] == [
            ("Scans", (".tiff",))]
        assert db.get_setting("theme") == "dark"
        [folder] = watched.list_folders(db)
        assert (folder.path, folder.recursive, folder.last_seen_at) == (str(scanned), True, 500.0)
        [item] = outbox.pending(db)
        assert (item.uuid, item.kind, item.payload, item.attempts) == ("item-1", "rule", {"uuid": "r"}, 2)
    finally:
        db.close()


def test_upgraded_database_has_the_shape_of_a_new_one(v1_path: Path, tmp_path: Path):
    open_database(v1_path).close()
    open_database(tmp_path / "new.db").close()
    assert shape(v1_path) == shape(tmp_path / "new.db")


def test_a_scan_after_the_upgrade_keeps_rows_and_fills_ctime(v1_path: Path, scanned: Path):
    db = open_database(v1_path)
    conn = db.raw()
    try:
        (scanned / "sub" / "c.txt").write_text("new")
        writer = IndexWriter(conn, str(scanned), lambda name: (".txt", "documents"))
        for listing in walk_dirs([str(scanned)]):
            writer.add_dir(listing.path, listing.files, listing.complete)
        counts = writer.finish()
    finally:
        conn.close()
    assert (counts.files, counts.new, counts.removed) == (3, 1, 0)
    # the version-1 rows are updated in place (same ids), now with their inode change times
    assert [r[0] for r in rows(v1_path, "SELECT id FROM files WHERE ctime_ns > 0 ORDER BY id")] == [1, 2, 3]
    db.close()


def test_a_failed_upgrade_leaves_the_database_as_it_was(v1_path: Path, monkeypatch: pytest.MonkeyPatch):
    real = migrations.STEPS[SCHEMA_VERSION]

    def fails_halfway(conn: sqlite3.Connection) -> None:
        real(conn)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setitem(migrations.STEPS, SCHEMA_VERSION, fails_halfway)
    with pytest.raises(sqlite3.OperationalError):
        open_database(v1_path)
    assert rows(v1_path, "PRAGMA user_version") == [(1,)]
    assert rows(v1_path, "SELECT full_hash FROM files ORDER BY id") == [(b"\xbb",), (b"\xbb",)]
    assert "parent_id" in {c[1] for c in rows(v1_path, "PRAGMA table_info(dirs)")}
    monkeypatch.setitem(migrations.STEPS, SCHEMA_VERSION, real)
    open_database(v1_path).close()          # the next start upgrades it
    assert rows(v1_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_two_processes_opening_an_old_database_at_once_upgrade_it_once(v1_path: Path):
    opened, failed = open_at_once(v1_path)
    for db in opened:
        db.close()
    assert failed == []
    assert rows(v1_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(v1_path, "SELECT count(*) FROM files") == [(2,)]


def test_every_version_after_the_first_release_has_a_step():
    assert sorted(migrations.STEPS) == list(range(migrations.FIRST_RELEASED + 1, SCHEMA_VERSION + 1))
