"""A first scan of a tree nobody indexed yet: the workers write the rows into staging databases
and the scan copies them in (store.index_stage). The index must come out exactly as the
folder-by-folder path writes it, a folder another writer added meanwhile must be merged rather
than clash, and no staging file may outlive the scan, cancelled or not."""

import os
import tempfile

import pytest

from app.core.progress import Cancelled, Progress
from app.jobs import scan as scan_job
from app.jobs.scan import scan
from app.jobs.workers import WorkerPool
from app.store import categories_repo, index_stage
from app.store.db import open_database
from app.store.index import IndexWriter

ROWS = ("SELECT d.path, f.name, f.size, f.mtime_ns, f.inode, f.dev, f.nlink, f.ext, f.category, f.is_link, "
        "f.ctime_ns FROM files f JOIN dirs d ON d.id = f.dir_id")
FOLDERS = "SELECT path, signature, files, bytes FROM dirs"


@pytest.fixture(scope="module")
def pool():
    with WorkerPool() as workers:
        yield workers


def _read(db, sql: str) -> list[tuple]:
    conn = db.raw()
    try:
        return sorted(conn.execute(sql).fetchall(), key=repr)
    finally:
        conn.close()


def _odd_tree(root):
    """Files of several kinds, an empty folder, a hidden file, a symbolic link, a name that is not
    UTF-8, a compound extension and an extension a custom category claims."""
    for i in range(12):
        sub = root / f"folder{i:02}" / "inner"
        sub.mkdir(parents=True)
        for j in range(9):
            (sub / f"photo{j}.jpg").write_bytes(b"x" * (i * 10 + j))
            (sub.parent / f"notes{j}.txt").write_text("same text")
    (root / "empty").mkdir()
    (root / "folder00" / ".hidden").write_text("hidden")
    (root / "folder00" / "backup.tar.gz").write_bytes(b"\x1f\x8b archive")
    (root / "folder01" / "scene.blend").write_bytes(b"BLENDER")
    (root / "folder01" / "link.txt").symlink_to(root / "folder01" / "notes0.txt")
    fd = os.open(os.path.join(os.fsencode(root / "folder02"), b"caf\xe9.txt"), os.O_WRONLY | os.O_CREAT)
    os.write(fd, b"latin-1 name")
    os.close(fd)


def test_a_first_scan_in_pieces_writes_what_the_folder_by_folder_path_writes(db, tmp_path, pool,
                                                                              monkeypatch):
    root = tmp_path / "tree"
    _odd_tree(root)
    categories_repo.add(db, "3D models", [".blend"])
    monkeypatch.setattr(scan_job, "PIECE_FILES", 15)            # many pieces, several leftovers
    copied = []
    real_copy = index_stage.copy_staged
    monkeypatch.setattr(index_stage, "copy_staged",
                        lambda w, s, p: copied.append(s.folders) or real_copy(w, s, p))
    staged = scan(db, [str(root)], progress=Progress(), pool=pool)
    assert len(copied) > 3, "the workers staged the tree, in pieces"

    other = open_database(tmp_path / "other.db")
    try:
        categories_repo.add(other, "3D models", [".blend"])
        plain = scan(other, [str(root)], progress=Progress())      # no pool: every folder here
        assert _read(db, ROWS) == _read(other, ROWS)
        assert _read(db, FOLDERS) == _read(other, FOLDERS)
    finally:
        other.close()
    assert staged.counts == plain.counts
    assert staged.counts.files == 12 * 18 + 4 and staged.counts.links == 1
    assert ("3D models",) in _read(db, "SELECT category FROM files WHERE name = 'scene.blend'")
    assert _read(db, "SELECT name FROM files WHERE typeof(name) = 'blob'") == [(b"caf\xe9.txt",)]

    again = scan(db, [str(root)], progress=Progress(), pool=pool)
    assert (again.counts.new, again.counts.changed, again.counts.removed) == (0, 0, 0)
    assert not again.changed, "the staged folders' listing digests are the ones a rescan computes"


def test_a_folder_another_writer_added_meanwhile_is_merged_not_duplicated(db, tmp_path, monkeypatch):
    monkeypatch.setattr(index_stage, "BATCH_ROWS", 5)       # a chunk per folder: only b's clashes
    root = tmp_path / "tree"
    for name in ("a", "b", "c"):
        (root / name).mkdir(parents=True)
        for i in range(5):
            (root / name / f"{name}{i}.txt").write_text(name * (i + 1))
    conn = db.raw()
    try:
        writer = IndexWriter(conn, str(root), scan_job.classifier(db))
        assert writer.fresh
        staged = index_stage.walk_into_stage([str(root / n) for n in ("a", "b", "c")], [], True, None,
                                             str(tmp_path), {}, False)
        assert len(staged.chunks) == 3
        # meanwhile another writer indexed folder b: one row still right, one gone from the disk
        cur = conn.execute("INSERT INTO dirs (root_id, path, scan_gen) VALUES (?, ?, 0)",
                           (writer.root_id, str(root / "b")))
        st = os.lstat(root / "b" / "b0.txt")
        conn.executemany("INSERT INTO files (dir_id, name, size, mtime_ns, inode, dev, nlink, ctime_ns, "
                         "ext, category, is_link, scan_gen) VALUES (?,?,?,?,?,?,1,?,'.txt','documents',0,0)",
                         [(cur.lastrowid, "b0.txt", st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev,
                           st.st_ctime_ns),
                          (cur.lastrowid, "deleted.txt", 3, 0, 1, st.st_dev, 0)])
        conn.commit()
        index_stage.copy_staged(writer, staged, Progress())
        counts = writer.finish()
    finally:
        conn.close()
    assert not os.path.exists(staged.stage)
    rows = _read(db, "SELECT d.path, f.name FROM files f JOIN dirs d ON d.id = f.dir_id")
    assert rows == sorted(((str(root / n), f"{n}{i}.txt") for n in "abc" for i in range(5)), key=repr)
    assert (counts.files, counts.dirs, counts.new, counts.unchanged, counts.removed) == (15, 3, 14, 1, 1)


def test_no_staging_file_outlives_a_cancelled_scan(db, make_corpus, tmp_path, pool, monkeypatch):
    root, _manifest = make_corpus(1500, seed=5)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setattr(scan_job, "PIECE_FILES", 50)
    progress = Progress()
    real_copy = index_stage.copy_staged

    def copy_then_cancel(writer, staged, progress_):
        real_copy(writer, staged, progress_)
        progress.cancel()       # as the Cancel button would, with other pieces still being walked

    monkeypatch.setattr(index_stage, "copy_staged", copy_then_cancel)
    with pytest.raises(Cancelled):
        scan(db, [str(root)], progress=progress, pool=pool)
    assert list(temp.iterdir()) == []
    # what was copied before the cancel is whole folders: each staged folder has all its rows
    conn = db.raw()
    try:
        for path, files in conn.execute("SELECT path, files FROM dirs WHERE files IS NOT NULL"):
            on_disk = sum(1 for e in os.scandir(path) if e.is_file(follow_symlinks=False))
            assert files == on_disk, path
            assert conn.execute("SELECT count(*) FROM files f JOIN dirs d ON d.id = f.dir_id "
                                "WHERE d.path = ? AND f.is_link = 0", (path,)).fetchone()[0] == on_disk
    finally:
        conn.close()


@pytest.mark.parametrize("where", ["no temporary folder", "staging files cannot be written"])
def test_without_room_for_staging_files_the_scan_goes_the_ordinary_way(db, make_corpus, tmp_path, pool,
                                                                         monkeypatch, where):
    root, _manifest = make_corpus(600, seed=9)
    monkeypatch.setattr(scan_job, "PIECE_FILES", 60)
    gone = str(tmp_path / "gone")
    if where == "no temporary folder":
        monkeypatch.setattr(tempfile, "tempdir", gone)          # mkdtemp raises here
    else:
        # the folder "made" is not there: the workers cannot write their staging files
        monkeypatch.setattr(scan_job.tempfile, "mkdtemp", lambda prefix: gone)
    copied = []
    monkeypatch.setattr(index_stage, "copy_staged", lambda *args: copied.append(args))
    result = scan(db, [str(root)], progress=Progress(), pool=pool)
    assert copied == []
    on_disk = sorted(os.path.join(d, n) for d, _dirs, files in os.walk(root) for n in files)
    assert sorted(os.path.join(d, n) for d, n in _read(db, "SELECT d.path, f.name FROM files f "
                                                           "JOIN dirs d ON d.id = f.dir_id")) == on_disk
    assert result.counts.new == len(on_disk)
    again = scan(db, [str(root)], progress=Progress(), pool=pool)
    assert not again.changed
