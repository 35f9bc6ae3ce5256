import os
import sqlite3
import time

from app.core.progress import Progress
from app.core.scan.categories import classify
from app.core.scan.walk import walk_dirs
from app.jobs.duplicates import find_duplicates
from app.jobs.scan import scan
from app.store import open_database
from app.store.codec import from_db
from app.store.index import IndexWriter


def rows(db):
    with db.engine.connect() as conn:
        return {os.path.join(from_db(d), from_db(n)): (size, full, cat, link)
                for d, n, size, full, cat, link in conn.exec_driver_sql(
                    "SELECT d.path, f.name, f.size, f.full_hash, f.category, f.is_link "
                    "FROM files f JOIN dirs d ON d.id=f.dir_id")}


def test_scan_records_files_links_and_categories(app_home, tmp_path):
    tmp_path = tmp_path / "t"
    tmp_path.mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.pdf").write_bytes(b"%PDF-1.4 x")
    (tmp_path / "pic").write_bytes(b"\x89PNG\r\n\x1a\n....")
    (tmp_path / "link").symlink_to(tmp_path / "docs")
    db = open_database()
    res = scan(db, [str(tmp_path)], progress=Progress())
    c = res.counts
    assert (c.files, c.links, c.dirs, c.new, c.removed) == (2, 1, 2, 3, 0)
    r = rows(db)
    assert r[str(tmp_path / "docs" / "a.pdf")][2] == "documents"
    assert r[str(tmp_path / "link")][3] == 1
    db.close()


def test_rescan_updates_changed_removes_vanished_keeps_hashes(app_home, tmp_path):
    tmp_path = tmp_path / "t"
    tmp_path.mkdir()
    for n in ("a", "b", "c", "d"):
        (tmp_path / n).write_bytes(b"1" * 100)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "e").write_bytes(b"1" * 100)
    db = open_database()
    first = find_duplicates(db, [str(tmp_path)], progress=Progress())
    assert first.hashed_files == 5
    assert all(v[1] is not None for v in rows(db).values())

    again = find_duplicates(db, [str(tmp_path)], progress=Progress())
    assert again.hashed_files == 0                             # nothing changed: no file read
    assert again.scan.counts.unchanged == 5 and again.scan.counts.new == 0

    os.remove(tmp_path / "a")
    (tmp_path / "sub" / "e").unlink()
    (tmp_path / "sub").rmdir()
    (tmp_path / "b").write_bytes(b"2" * 100)                  # same size, new content
    t = time.time() + 5
    os.utime(tmp_path / "b", (t, t))
    (tmp_path / "new").write_bytes(b"1" * 100)
    third = find_duplicates(db, [str(tmp_path)], progress=Progress())
    c = third.scan.counts
    assert (c.new, c.changed, c.removed, c.unchanged) == (1, 1, 2, 2)
    assert third.hashed_files == 2                             # only b and new are read
    assert sorted(os.path.basename(f.path) for g in third.groups for f in g.files) == ["c", "d", "new"]
    assert set(rows(db)) == {str(tmp_path / n) for n in ("b", "c", "d", "new")}
    db.close()


def test_excluded_later_is_dropped_and_nested_roots(app_home, tmp_path):
    tmp_path = tmp_path / "t"
    tmp_path.mkdir()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x").write_text("x")
    (tmp_path / "y").write_text("y")
    db = open_database()
    scan(db, [str(tmp_path)], progress=Progress())
    assert len(rows(db)) == 2
    scan(db, [str(tmp_path / "in")], progress=Progress())        # a nested root: nothing lost
    assert len(rows(db)) == 2
    scan(db, [str(tmp_path)], progress=Progress(), exclude=("in",))
    assert set(rows(db)) == {str(tmp_path / "y")}
    db.close()


def test_undecodable_names_round_trip_through_the_index(app_home, tmp_path):
    tmp_path = tmp_path / "t"
    tmp_path.mkdir()
    raw_dir = os.fsencode(tmp_path) + b"/d\xff"
    os.mkdir(raw_dir)
    for n in (b"/a\xe9", b"/b\xe9"):
        with open(raw_dir + n, "wb") as fh:
            fh.write(b"same bytes")
    db = open_database()
    res = find_duplicates(db, [str(tmp_path)], progress=Progress())
    (g,) = res.groups
    assert sorted(os.fsencode(f.path) for f in g.files) == [raw_dir + b"/a\xe9", raw_dir + b"/b\xe9"]
    again = find_duplicates(db, [str(tmp_path)], progress=Progress())
    assert again.scan.counts.unchanged == 2 and again.hashed_files == 0
    db.close()


def test_missing_root_is_reported(app_home, tmp_path):
    tmp_path = tmp_path / "t"
    tmp_path.mkdir()
    db = open_database()
    res = scan(db, [str(tmp_path / "gone"), str(tmp_path)], progress=Progress())
    assert res.missing_roots == [str(tmp_path / "gone")]
    assert res.errors == [(str(tmp_path / "gone"), "does not exist")]
    db.close()


def test_nested_roots_in_one_call_are_walked_once_and_rescans_have_a_total(app_home, tmp_path):
    (tmp_path / "t" / "sub").mkdir(parents=True)
    for i in range(3):
        (tmp_path / "t" / "sub" / f"{i}.txt").write_text(str(i))
    db = open_database()
    res = scan(db, [str(tmp_path / "t" / "sub"), str(tmp_path / "t")], progress=Progress())
    assert res.counts.files == 3 and res.counts.new == 3
    totals = []
    progress = Progress(listener=lambda snap: totals.append(snap.total))
    scan(db, [str(tmp_path / "t")], progress=progress)
    assert totals[0] == 3                        # the previous scan's count: an ETA from the start
    db.close()


def test_rows_changed_outside_a_scan_are_repaired_by_the_next_scan(app_home, tmp_path):
    root = tmp_path / "t"
    root.mkdir()
    for n in ("a", "b"):
        (root / n).write_bytes(b"same" * 10)
    db = open_database()
    find_duplicates(db, [str(root)], progress=Progress())
    with db.engine.begin() as conn:            # e.g. another component dropped a row
        conn.exec_driver_sql("DELETE FROM files WHERE name='a'")
        assert conn.exec_driver_sql("SELECT count(*) FROM dirs WHERE signature IS NOT NULL").scalar() == 0
    again = find_duplicates(db, [str(root)], progress=Progress())
    assert again.scan.counts.new == 1           # the folder was compared file by file, not skipped
    assert [g.copies for g in again.groups] == [2]
    with db.engine.begin() as conn:            # hashing does not invalidate the folder digest
        assert conn.exec_driver_sql("SELECT count(*) FROM dirs WHERE signature IS NOT NULL").scalar() == 1
    db.close()


def test_a_file_root_unsigns_its_folder_so_the_next_full_scan_compares_it(app_home, tmp_path):
    """A file root looks at part of its folder: the folder's stored listing digest no longer
    covers its rows, so the next scan of the whole folder must compare it file by file."""
    root = tmp_path / "t"
    (root / "sub").mkdir(parents=True)
    for i in range(5):
        (root / "sub" / f"f{i}").write_bytes(b"x" * i)
    db = open_database()
    scan(db, [str(root)], progress=Progress())
    conn = sqlite3.connect(db.path)
    sub_sig = "SELECT signature FROM dirs WHERE path=?"
    assert conn.execute(sub_sig, (str(root / "sub"),)).fetchone()[0] is not None
    (root / "sub" / "late").write_bytes(b"late")
    scan(db, [str(root / "sub" / "late")], progress=Progress())
    assert conn.execute(sub_sig, (str(root / "sub"),)).fetchone()[0] is None
    (root / "sub" / "late").unlink()            # the listing is the first scan's again
    again = scan(db, [str(root)], progress=Progress())
    assert again.counts.removed == 1
    names = {n for (n,) in conn.execute("SELECT name FROM files")}
    assert names == {f"f{i}" for i in range(5)}
    conn.close()
    db.close()


def test_scan_stores_every_row_as_lstat_sees_it(app_home, tmp_path):
    """Sizes, times, inode, device, link count: hard links and symlinks keep their own values."""
    root = tmp_path / "mixed"
    root.mkdir()
    for i in range(30):
        (root / f"f{i}.txt").write_bytes(b"x" * i)
    os.link(root / "f3.txt", root / "hard.txt")
    (root / "soft").symlink_to(root / "f4.txt")
    db = open_database()
    scan(db, [str(root)], progress=Progress())
    conn = sqlite3.connect(db.path)
    sql = "SELECT name, size, mtime_ns, inode, dev, nlink, is_link, scan_gen, ctime_ns FROM files"
    stored = {row[0]: row[1:] for row in conn.execute(sql)}
    gens = {v[6] for v in stored.values()}
    conn.close()
    db.close()
    assert len(stored) == 32 and len(gens) == 1
    for name, (size, mtime, ino, dev, nlink, link, _, ctime) in stored.items():
        st = os.lstat(root / name)
        seen = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, st.st_nlink, name == "soft", st.st_ctime_ns)
        assert (size, mtime, ino, dev, nlink, bool(link), ctime) == seen, name
    assert stored["hard.txt"][4] == stored["f3.txt"][4] == 2


def test_scans_in_small_batches_give_each_new_folder_its_own_id(app_home, tmp_path):
    """Folders are written at each batch's flush: a second tree, a rescan and many small
    batches all keep folder ids unique and every file row in its own folder."""
    trees = [tmp_path / "one", tmp_path / "two", tmp_path / "three"]
    for n, tree in enumerate(trees):
        for sub in ("a", "a/b", "a/b/c", "d"):
            (tree / sub).mkdir(parents=True)
            for i in range(3):
                (tree / sub / f"f{n}{i}.txt").write_text(f"{tree} {sub} {i}")
    db = open_database()
    scan(db, [str(trees[0])], progress=Progress())
    scan(db, [str(trees[1])], progress=Progress())
    scan(db, [str(trees[0])], progress=Progress())      # a rescan: nothing new
    raw = db.raw()
    try:
        writer = IndexWriter(raw, str(trees[2]), classify, batch_rows=4)     # a commit every folder or so
        for listing in walk_dirs([str(trees[2])]):
            writer.add_dir(listing.path, listing.files, listing.complete)
        writer.finish()
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        assert raw.execute("SELECT count(*) FROM files").fetchone()[0] == 3 * 4 * 3
        dirs = {from_db(p) for (p,) in raw.execute("SELECT path FROM dirs")}
        by_file = {os.path.join(from_db(d), n) for d, n in raw.execute(
            "SELECT d.path, f.name FROM files f JOIN dirs d ON d.id=f.dir_id")}
    finally:
        raw.close()
    assert len(dirs) == 3 * 5
    assert all(os.path.isfile(p) for p in by_file) and len(by_file) == 36
    db.close()


def test_a_scope_is_the_whole_index_only_when_its_folders_hold_every_indexed_root(app_home, tmp_path):
    from app.store.index_query import Scope, count_files

    for folder in ("a/x", "a/y", "b"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "f.txt").write_text(folder)
    (tmp_path / "a" / "one.txt").write_text("single")
    db = open_database()
    scan(db, [str(tmp_path / "a"), str(tmp_path / "b")], progress=Progress())
    scan(db, [str(tmp_path / "a" / "one.txt")], progress=Progress())      # a file root inside a
    conn = db.raw()

    def scope(*names):
        s = Scope.of(conn, [str(tmp_path / n) for n in names])
        return s.whole, count_files(s)

    assert scope("a", "b") == (True, 4)
    assert scope("") == (True, 4)                   # a folder above every root
    assert scope("a") == (False, 3)
    assert scope("a/x", "b") == (False, 2)
    assert scope("a/one.txt") == (False, 1)
    conn.close()
    db.close()

    alone = open_database(str(tmp_path / "alone.db"))      # an index of that one file root
    scan(alone, [str(tmp_path / "a" / "one.txt")], progress=Progress())
    (tmp_path / "a" / "one.txt").unlink()           # a missing path is no folder holding the roots
    conn = alone.raw()
    assert scope("a/one.txt") == (False, 0)
    conn.close()
    alone.close()
