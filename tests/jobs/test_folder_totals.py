"""Each folder's own file totals (dirs.files, dirs.bytes), which the Dashboard's largest folders
read instead of every file row: a scan writes them, in one process or in the workers, a rescan
after changes on disk corrects them, and any other change to a folder's rows clears them, so
the folder sizes always equal a count of the rows."""

import os
import shutil

import pytest

from app.core.progress import Progress
from app.jobs.scan import scan
from app.jobs.workers import WorkerPool
from app.store import aggregates


def rows(db, sql, args=()):
    conn = db.raw()
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.rollback()
        conn.close()


def counted(db) -> dict[int, tuple[int, int]]:
    """Folder id -> (files, bytes) counted from the rows: what the totals must say."""
    got = {did: (0, 0) for (did,) in rows(db, "SELECT id FROM dirs")}
    got.update({did: (n, b) for did, n, b in rows(
        db, "SELECT dir_id, count(*), sum(size) FROM files WHERE is_link=0 GROUP BY dir_id")})
    return got


def stored(db) -> dict[int, tuple[int | None, int | None]]:
    return {did: (n, b) for did, n, b in rows(db, "SELECT id, files, bytes FROM dirs")}


def recursive_sizes(db) -> list[tuple[str, int, int]]:
    """(folder, bytes, files) below each folder, from the rows alone."""
    direct = counted(db)
    paths = dict(rows(db, "SELECT id, path FROM dirs"))
    out = []
    for path in paths.values():
        below = [d for d, p in paths.items() if p == path or p.startswith(path.rstrip(os.sep) + os.sep)]
        out.append((path, sum(direct[d][1] for d in below), sum(direct[d][0] for d in below)))
    return sorted(out, key=lambda e: (-e[1], e[0]))


def assert_sizes_right(db) -> None:
    assert [(e.path, e.bytes, e.files) for e in aggregates.folder_sizes(db)] == recursive_sizes(db)
    for did, totals in stored(db).items():
        assert totals in ((None, None), counted(db)[did])


@pytest.fixture(scope="module")
def pool():
    with WorkerPool() as workers:
        yield workers


@pytest.mark.parametrize("workers", [False, True], ids=["in-process", "workers"])
def test_scans_write_the_totals_and_changes_clear_them(db, make_corpus, tmp_path, pool, workers):
    corpus, _ = make_corpus(400, seed=21)
    root = tmp_path / "tree"
    shutil.copytree(corpus, root, symlinks=True)        # this test changes its copy
    use = pool if workers else None
    scan(db, [str(root)], progress=Progress(), pool=use)
    assert stored(db) == counted(db)             # every folder known after a whole scan
    assert_sizes_right(db)

    again = scan(db, [str(root)], progress=Progress(), pool=use)
    assert again.counts.unchanged and not again.counts.changed
    assert stored(db) == counted(db)             # unchanged folders keep theirs

    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    files[0].write_bytes(files[0].read_bytes() + b"grown by 100 bytes" * 5 + b"x" * 10)
    files[1].unlink()
    (files[2].parent / "new file.txt").write_text("a new file of 27 characters")
    scan(db, [str(root)], progress=Progress(), pool=use)
    assert stored(db) == counted(db)
    assert_sizes_right(db)

    # what the organizer's bookkeeping or a forgotten file does to rows: their folders' totals go
    conn = db.raw()
    (fid, old_dir), (new_dir,) = conn.execute("SELECT id, dir_id FROM files LIMIT 1").fetchone(), \
        conn.execute("SELECT max(id) FROM dirs").fetchone()
    conn.execute("UPDATE files SET dir_id=? WHERE id=?", (new_dir, fid))
    gone = conn.execute("SELECT id, dir_id FROM files WHERE dir_id NOT IN (?, ?) LIMIT 1",
                        (old_dir, new_dir)).fetchone()
    conn.execute("DELETE FROM files WHERE id=?", (gone[0],))
    conn.commit()
    conn.close()
    totals = stored(db)
    assert totals[old_dir] == totals[new_dir] == totals[gone[1]] == (None, None)
    assert_sizes_right(db)
    assert aggregates.totals(db).files == sum(n for n, _b in counted(db).values())

    scan(db, [str(root)], progress=Progress(), pool=use)
    assert stored(db) == counted(db)
