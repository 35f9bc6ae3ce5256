"""store.aggregates over rows written straight into the index tables (every number known in advance)."""

import os
import time

import pytest

from app.store import aggregates as agg
from app.store import open_database

NOW = 1_750_000_000.0           # a fixed "now" for the age buckets
DAY = 86_400


class Index:
    """Writes roots, folders and files into a fresh database."""

    def __init__(self, db):
        self.db = db
        self.raw = db.raw()          # held: the pool takes back (and rolls back) a dropped one
        self.conn = self.raw.driver_connection
        self.inode = 1000

    def root(self, path):
        cur = self.conn.execute("INSERT INTO roots (path, added_at, scan_gen) VALUES (?, 0, 1)", (path,))
        self.dir(path, cur.lastrowid)
        return cur.lastrowid

    def dir(self, path, root_id):
        cur = self.conn.execute("INSERT INTO dirs (root_id, path, scan_gen) VALUES (?,?,1)", (root_id, path))
        return cur.lastrowid

    def file(self, path, size, *, age_days=1.0, ext=None, category="other", full_hash=None, inode=None,
             nlink=1, link=False, mtime=None):
        did = self.conn.execute("SELECT id FROM dirs WHERE path=?", (os.path.dirname(path),)).fetchone()[0]
        name = os.path.basename(path)
        if inode is None:
            self.inode += 1
            inode = self.inode
        mtime = NOW - age_days * DAY if mtime is None else mtime
        self.conn.execute(
            "INSERT INTO files (dir_id, name, size, mtime_ns, inode, dev, nlink, ext, category, is_link, "
            "full_hash, scan_gen) VALUES (?,?,?,?,?,?,?,?,?,?,?,1)",
            (did, name, size, int(mtime * 1e9), inode, 1, nlink,
             os.path.splitext(name)[1].lower() if ext is None else ext, category, int(link), full_hash))

    def error(self, root_id, path, reason):
        self.conn.execute("INSERT INTO scan_errors (root_id, path, reason, at) VALUES (?,?,?,?)",
                          (root_id, path, reason, NOW))

    def commit(self):
        self.conn.commit()


@pytest.fixture
def index(app_home):
    db = open_database()
    idx = Index(db)
    yield idx
    idx.raw.close()
    db.close()


@pytest.fixture
def two_roots(index):
    """/a: documents, images, duplicates and a hard link; /b: one big video and an error."""
    a = index.root("/a")
    index.dir("/a/docs", a)
    index.dir("/a/docs/old", a)
    index.dir("/a/pics", a)
    index.file("/a/docs/report.pdf", 1000, age_days=2, category="documents", full_hash=b"H1")
    index.file("/a/docs/old/report copy.pdf", 1000, age_days=400, category="documents", full_hash=b"H1")
    index.file("/a/docs/old/notes.txt", 10, age_days=40, category="documents")
    index.file("/a/pics/p.jpg", 500, age_days=10, category="images", full_hash=b"H2", inode=7, nlink=2)
    index.file("/a/pics/p-hardlink.jpg", 500, age_days=10, category="images", full_hash=b"H2", inode=7,
               nlink=2)
    index.file("/a/pics/q.jpg", 500, age_days=200, category="images", full_hash=b"H2")
    index.file("/a/pics/r.jpg", 500, age_days=200, category="images", full_hash=b"H3")   # no twin
    index.file("/a/pics/link.jpg", 30, category="other", link=True)
    index.file("/a/README", 5, age_days=3000, ext="")
    b = index.root("/b")
    index.file("/b/movie.mkv", 50_000, age_days=0.5, category="video")
    index.file("/b/movie-copy.mkv", 50_000, age_days=0.5, category="video", full_hash=b"H9")
    index.error(b, "/b/private", "permission denied")
    index.commit()
    return index.db, a, b


def test_totals_count_links_apart_and_hard_links_once(two_roots):
    db, a, b = two_roots
    t = agg.totals(db)
    assert (t.files, t.folders, t.symlinks) == (10, 5, 1)
    assert t.bytes == 1000 + 1000 + 10 + 500 * 4 + 5 + 100_000
    assert t.unique_bytes == t.bytes - 500                      # p.jpg and its hard link are one inode
    ta = agg.totals(db, agg.scope_for(db, ["/a"]))
    assert (ta.files, ta.folders, ta.bytes) == (8, 4, 4015)


def test_scope_follows_roots_and_unknown_paths_are_empty(two_roots):
    db, a, b = two_roots
    assert agg.scope_for(db, ["/a"]).root_ids == (a,)
    whole = agg.scope_for(db, ["/"])
    assert set(whole.root_ids) == {a, b} and whole.whole and not agg.scope_for(db, ["/a"]).whole
    assert agg.totals(db, whole) == agg.totals(db) == agg.totals(db, agg.scope_for(db, ["/a", "/b"]))
    empty = agg.scope_for(db, ["/elsewhere"])
    assert agg.totals(db, empty).files == 0
    assert agg.by_category(db, empty) == []
    assert agg.duplicate_summary(db, empty).groups == 0
    assert agg.root_paths(db) == ["/a", "/b"]


def test_by_category_and_extension_sum_to_totals(two_roots):
    db, *_ = two_roots
    cats = agg.by_category(db)
    assert [(s.key, s.files, s.bytes) for s in cats] == [
        ("video", 2, 100_000), ("documents", 3, 2010), ("images", 4, 2000), ("other", 1, 5)]
    assert sum(s.bytes for s in cats) == agg.totals(db).bytes
    assert sum(s.share for s in cats) == pytest.approx(1.0)
    exts = agg.by_extension(db, limit=2)
    assert exts.total == 5 and exts.more == 3
    assert [(s.key, s.files) for s in exts.items] == [(".mkv", 2), (".jpg", 4)]     # ties by name
    everything = agg.by_extension(db)
    assert ("", 1, 5) in [(s.key, s.files, s.bytes) for s in everything.items]


def test_age_buckets_and_years(two_roots):
    db, *_ = two_roots
    ages = {x.key: (x.files, x.bytes) for x in agg.by_age(db, now=NOW)}
    assert ages == {"last_week": (3, 101_000), "last_month": (2, 1000), "last_year": (3, 1010),
                    "older": (2, 1005)}
    years = agg.by_year(db)
    assert sum(y.files for y in years) == 10
    expected = {}
    for days, n in ((0.5, 2), (2, 1), (10, 2), (40, 1), (200, 2), (400, 1), (3000, 1)):
        y = time.localtime(NOW - days * DAY).tm_year
        expected[y] = expected.get(y, 0) + n
    assert {y.year: y.files for y in years} == expected
    assert [y.year for y in years] == sorted(expected)


def test_year_of_a_file_before_1970(index):
    r = index.root("/old")
    index.file("/old/punch card.dat", 80, mtime=-86_400.0 * 400)
    index.commit()
    assert [(y.year, y.files) for y in agg.by_year(index.db)] == [(time.localtime(-86_400 * 400).tm_year, 1)]
    assert r


def test_largest_files_with_duplicate_group_ids(two_roots):
    db, *_ = two_roots
    ids = agg.duplicate_group_ids(db)
    top = agg.largest_files(db, limit=3)
    assert top.total == 10 and top.more == 7
    assert [(f.path, f.size) for f in top.items] == [
        ("/b/movie-copy.mkv", 50_000), ("/b/movie.mkv", 50_000), ("/a/docs/report.pdf", 1000)]
    assert top.items[0].duplicate_group is None                # its twin was never hashed: no group
    assert top.items[2].duplicate_group == ids[b"H1"]


def test_duplicate_groups_count_inodes_not_paths(two_roots):
    db, *_ = two_roots
    assert agg.duplicates(db, limit=0) == (agg.duplicate_summary(db), agg.Listing([], 2))
    s = agg.duplicate_summary(db)
    # H1: two copies of 1000 bytes; H2: three paths but two inodes (a hard link pair + one copy)
    assert (s.groups, s.duplicate_files, s.reclaimable_bytes) == (2, 2, 1500)
    groups = agg.duplicate_groups(db, paths_per_group=2)
    assert groups.total == 2
    g1, g2 = groups.items
    assert (g1.id, g1.hash, g1.copies, g1.path_count, g1.reclaimable) == (1, b"H1".hex(), 2, 2, 1000)
    assert (g2.id, g2.copies, g2.path_count, g2.reclaimable) == (2, 2, 3, 500)
    assert g2.paths == ["/a/pics/p-hardlink.jpg", "/a/pics/p.jpg"]           # capped at 2, sorted
    assert agg.duplicate_group_ids(db) == {b"H1": 1, b"H2": 2}
    assert agg.duplicate_groups(db, agg.scope_for(db, ["/b"])).total == 0


def test_iter_duplicate_files_lists_every_path_in_group_order(two_roots):
    db, *_ = two_roots
    out = [(g.id, [f.path for f in files]) for g, files in agg.iter_duplicate_files(db, batch=1)]
    assert out == [(1, ["/a/docs/old/report copy.pdf", "/a/docs/report.pdf"]),
                   (2, ["/a/pics/p-hardlink.jpg", "/a/pics/p.jpg", "/a/pics/q.jpg"])]


def test_folder_sizes_are_recursive_and_roots_left_out_of_largest(two_roots, index):
    db, a, _ = two_roots
    # folders add up by path (the index stores no parent links)
    sizes = {f.path: (f.bytes, f.files) for f in agg.folder_sizes(db, agg.scope_for(db, ["/a"]))}
    assert sizes == {"/a": (4015, 8), "/a/docs": (2010, 3), "/a/docs/old": (1010, 2), "/a/pics": (2000, 4)}
    top = agg.largest_folders(db, limit=2)
    assert [f.path for f in top.items] == ["/a/docs", "/a/pics"]
    assert top.total == 3


def test_scan_errors_by_scope(two_roots):
    db, a, b = two_roots
    errs = agg.scan_errors(db)
    assert errs.total == 1
    assert (errs.items[0].path, errs.items[0].reason) == ("/b/private", "permission denied")
    assert agg.scan_errors(db, agg.scope_for(db, ["/a"])).total == 0


def test_iter_files_streams_every_regular_file(two_roots):
    db, *_ = two_roots
    ids = agg.duplicate_group_ids(db)
    files = list(agg.iter_files(db, group_ids=ids, batch=3))
    assert len(files) == 10 and "/a/pics/link.jpg" not in {f.path for f in files}
    by_path = {f.path: f for f in files}
    assert by_path["/a/pics/q.jpg"].duplicate_group == 2
    assert by_path["/a/pics/r.jpg"].duplicate_group is None
    assert by_path["/a/README"].ext == "" and by_path["/a/README"].mtime == pytest.approx(NOW - 3000 * DAY)


def test_undecodable_names_come_back_as_the_os_spells_them(index):
    r = index.root("/u")
    raw = os.fsdecode(b"/u/caf\xe9.txt")
    did = index.conn.execute("SELECT id FROM dirs WHERE path='/u'").fetchone()[0]
    index.conn.execute("INSERT INTO files (dir_id, name, size, mtime_ns, inode, dev, nlink, ext, category, "
                       "is_link, scan_gen) VALUES (?,?,?,?,?,?,?,?,?,?,1)",
                       (did, b"caf\xe9.txt", 3, 0, 1, 1, 1, ".txt", "documents", 0))
    index.commit()
    assert [f.path for f in agg.iter_files(index.db)] == [raw]
    assert agg.largest_files(index.db).items[0].path == raw
    assert r


def test_reading_gives_one_snapshot(two_roots):
    db, *_ = two_roots
    with agg.reading(db) as conn:
        before = agg.totals(conn).files
        writer = db.raw()
        writer.driver_connection.execute("DELETE FROM files WHERE name='README'")
        writer.driver_connection.commit()
        writer.close()
        assert agg.totals(conn).files == before                 # the snapshot does not move
    assert agg.totals(db).files == before - 1
