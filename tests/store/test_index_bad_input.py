"""Bad input while finding duplicates: unreadable and changing files, cancel, very long paths."""

import json
import shutil

import pytest

from app.core.progress import Cancelled, Progress
from app.jobs.duplicates import find_duplicates
from app.store import open_database


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "t"
    root.mkdir()
    for i in range(4):
        (root / f"same{i}.bin").write_bytes(b"A" * 20000)
    (root / "other1").write_bytes(b"B" * 300)
    (root / "other2").write_bytes(b"B" * 300)
    return root


def test_unreadable_file_is_reported_once_rest_continues(tree, tmp_path_factory):
    """As a user who may not read one copy: it is reported once, the other copies still group."""
    from tests.cli.unprivileged import run_as_nobody, shared_dir, skip_unless_possible

    python = skip_unless_possible()
    shared = shared_dir(tmp_path_factory)
    try:
        work = shared / "t"
        shutil.copytree(tree, work)
        locked = work / "same0.bin"
        locked.chmod(0o000)
        for p in [work, *work.iterdir()]:
            if p != locked:
                p.chmod(0o755 if p.is_dir() else 0o644)
        proc = run_as_nobody(python, shared, "dupes", str(work), "--format", "json")
        assert proc.returncode == 1, proc.stderr                # done, with a per-file problem
        out = json.loads(proc.stdout)
        assert sorted((g["size"], len(g["files"])) for g in out["groups"]) == [(300, 2), (20000, 3)]
        assert out["summary"]["errors"] == 1
        assert proc.stderr.count(str(locked)) == 1 and "permission denied" in proc.stderr
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def test_file_changed_after_scan_is_not_grouped(app_home, tree, monkeypatch):
    from app.jobs import duplicates as job
    real_scan = job.scan

    def scan_then_change(*a, **kw):
        result = real_scan(*a, **kw)
        with open(tree / "same1.bin", "ab") as fh:       # grows after the scan saw it
            fh.write(b"more")
        return result

    monkeypatch.setattr(job, "scan", scan_then_change)
    db = open_database()
    res = find_duplicates(db, [str(tree)], progress=Progress())
    big = [g for g in res.groups if g.size == 20000][0]
    assert str(tree / "same1.bin") not in [f.path for f in big.files]
    assert (str(tree / "same1.bin"), "changed since scan") in res.errors
    db.close()


def test_cancel_stops_and_keeps_the_index_usable(app_home, tree):
    db = open_database()
    progress = Progress()
    seen = []

    def listener(snap):
        seen.append(snap.stage)
        if snap.stage == "compare":
            progress.cancel()

    progress.listener = listener
    with pytest.raises(Cancelled):
        find_duplicates(db, [str(tree)], progress=progress)
    res = find_duplicates(db, [str(tree)], progress=Progress())
    assert sorted(g.copies for g in res.groups) == [2, 4]
    db.close()


def test_long_paths_are_indexed_and_grouped(app_home, tmp_path):
    root = tmp_path / "t"
    deep = root
    for i in range(12):
        deep = deep / (f"{i:02d}" + "é" * 120)         # ~3,000 bytes of path, multi-byte names
    deep.mkdir(parents=True)
    (deep / "a.txt").write_bytes(b"long" * 10)
    (root / "b.txt").write_bytes(b"long" * 10)
    db = open_database()
    res = find_duplicates(db, [str(root)], progress=Progress())
    (g,) = res.groups
    assert str(deep / "a.txt") in [f.path for f in g.files]
    db.close()
