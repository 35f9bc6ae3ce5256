"""Bad input during a walk: unreadable folders (as a real unprivileged user), vanishing entries."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from app.core.scan import walk as walk_mod
from app.core.scan.walk import walk

ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534

WALKER = """
import json, sys
from app.core.scan.walk import walk
errors = []
recs = [r.path for b in walk([sys.argv[1]], on_error=lambda p, r: errors.append([p, r])) for r in b]
print(json.dumps({"files": sorted(recs), "errors": errors}))
"""


@pytest.fixture
def shared_tmp():
    """A temp folder an unprivileged user can enter (pytest's own tmp is root-only)."""
    path = Path(tempfile.mkdtemp(prefix="fo-walk-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    for d, dirs, _ in os.walk(path):
        for name in dirs:
            os.chmod(os.path.join(d, name), 0o755)
    shutil.rmtree(path)


@pytest.mark.skipif(not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("setpriv")),
                    reason="needs root and setpriv (POSIX) to drop privileges")
def test_unreadable_folder_as_unprivileged_user(shared_tmp):
    # the engine's pure-Python walk, copied where the unprivileged user can import it
    code = shared_tmp / "code"
    (code / "app").mkdir(parents=True)
    shutil.copy(ROOT / "app" / "__init__.py", code / "app")
    shutil.copytree(ROOT / "app" / "core", code / "app" / "core",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "app" / "platform", code / "app" / "platform",
                    ignore=shutil.ignore_patterns("__pycache__"))
    import blake3  # the walk may hash small files as it goes

    shutil.copytree(Path(blake3.__file__).parent, code / "blake3",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for d, _dirs, files in os.walk(code):
        os.chmod(d, 0o755)
        for f in files:
            os.chmod(os.path.join(d, f), 0o644)
    tree = shared_tmp / "tree"
    (tree / "open").mkdir(parents=True)
    (tree / "open" / "a.txt").write_text("a")
    (tree / "locked").mkdir()
    (tree / "locked" / "secret.txt").write_text("s")
    (tree / "noexec").mkdir()
    (tree / "noexec" / "x.txt").write_text("x")
    (tree / "b.txt").write_text("b")
    for d in (tree, tree / "open"):
        d.chmod(0o755)
    (tree / "locked").chmod(0o000)
    (tree / "noexec").chmod(0o644)            # listable, but entries cannot be stat'ed
    # an interpreter outside root's home (pyenv lives under /root, which nobody may not enter)
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    proc = subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", python, "-S",
         "-c", WALKER, str(tree)],
        capture_output=True, text=True, env={"PYTHONPATH": str(code), "PATH": os.environ["PATH"]},
        cwd=shared_tmp, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["files"] == [str(tree / "b.txt"), str(tree / "open" / "a.txt")]
    reasons = {p: r for p, r in out["errors"]}
    assert reasons[str(tree / "locked")] == "permission denied"
    assert reasons[str(tree / "noexec" / "x.txt")] == "permission denied"
    assert len(out["errors"]) == 2             # each problem once


def test_entries_vanishing_mid_walk(tmp_path, monkeypatch):
    (tmp_path / "gone_dir").mkdir()
    (tmp_path / "gone_dir" / "f").write_text("x")
    (tmp_path / "gone.txt").write_text("x")
    (tmp_path / "stays.txt").write_text("x")
    real_scandir = os.scandir

    def scandir_then_delete(path):
        entries = list(real_scandir(path))       # listed first ...
        if path == str(tmp_path):                 # ... then removed before being stat'ed or entered
            os.remove(tmp_path / "gone.txt")
            shutil.rmtree(tmp_path / "gone_dir")

        return _ListIter(entries)

    monkeypatch.setattr(walk_mod.os, "scandir", scandir_then_delete)
    errors = []
    recs = [r.path for b in walk([tmp_path], on_error=lambda p, r: errors.append((p, r))) for r in b]
    assert recs == [str(tmp_path / "stays.txt")]
    assert sorted(errors) == [(str(tmp_path / "gone.txt"), "vanished during scan"),
                              (str(tmp_path / "gone_dir"), "vanished during scan")]


class _ListIter:
    """A scandir iterator over a list taken earlier (its entries may be gone now)."""

    def __init__(self, entries):
        self._it = iter(entries)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._it)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
