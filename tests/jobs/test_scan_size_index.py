"""A first scan of a large tree builds the files-by-size index once at its end
(store.size_index): the index is back after a finished, a cancelled or an interrupted scan, a
small scan and an index that already holds many files keep it throughout, and the duplicates
found are the same either way. SET_ASIDE_AFTER stands for "a large tree" at a test's size."""

import os

import pytest

from app.core.progress import Cancelled, Progress
from app.jobs.duplicates import find_duplicates
from app.jobs.scan import scan
from app.store import size_index


def has_size_index(db) -> bool:
    conn = db.raw()
    try:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type='index' AND name='ix_files_size'"
                            ).fetchone() is not None
    finally:
        conn.close()


def seen_during_scan(db, root, **kwargs) -> list[bool]:
    """Whether another connection saw the index, at every folder the scan recorded."""
    seen: list[bool] = []
    scan(db, [str(root)], progress=Progress(), on_listing=lambda _files: seen.append(has_size_index(db)),
         **kwargs)
    return seen


def test_a_first_scan_sets_the_index_aside_and_builds_it_at_the_end(db, make_corpus, monkeypatch):
    root, manifest = make_corpus(400, seed=3)
    monkeypatch.setattr(size_index, "SET_ASIDE_AFTER", 50)
    seen = seen_during_scan(db, root)
    assert seen[0] and not seen[-1]
    assert has_size_index(db)
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
    monkeypatch.setattr(size_index, "BULK_BELOW", 100)     # the index now counts as full
    monkeypatch.setattr(size_index, "SET_ASIDE_AFTER", 10)
    second, _ = make_corpus(150, seed=7)
    seen = seen_during_scan(db, second)
    assert seen and all(seen)


def test_a_cancelled_scan_puts_it_back(db, make_corpus, monkeypatch):
    root, _ = make_corpus(600, seed=5)
    monkeypatch.setattr(size_index, "SET_ASIDE_AFTER", 50)
    progress = Progress(min_interval=0)

    def listener(snap):
        if snap.done >= 200:
            progress.cancel()

    progress.listener = listener
    with pytest.raises(Cancelled):
        scan(db, [str(root)], progress=progress)
    assert has_size_index(db)


def test_a_scan_after_a_crash_in_between_restores_it(db, make_corpus, monkeypatch):
    root, _ = make_corpus(100, seed=6)
    conn = db.raw()
    conn.execute("DROP INDEX ix_files_size")        # what a process killed mid-scan leaves
    conn.commit()
    conn.close()
    monkeypatch.setattr(size_index, "BULK_BELOW", 0)    # never set aside by this scan: it comes back anyway
    scan(db, [str(root)], progress=Progress())
    assert has_size_index(db)
