"""A first scan of a large tree builds the files indexes with random keys once at its end
(store.bulk_indexes): they are back after a finished, a cancelled or an interrupted scan, a
small scan and an index that already holds many files keep them throughout, and the duplicates
found are the same either way. SET_ASIDE_AFTER stands for "a large tree" at a test's size."""

import os

import pytest

from app.core.progress import Cancelled, Progress
from app.jobs.duplicates import find_duplicates
from app.jobs.scan import scan
from app.store import bulk_indexes


def has_indexes(db) -> bool:
    """All of them there (True), or all of them set aside (False); never some."""
    conn = db.raw()
    try:
        absent = bulk_indexes.missing(conn)
    finally:
        conn.close()
    assert absent in ([], list(bulk_indexes.NAMES))
    return not absent


class _Looks:
    """A listing sink (jobs.scan.ListingSink) that looks whether the indexes are there."""

    wants_records = True

    def __init__(self, db) -> None:
        self.db = db
        self.seen: list[bool] = []

    def add(self, _files) -> None:
        self.seen.append(has_indexes(self.db))


def seen_during_scan(db, root, **kwargs) -> list[bool]:
    """Whether another connection saw the index, at every folder the scan recorded."""
    looks = _Looks(db)
    scan(db, [str(root)], progress=Progress(), listings=looks, **kwargs)
    return looks.seen


def test_a_first_scan_sets_the_index_aside_and_builds_it_at_the_end(db, make_corpus, monkeypatch):
    root, manifest = make_corpus(400, seed=3)
    monkeypatch.setattr(bulk_indexes, "SET_ASIDE_AFTER", 50)
    seen = seen_during_scan(db, root)
    assert seen[0] and not seen[-1]
    assert has_indexes(db)
    groups = find_duplicates(db, [str(root)], progress=Progress()).groups
    found = sorted(sorted(os.path.relpath(f.path, root) for f in g.files if not f.path.endswith(".lnk"))
                   for g in groups)
    assert found == manifest["duplicate_groups"]


def test_a_small_first_scan_keeps_it(db, make_corpus):
    root, _ = make_corpus(300, seed=4)
    seen = seen_during_scan(db, root)
    assert seen and all(seen)


def test_an_index_with_many_files_keeps_it(db, make_corpus, tmp_path, monkeypatch):
    first, _ = make_corpus(200, seed=4)
    scan(db, [str(first)], progress=Progress())
    monkeypatch.setattr(bulk_indexes, "BULK_BELOW", 100)     # the index now counts as full
    monkeypatch.setattr(bulk_indexes, "SET_ASIDE_AFTER", 10)
    second, _ = make_corpus(150, seed=7)
    seen = seen_during_scan(db, second)
    assert seen and all(seen)


def test_a_cancelled_scan_puts_it_back(db, make_corpus, monkeypatch):
    root, _ = make_corpus(600, seed=5)
    monkeypatch.setattr(bulk_indexes, "SET_ASIDE_AFTER", 50)
    progress = Progress(min_interval=0)

    def listener(snap):
        if snap.done >= 200:
            progress.cancel()

    progress.listener = listener
    with pytest.raises(Cancelled):
        scan(db, [str(root)], progress=progress)
    assert has_indexes(db)


def test_a_scan_after_a_crash_in_between_restores_it(db, make_corpus, monkeypatch):
    root, _ = make_corpus(100, seed=6)
    conn = db.raw()
    for name in bulk_indexes.NAMES:                  # what a process killed mid-scan leaves
        conn.execute(f"DROP INDEX {name}")
    conn.commit()
    conn.close()
    monkeypatch.setattr(bulk_indexes, "BULK_BELOW", 0)    # never set aside by this scan: it comes back anyway
    scan(db, [str(root)], progress=Progress())
    assert has_indexes(db)
