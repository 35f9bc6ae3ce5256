"""The duplicate engine on the inputs that broke it: file roots, overlapping and symlinked roots,
wide folders rescanned, content rewritten under an old mtime, a writer waiting on the index,
a cancelled scan. Groups are checked against a fresh index, the corpus manifest or jdupes."""

import json
import os
import shutil
import subprocess
import threading
import time

import pytest

from app.core.progress import Cancelled, Progress
from app.jobs.duplicates import find_duplicates
from app.jobs.scan import scan
from app.jobs.workers import WorkerPool
from app.store.db import open_database


def rel_groups(groups, root):
    return sorted(sorted(os.path.relpath(f.path, root) for f in g.files) for g in groups)


def fresh_groups(tmp_path, roots, name):
    """The groups of `roots` with an index that has never seen anything."""
    db = open_database(tmp_path / f"fresh-{name}.db")
    try:
        return find_duplicates(db, roots, progress=Progress()).groups
    finally:
        db.close()


@pytest.fixture
def abc(tmp_path):
    """a/x1 = a/c/x3 (identical), a/b/x2 a third copy, and some unrelated files."""
    a = tmp_path / "a"
    for sub in ("b", "c", "d"):
        (a / sub).mkdir(parents=True)
    for p in ("x1", "b/x2", "c/x3"):
        (a / p).write_bytes(b"same content " * 500)
    for i in range(5):
        (a / "d" / f"other{i}").write_bytes(os.urandom(6500))
    return a


def test_file_roots_after_their_folder_was_indexed(app_home, tmp_path, abc):
    db = open_database()
    try:
        scan(db, [str(abc)], progress=Progress())
        roots = [str(abc / "x1"), str(abc / "c")]
        result = find_duplicates(db, roots, progress=Progress())
    finally:
        db.close()
    assert rel_groups(result.groups, abc) == [["c/x3", "x1"]]
    assert rel_groups(result.groups, abc) == rel_groups(fresh_groups(tmp_path, roots, "x1c"), abc)


def test_overlapping_roots_list_each_file_once(app_home, tmp_path, abc):
    roots = [str(abc), str(abc / "c"), str(abc / "x1"), str(abc / "b" / "x2")]
    db = open_database()
    try:
        result = find_duplicates(db, roots, progress=Progress())
        again = find_duplicates(db, list(reversed(roots)), progress=Progress())
    finally:
        db.close()
    assert rel_groups(result.groups, abc) == [["b/x2", "c/x3", "x1"]]
    assert rel_groups(again.groups, abc) == rel_groups(result.groups, abc)
    assert not any(f.hardlinked for g in result.groups for f in g.files)


def test_a_root_and_a_symlink_to_it_are_one_root(app_home, tmp_path, abc):
    link = tmp_path / "link-to-a"
    link.symlink_to(abc, target_is_directory=True)
    db = open_database()
    try:
        result = find_duplicates(db, [str(abc), str(link)], progress=Progress())
        through_link = find_duplicates(db, [str(link / "c"), str(abc / "x1")], progress=Progress())
    finally:
        db.close()
    (g,) = result.groups
    assert rel_groups([g], abc) == [["b/x2", "c/x3", "x1"]]
    assert g.copies == 3 and not any(f.hardlinked for f in g.files)
    assert rel_groups(through_link.groups, abc) == [["c/x3", "x1"]]


def test_roots_mixing_a_corpus_and_its_parts_match_the_manifest(app_home, make_corpus):
    root, manifest = make_corpus(600, seed=4, total_mb=3)
    sub = next(p for p in sorted(root.iterdir()) if p.is_dir())
    some_file = next(p for p in sorted(sub.rglob("*")) if p.is_file() and not p.is_symlink())
    db = open_database()
    try:
        scan(db, [str(sub)], progress=Progress())       # part of the tree indexed first
        result = find_duplicates(db, [str(some_file), str(sub), str(root)], progress=Progress())
    finally:
        db.close()
    found = sorted(sorted(os.path.relpath(f.path, root) for f in g.files if not f.path.endswith(".lnk"))
                   for g in result.groups)
    assert found == manifest["duplicate_groups"]
    paths = [f.path for g in result.groups for f in g.files]
    assert len(paths) == len(set(paths))


def _fdupes_groups(text):
    return sorted(tuple(sorted(g.split("\n"))) for g in text.strip().split("\n\n") if g.strip())


@pytest.mark.skipif(shutil.which("jdupes") is None, reason="jdupes is not installed")
def test_rescanning_a_folder_with_300_subfolders_matches_jdupes(run_cli, tmp_path):
    """A folder with 256 or more direct subfolders crashed every rescan (as /usr/share/doc does)."""
    wide = tmp_path / "wide"
    for i in range(300):
        d = wide / f"pkg{i:03d}"
        d.mkdir(parents=True)
        for j in range(14):
            (d / f"f{j}.txt").write_text(f"a file of a package, copy {(i * 14 + j) % 1000}\n" * 3)
    for _ in range(2):
        scanned = run_cli("scan", str(wide))
        assert scanned.returncode == 0, scanned.stderr
    ours = run_cli("dupes", str(wide), "--format", "fdupes")
    assert ours.returncode == 0, ours.stderr
    again = run_cli("dupes", str(wide), "--format", "fdupes")
    theirs = subprocess.run(["jdupes", "-r", "-q", str(wide)], capture_output=True, text=True, check=True)
    assert _fdupes_groups(ours.stdout) == _fdupes_groups(theirs.stdout) == _fdupes_groups(again.stdout)
    assert len(_fdupes_groups(ours.stdout)) == 1000


def test_content_rewritten_under_its_old_mtime_is_hashed_again(app_home, tmp_path):
    """Copy and sync tools put the old mtime back (touch -r): the change time still moves."""
    root = tmp_path / "t"
    root.mkdir()
    for n in ("a", "b"):
        (root / n).write_bytes(b"A" * 9000)
    (root / "c").write_bytes(b"C" * 9000)
    db = open_database()
    try:
        first = find_duplicates(db, [str(root)], progress=Progress())
        assert rel_groups(first.groups, root) == [["a", "b"]]
        for name, data in (("b", b"B" * 9000), ("c", b"A" * 9000)):    # same sizes, new bytes
            st = os.stat(root / name)
            time.sleep(0.01)            # the change time must be able to move (coarse clocks)
            with open(root / name, "r+b") as fh:
                fh.write(data)
            os.utime(root / name, ns=(st.st_atime_ns, st.st_mtime_ns))
            assert os.stat(root / name).st_mtime_ns == st.st_mtime_ns
        for paranoid in (False, True):
            again = find_duplicates(db, [str(root)], progress=Progress(), paranoid=paranoid)
            assert rel_groups(again.groups, root) == [["a", "c"]], paranoid
    finally:
        db.close()


def test_a_writer_gets_through_while_a_first_search_runs(app_home, make_corpus):
    """The window saves settings while a job runs: its writes must never wait for the job."""
    root, manifest = make_corpus(6000, seed=7, total_mb=40)
    db = open_database()
    waits, failures = [], []
    stop = threading.Event()

    def window():
        n = 0
        while not stop.is_set():
            started = time.monotonic()
            try:
                db.set_setting("window.geometry", n)
            except Exception as exc:            # noqa: BLE001 - any failure fails the test below
                failures.append(repr(exc))
            waits.append(time.monotonic() - started)
            n += 1
            stop.wait(0.005)

    writer = threading.Thread(target=window)
    writer.start()
    try:
        result = find_duplicates(db, [str(root)], progress=Progress())
    finally:
        stop.set()
        writer.join()
        db.close()
    print(f"{len(waits)} writes during the search, longest wait {max(waits) * 1000:.1f} ms")
    assert failures == [] and len(waits) > 5
    found = sorted(sorted(os.path.relpath(f.path, root) for f in g.files if not f.path.endswith(".lnk"))
                   for g in result.groups)
    assert found == manifest["duplicate_groups"]


def test_a_cancelled_scan_keeps_the_batches_it_wrote(app_home, make_corpus):
    root, _ = make_corpus(6000, seed=8, total_mb=4)
    db = open_database()
    progress = Progress(min_interval=0)         # the listener hears every step

    def listener(snap):
        if snap.done >= 3000:
            progress.cancel()

    progress.listener = listener
    try:
        with pytest.raises(Cancelled), WorkerPool() as pool:
            scan(db, [str(root)], progress=progress, pool=pool)
        conn = db.raw()
        try:
            kept = conn.execute("SELECT count(*) FROM files").fetchone()[0]
        finally:
            conn.close()
        assert 0 < kept < 6000
        done = scan(db, [str(root)], progress=Progress())
        assert done.counts.unchanged >= kept * 0.9 and done.counts.new + done.counts.unchanged >= 6000
    finally:
        db.close()


def test_json_output_of_file_roots(run_cli, abc):
    """The command line: the same file roots after `scan a` give the group, as JSON."""
    assert run_cli("scan", str(abc)).returncode == 0
    out = run_cli("dupes", str(abc / "x1"), str(abc / "c"), "--format", "json")
    assert out.returncode == 0, out.stderr
    (group,) = json.loads(out.stdout)["groups"]
    assert sorted(os.path.relpath(f["path"], abc) for f in group["files"]) == ["c/x3", "x1"]


def test_a_report_of_file_roots_after_their_folder_was_indexed(run_cli, abc, tmp_path):
    assert run_cli("scan", str(abc)).returncode == 0
    out = tmp_path / "r.json"
    proc = run_cli("report", str(abc / "x1"), str(abc / "b" / "x2"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["totals"]["files"] == 2
    assert doc["duplicates"]["groups"] == 1 and doc["duplicates"]["duplicate_files"] == 1
