"""The workers walk a tree in pieces of bounded size and hand back the folders they did not reach
(jobs.scan._walk_with, core.scan.walk.walk_subtrees): every file is indexed once, whatever the
tree's shape, a rescan keeps the stored rows, and a folder bind-mounted inside itself is listed
at most twice."""

import os
import shutil
import subprocess

import pytest

from app.core.progress import Progress
from app.jobs import scan as scan_job
from app.jobs.duplicates import find_duplicates
from app.jobs.scan import scan
from app.jobs.workers import WorkerPool


def indexed_paths(db) -> list[str]:
    conn = db.raw()
    try:
        return sorted(os.path.join(d, n) for d, n in conn.execute(
            "SELECT d.path, f.name FROM files f JOIN dirs d ON d.id = f.dir_id"))
    finally:
        conn.close()


def disk_paths(root) -> list[str]:
    return sorted(os.path.join(d, n) for d, _dirs, files in os.walk(root) for n in files)


@pytest.fixture(scope="module")
def pool():
    with WorkerPool() as workers:
        yield workers


def test_small_pieces_index_every_file_once_and_find_the_groups(db, make_corpus, pool, monkeypatch):
    root, manifest = make_corpus(1500, seed=11)
    monkeypatch.setattr(scan_job, "PIECE_FILES", 40)       # many leftovers handed out again
    result = find_duplicates(db, [str(root)], progress=Progress(), pool=pool)
    assert indexed_paths(db) == disk_paths(root)
    found = sorted(sorted(os.path.relpath(f.path, root) for f in g.files if not f.path.endswith(".lnk"))
                   for g in result.groups)
    assert found == manifest["duplicate_groups"]
    again = scan(db, [str(root)], progress=Progress(), pool=pool)
    assert again.counts.new == 0 and again.counts.removed == 0 and again.counts.changed == 0


def test_a_deep_chain_and_a_wide_folder(db, tmp_path, pool, monkeypatch):
    root = tmp_path / "tree"
    deep = root / "deep"
    for level in range(60):
        deep = deep / f"l{level}"
    deep.mkdir(parents=True)
    (deep / "bottom.txt").write_text("at the bottom")
    wide = root / "wide"
    for i in range(300):
        (wide / f"d{i:03}").mkdir(parents=True)
        (wide / f"d{i:03}" / "f.txt").write_text(str(i))
    monkeypatch.setattr(scan_job, "PIECE_FILES", 7)
    result = scan(db, [str(root)], progress=Progress(), pool=pool)
    assert indexed_paths(db) == disk_paths(root)
    assert result.counts.files == 301


@pytest.mark.skipif(not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount")),
                    reason="needs root to bind-mount a folder inside itself")
def test_a_folder_bind_mounted_inside_itself(db, tmp_path, pool, monkeypatch):
    root = tmp_path / "looped"
    (root / "a" / "inside").mkdir(parents=True)
    for i in range(30):
        (root / "a" / f"f{i}.txt").write_text(str(i))
    loop = root / "a" / "inside" / "again"
    loop.mkdir()
    if subprocess.run(["mount", "--bind", str(root / "a"), str(loop)], capture_output=True).returncode:
        pytest.skip("bind mounts are not allowed here")
    try:
        monkeypatch.setattr(scan_job, "PIECE_FILES", 5)
        result = scan(db, [str(root)], progress=Progress(), pool=pool)
    finally:
        subprocess.run(["umount", str(loop)], check=True)
    # the folder is listed once or, when two workers reach it at the same moment, twice: never more
    assert 30 <= result.counts.files <= 60
