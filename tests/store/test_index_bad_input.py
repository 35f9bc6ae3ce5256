"""Bad input while finding duplicates: unreadable and changing files, cancel, very long paths."""

import json
import os
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from app.core.progress import Cancelled, Progress
from app.jobs.duplicates import find_duplicates
from app.store import open_database
from tests.conftest import ROOT


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "t"
    root.mkdir()
    for i in range(4):
        (root / f"same{i}.bin").write_bytes(b"A" * 20000)
    (root / "other1").write_bytes(b"B" * 300)
    (root / "other2").write_bytes(b"B" * 300)
    return root


NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _python_for_nobody() -> str:
    """An interpreter of this Python version the unprivileged user may run (a virtualenv made
    from a Python under /root is not one: its worker processes could not start)."""
    for python in (sys.executable, f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"):
        probe = subprocess.run([*NOBODY, python, "-c", "import subprocess, sys; "
                                "subprocess.run([sys.executable, '-c', 'pass'], check=True)"],
                               capture_output=True, cwd="/")
        if probe.returncode == 0:
            return python
    pytest.skip("no Python this test could run as an unprivileged user")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="root runs the command as an unprivileged user (root reads every file)")
def test_unreadable_file_is_reported_once_rest_continues(tree):
    """As a user who may not read one copy: it is reported once, the other copies still group."""
    shared = Path(tempfile.mkdtemp(prefix="fo-unreadable-"))
    try:
        shared.chmod(0o777)
        work = shared / "t"
        shutil.copytree(tree, work)
        locked = work / "same0.bin"
        locked.chmod(0o000)
        for p in [work, *work.iterdir()]:
            if p != locked:
                p.chmod(0o755 if p.is_dir() else 0o644)
        python = _python_for_nobody()
        env = {**os.environ, "FILEORGANIZER_HOME": str(shared / "home"),
               "PYTHONPATH": os.pathsep.join([str(ROOT), *site.getsitepackages()])}
        proc = subprocess.run([*NOBODY, python, "-m", "app.cli", "dupes", str(work), "--format", "json"],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
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
