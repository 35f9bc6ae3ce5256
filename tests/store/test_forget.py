"""Forgetting folders in the index (app.store.forget, app.jobs.forget) on real scanned trees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.progress import Cancelled, Progress
from app.jobs.forget import forget
from app.jobs.scan import scan
from app.store import aggregates
from app.store import forget as forget_store


def tree(root: Path, n: int, size: int = 1000) -> Path:
    for i in range(n):
        path = root / f"d{i % 3}" / f"f{i}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))
    return root


def counts(db, folders=None) -> tuple[int, int]:
    t = aggregates.totals(db, aggregates.scope_for(db, folders) if folders else aggregates.EVERYTHING)
    return t.files, t.bytes


def test_forget_drops_files_folders_root_and_errors(db, tmp_path):
    a, b = tree(tmp_path / "A", 9), tree(tmp_path / "B", 4)
    scan(db, [str(a), str(b)], progress=Progress())
    result = forget(db, [str(a)], keep=[str(b)], progress=Progress())
    assert (result.dropped.files, result.dropped.folders, result.dropped.roots) == (9, 4, 1)
    assert counts(db) == (4, 4000)
    raw = db.raw()
    try:
        conn = raw.driver_connection
        assert conn.execute("SELECT count(*) FROM roots").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM dirs").fetchone()[0] == 4
    finally:
        raw.close()


def test_a_folder_inside_a_scanned_folder_is_still_covered(db, tmp_path):
    a = tree(tmp_path / "A", 9)
    scan(db, [str(a)], progress=Progress())
    result = forget(db, [str(a / "d1")], keep=[str(a)], progress=Progress())
    assert result.dropped.files == 0
    assert counts(db) == (9, 9000)


def test_a_scanned_folder_inside_the_forgotten_one_keeps_its_rows(db, tmp_path):
    a = tree(tmp_path / "A", 9)
    nested = str(a / "d2")
    scan(db, [str(a), nested], progress=Progress())  # walked once, as part of A
    result = forget(db, [str(a)], keep=[nested], progress=Progress())
    assert result.dropped.files == 6
    assert counts(db) == (3, 3000)
    assert counts(db, [nested]) == (3, 3000)  # found under a root of its own
    scan(db, [nested], progress=Progress())  # and a rescan of it changes nothing
    assert counts(db, [nested]) == (3, 3000)


def test_stopping_midway_leaves_the_index_unchanged(db, tmp_path, monkeypatch):
    a = tree(tmp_path / "A", 9)
    scan(db, [str(a)], progress=Progress())
    monkeypatch.setattr(forget_store, "BATCH", 1)
    progress = Progress()
    seen = []

    def cancel_after_first(files: int) -> None:
        seen.append(files)
        progress.cancel()
        progress.check()

    raw = db.raw()
    try:
        with pytest.raises(Cancelled):
            forget_store.forget_folders(raw.driver_connection, [str(a)], on_batch=cancel_after_first)
    finally:
        raw.close()
    assert len(seen) == 1  # stopped after the first batch of folders
    assert counts(db) == (9, 9000)
