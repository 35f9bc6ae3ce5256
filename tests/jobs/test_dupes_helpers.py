"""The duplicate finder's helper processes give exactly what one process gives.

fork_min_files=0 forces the helpers on small trees: the stream helper of a first
run, the share helper of a run with an index, the split walk of a rescan.
"""

import os
import pickle
import shutil
import sqlite3
import subprocess
import threading

import pytest

from app.core.dedup import duplicates_in
from app.core.progress import Cancelled, Progress
from app.core.walk import walk
from app.jobs import hash_helper, stream_helper, walk_split
from app.jobs.duplicates import find_duplicates
from app.jobs.scan import scan
from app.store import open_database

NEVER = 10**9


@pytest.fixture(autouse=True)
def _helpers_possible():
    """Checked when each test runs, not at collection: other threads in this process forbid forks."""
    if not hash_helper.can_fork():
        pytest.skip(f"helpers need fork, 2 CPUs and no other thread (threads: {threading.active_count()})")


def shape(groups):
    return sorted((g.size, g.hash, tuple((f.path, f.inode, f.nlink, f.hardlinked) for f in g.files))
                  for g in groups)


def rel_groups(groups, root):
    return sorted(sorted(os.path.relpath(f.path, root) for f in g.files if not f.path.endswith(".lnk"))
                  for g in groups)


def sorted_rows(db, sql):
    conn = sqlite3.connect(db.path)
    try:
        return sorted(conn.execute(sql), key=repr)
    finally:
        conn.close()


def index_rows(db):
    columns = "d.path, f.name, f.size, f.mtime_ns, f.inode, f.nlink, f.is_link, f.category, f.partial_hash"
    return sorted_rows(db, f"SELECT {columns}, f.full_hash FROM files f JOIN dirs d ON d.id = f.dir_id")


def dir_rows(db):
    return sorted_rows(db, "SELECT path, signature FROM dirs")


def schema(db):
    return sorted_rows(db, "SELECT type, name, sql FROM sqlite_master")


def checks_back_on(db):
    """The pooled connections check foreign keys again (a first run skips them in its first
    transaction), and the index has no row pointing at a missing folder or root."""
    conns = [db.raw() for _ in range(3)]
    try:
        return all(c.execute("PRAGMA foreign_keys").fetchone() == (1,)
                   and c.execute("PRAGMA wal_autocheckpoint").fetchone() == (1000,) for c in conns) and \
            conns[0].execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        for c in conns:
            c.close()


def no_child_left():
    try:
        return os.waitpid(-1, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True


@pytest.fixture
def tree(make_corpus, tmp_path):
    """A private copy (hard links and symlinks kept) of a 1,200-file corpus, and its manifest."""
    root, manifest = make_corpus(1200, seed=11, total_mb=5)
    copy = tmp_path / "tree"
    subprocess.run(["cp", "-a", str(root), str(copy)], check=True)
    return copy, manifest


@pytest.fixture
def two_dbs(app_home, tmp_path):
    a, b = open_database(tmp_path / "a.db"), open_database(tmp_path / "b.db")
    yield a, b
    a.close()
    b.close()


def spy(monkeypatch, owner, name):
    calls = []
    real = getattr(owner, name)

    def wrapper(*args, **kwargs):
        out = real(*args, **kwargs)
        calls.append(out)
        return out

    monkeypatch.setattr(owner, name, wrapper)
    return calls


def test_first_run_stream_helper_equals_one_process_and_manifest(tree, two_dbs, monkeypatch):
    root, manifest = tree
    forked, single = two_dbs
    started = spy(monkeypatch, stream_helper.StreamHelper, "start")
    a = find_duplicates(forked, [str(root)], progress=Progress(), fork_min_files=0)
    assert len(started) == 1                        # the helper path was taken
    b = find_duplicates(single, [str(root)], progress=Progress(), fork_min_files=NEVER)
    assert len(started) == 1
    assert shape(a.groups) == shape(b.groups)
    assert rel_groups(a.groups, root) == manifest["duplicate_groups"]
    assert a.hashed_files == b.hashed_files > 0 and a.errors == b.errors == []
    assert index_rows(forked) == index_rows(single)   # same hashes and categories stored
    assert no_child_left()


@pytest.mark.parametrize("arrival", ["all_before_the_shared_insert", "all_after_it"])
def test_first_run_hashes_are_written_whenever_they_arrive(tree, two_dbs, monkeypatch, arrival):
    """The helper's hashes may all be known when the size-sharing files are written (inserted
    with them), or all come later (inserted then, or updated): the index ends up the same."""
    root, manifest = tree
    forked, single = two_dbs
    real_caught_up = stream_helper.StreamHelper.caught_up

    def caught_up(self, progress, on_rows):
        if arrival == "all_after_it":
            self.end_input()
            return True
        real_caught_up(self, progress, on_rows)
        while self.outcome is None:                 # wait for the very end
            self._take(progress, on_rows)
        return True

    monkeypatch.setattr(stream_helper.StreamHelper, "caught_up", caught_up)
    a = find_duplicates(forked, [str(root)], progress=Progress(), fork_min_files=0)
    b = find_duplicates(single, [str(root)], progress=Progress(), fork_min_files=NEVER)
    assert shape(a.groups) == shape(b.groups)
    assert rel_groups(a.groups, root) == manifest["duplicate_groups"]
    assert index_rows(forked) == index_rows(single)
    assert no_child_left()


def test_helper_reports_do_not_wait_for_the_reader():
    """A report bigger than the pipe is queued: the helper goes on hashing until it drains."""
    r, w = os.pipe()
    out = stream_helper._Outgoing(w)
    payload = [os.urandom(64) for _ in range(40_000)]         # ~3 MB pickled, more than the pipe holds
    out.send(b"P", payload)                                   # returns although nobody reads yet
    assert out.buf                                            # the rest waits in the queue
    received = bytearray()

    def read_all():
        while chunk := os.read(r, 1 << 20):
            received.extend(chunk)

    reader = threading.Thread(target=read_all)
    reader.start()
    out.drain()
    os.close(w)
    reader.join(10)
    os.close(r)
    kind, length = stream_helper._HEADER.unpack_from(received)
    assert kind == b"P" and len(received) == stream_helper._HEADER.size + length
    assert pickle.loads(received[stream_helper._HEADER.size:]) == payload


def test_stream_helper_failure_falls_back_to_the_index(tree, two_dbs, monkeypatch):
    root, manifest = tree

    def broken(*args):
        raise RuntimeError("helper crashed")

    monkeypatch.setattr(stream_helper, "_stream_main", broken)
    res = find_duplicates(two_dbs[0], [str(root)], progress=Progress(), fork_min_files=0)
    assert rel_groups(res.groups, root) == manifest["duplicate_groups"]
    assert no_child_left()


def test_cancel_while_the_helper_hashes(tree, two_dbs):
    root, manifest = tree
    progress = Progress()

    def listener(snap):
        if snap.stage == "compare":
            progress.cancel()

    progress.listener = listener
    fresh = schema(two_dbs[0])
    with pytest.raises(Cancelled):
        find_duplicates(two_dbs[0], [str(root)], progress=progress, fork_min_files=0)
    assert no_child_left()
    assert schema(two_dbs[0]) == fresh        # the indexes dropped for the first insert are back
    assert checks_back_on(two_dbs[0])
    res = find_duplicates(two_dbs[0], [str(root)], progress=Progress(), fork_min_files=0)
    assert rel_groups(res.groups, root) == manifest["duplicate_groups"]
    assert schema(two_dbs[0]) == fresh


def test_first_run_into_an_empty_index_keeps_the_schema(tree, two_dbs):
    """The first run rebuilds the indexes it drops to insert faster; a run beside indexed
    files keeps them throughout. Either way the schema and the data are whole."""
    root, _ = tree
    db = two_dbs[0]
    fresh = schema(db)
    find_duplicates(db, [str(root)], progress=Progress(), fork_min_files=0)
    assert schema(db) == fresh
    assert checks_back_on(db)
    other = root.parent / "other"
    sub = next(p for p in sorted(root.iterdir()) if p.is_dir() and not p.is_symlink())
    shutil.copytree(sub, other, symlinks=True)
    find_duplicates(db, [str(other)], progress=Progress(), fork_min_files=0)
    assert schema(db) == fresh
    conn = sqlite3.connect(db.path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def test_share_helper_on_an_indexed_tree(tree, two_dbs, monkeypatch):
    root, manifest = tree
    forked, single = two_dbs
    for db in two_dbs:                              # indexed, nothing hashed yet
        scan(db, [str(root)], progress=Progress())
    helpers = spy(monkeypatch, hash_helper, "fork_hasher")
    a = find_duplicates(forked, [str(root)], progress=Progress(), fork_min_files=0)
    assert len(helpers) == 1
    b = find_duplicates(single, [str(root)], progress=Progress(), fork_min_files=NEVER)
    assert shape(a.groups) == shape(b.groups)
    assert rel_groups(a.groups, root) == manifest["duplicate_groups"]
    assert index_rows(forked) == index_rows(single)


def test_rerun_groups_from_stored_hashes_equal_the_first_run(tree, two_dbs, monkeypatch):
    root, _ = tree
    db = two_dbs[0]
    first = find_duplicates(db, [str(root)], progress=Progress(), fork_min_files=0)
    splits = spy(monkeypatch, walk_split.SplitWalk, "start")
    again = find_duplicates(db, [str(root)], progress=Progress(), fork_min_files=0)
    assert splits and splits[0] is not None         # walked by two processes
    assert not again.scan.changed and again.hashed_files == 0
    assert shape(again.groups) == shape(first.groups)
    assert again.scan.counts.unchanged == first.scan.counts.new
    assert again.files_scanned == first.files_scanned
    assert no_child_left()


def _change_tree(root, groups):
    """Break one group (same size, other bytes), make a new pair, add and remove files and a folder."""
    victim = next(g for g in groups if g.copies == 2 and not any(f.hardlinked for f in g.files))
    path = victim.files[0].path
    with open(path, "r+b") as fh:
        data = fh.read()
        fh.seek(0)
        fh.write(bytes([data[0] ^ 0xFF]) + data[1:])
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    grouped = {f.path for g in groups for f in g.files}
    loner = next(os.path.join(d, n) for d, _, names in sorted(os.walk(root)) for n in sorted(names)
                 if os.path.join(d, n) not in grouped and os.path.isfile(os.path.join(d, n))
                 and not os.path.islink(os.path.join(d, n)) and os.path.getsize(os.path.join(d, n)) > 100)
    with open(loner, "rb") as fh:
        content = fh.read()
    new_dir = root / "added folder"
    new_dir.mkdir()
    (new_dir / "copy of loner").write_bytes(content)
    (new_dir / "unique").write_bytes(b"only me" * 50)
    gone = next(f.path for g in groups for f in g.files if f.path != path and not f.hardlinked
                and len([x for x in g.files if not x.hardlinked]) > 2)
    os.remove(gone)
    return path, loner


def test_rerun_after_changes_rehashes_and_regroups(tree, two_dbs):
    root, _ = tree
    db = two_dbs[0]
    first = find_duplicates(db, [str(root)], progress=Progress(), fork_min_files=0)
    changed, loner = _change_tree(root, first.groups)
    again = find_duplicates(db, [str(root)], progress=Progress(), fork_min_files=0)
    assert again.scan.changed and again.hashed_files > 0
    expected = duplicates_in([r for batch in walk([str(root)]) for r in batch])    # no index at all
    assert shape(again.groups) == shape(expected)
    paths = {f.path for g in again.groups for f in g.files}
    assert str(root / "added folder" / "copy of loner") in paths and loner in paths
    # the third run takes the fast path again and agrees
    third = find_duplicates(db, [str(root)], progress=Progress(), fork_min_files=0)
    assert not third.scan.changed and third.hashed_files == 0
    assert shape(third.groups) == shape(expected)


def test_split_rescan_writes_the_same_index_as_one_process(tree, two_dbs):
    root, _ = tree
    forked, single = two_dbs
    first = find_duplicates(single, [str(root)], progress=Progress(), fork_min_files=NEVER)
    find_duplicates(forked, [str(root)], progress=Progress(), fork_min_files=NEVER)
    _change_tree(root, first.groups)
    a = scan(forked, [str(root)], progress=Progress(), split_min_files=0)
    b = scan(single, [str(root)], progress=Progress())
    assert a.counts == b.counts and a.counts.removed >= 1 and a.counts.new >= 2 and a.counts.changed >= 1
    assert index_rows(forked) == index_rows(single)
    assert dir_rows(forked) == dir_rows(single)


def test_split_walk_helper_failure_walks_its_part_here(tree, two_dbs, monkeypatch):
    root, _ = tree
    forked, single = two_dbs
    for db in two_dbs:
        scan(db, [str(root)], progress=Progress())
    (root / "new.txt").write_bytes(b"new")

    def broken(*args):
        raise RuntimeError("walker crashed")

    monkeypatch.setattr(walk_split, "_child", broken)
    a = scan(forked, [str(root)], progress=Progress(), split_min_files=0)
    b = scan(single, [str(root)], progress=Progress())
    assert a.counts == b.counts and a.counts.new == 1
    assert index_rows(forked) == index_rows(single)
    assert no_child_left()


def test_cli_with_helpers_prints_what_one_process_prints(run_cli, tree):
    root, _ = tree
    forced = {"FILEORGANIZER_FORK_MIN_FILES": "0"}
    first = run_cli("dupes", str(root), "--format", "fdupes", env=forced, check=True).stdout
    rerun = run_cli("dupes", str(root), "--format", "fdupes", env=forced, check=True).stdout
    plain = run_cli("dupes", str(root), "--format", "fdupes", "-q", env={"FILEORGANIZER_FORK_MIN_FILES":
                                                                          str(NEVER)}, check=True).stdout
    assert first == rerun == plain and first.count("\n\n") > 10
    if shutil.which("jdupes"):
        theirs = subprocess.run(["jdupes", "-r", "-q", str(root)], capture_output=True, text=True,
                                check=True).stdout
        assert inode_groups(first) == inode_groups(theirs)


def inode_groups(fdupes_text):
    """Each block as the set of distinct files on disk (hard links of one inode count once)."""
    return {frozenset((st.st_dev, st.st_ino) for st in map(os.stat, block.splitlines()))
            for block in fdupes_text.strip("\n").split("\n\n") if block.strip()}


def test_scan_command_rescan_with_the_split_walk(run_cli, tree):
    root, _ = tree
    forced = {"FILEORGANIZER_FORK_MIN_FILES": "0"}
    first = run_cli("scan", str(root), "-q", env=forced, check=True).stdout
    (root / "late.txt").write_bytes(b"late")
    again = run_cli("scan", str(root), "-q", env=forced, check=True).stdout
    files = first.split(" files")[0]
    assert " 1 new, 0 changed, 0 removed" in again and files != again.split(" files")[0]


def test_helpers_with_undecodable_names_and_links(app_home, tmp_path, two_dbs):
    root = tmp_path / "odd"
    (root / "sub").mkdir(parents=True)
    odd = os.fsdecode(b"caf\xe9-\xff.bin")                    # not valid UTF-8
    for name in (odd, "plain.bin", "sub/" + odd):
        (root / name).write_bytes(b"dup" * 3000)
    os.link(root / "plain.bin", root / "sub" / "hard.bin")
    os.symlink(root / "plain.bin", root / "sub" / "sym.bin")
    (root / "sub" / "other.bin").write_bytes(b"oth" * 3000)
    forked, single = two_dbs
    results = []
    for db, threshold in ((forked, 0), (single, NEVER)):
        first = find_duplicates(db, [str(root)], progress=Progress(), fork_min_files=threshold)
        again = find_duplicates(db, [str(root)], progress=Progress(), fork_min_files=threshold)
        assert shape(first.groups) == shape(again.groups) and not again.scan.changed
        results.append(first)
    assert shape(results[0].groups) == shape(results[1].groups)
    (g,) = results[0].groups
    names = sorted(os.path.relpath(f.path, root) for f in g.files)
    assert names == sorted([odd, "plain.bin", os.path.join("sub", odd), os.path.join("sub", "hard.bin")])
    assert index_rows(forked) == index_rows(single)


def test_split_walk_helper_dying_midway_loses_nothing(tree, two_dbs, monkeypatch):
    root, _ = tree
    forked, single = two_dbs
    for db in two_dbs:
        scan(db, [str(root)], progress=Progress())
    (root / "new.txt").write_bytes(b"new")
    real, calls = walk_split.listing_signature, []

    def dies_on_the_fifth(*args):          # only the helper calls walk_split.listing_signature
        calls.append(1)
        if len(calls) == 5:
            os._exit(3)
        return real(*args)

    monkeypatch.setattr(walk_split, "listing_signature", dies_on_the_fifth)
    a = scan(forked, [str(root)], progress=Progress(), split_min_files=0)
    b = scan(single, [str(root)], progress=Progress())
    assert a.counts == b.counts and a.counts.new == 1
    assert index_rows(forked) == index_rows(single) and dir_rows(forked) == dir_rows(single)
    assert no_child_left()


def test_helpers_keep_categories_found_by_magic_bytes(app_home, tmp_path, two_dbs):
    root = tmp_path / "magic"
    root.mkdir()
    pdf = b"%PDF-1.7\n" + os.urandom(20000)            # large: partial hash, then full hash
    for name in ("report.dat", "copy.dat", "noext"):
        (root / name).write_bytes(pdf)
    (root / "small.bin").write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 100)
    (root / "small2.bin").write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 100)
    forked, single = two_dbs
    find_duplicates(forked, [str(root)], progress=Progress(), fork_min_files=0)
    find_duplicates(single, [str(root)], progress=Progress(), fork_min_files=NEVER)
    rows = index_rows(forked)
    assert rows == index_rows(single)
    cats = {r[1]: r[7] for r in rows}
    assert cats["report.dat"] == cats["noext"] == "documents" and cats["small.bin"] == "images"


def test_first_run_beyond_the_held_rows_stores_the_rest_by_update(tree, two_dbs, monkeypatch):
    from app.jobs import scan as scan_job

    root, manifest = tree
    forked, single = two_dbs
    monkeypatch.setattr(scan_job, "HOLD_ROWS", 100)     # most rows flushed before the helper's hashes
    a = find_duplicates(forked, [str(root)], progress=Progress(), fork_min_files=0)
    b = find_duplicates(single, [str(root)], progress=Progress(), fork_min_files=NEVER)
    assert shape(a.groups) == shape(b.groups)
    assert rel_groups(a.groups, root) == manifest["duplicate_groups"]
    assert index_rows(forked) == index_rows(single)
    again = find_duplicates(forked, [str(root)], progress=Progress(), fork_min_files=0)
    assert again.hashed_files == 0 and shape(again.groups) == shape(a.groups)
