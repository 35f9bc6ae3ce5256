"""app/platform's small interfaces, each on the real OS: the lock file, the no-replace rename,
the trash choice. (open_for_writing: tests/core/test_watch_names.py; autostart:
tests/gui/test_autostart.py; identity and CPUs: tests/test_platform_identity.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.platform import filelock, rename, trash

ROOT = Path(__file__).resolve().parents[1]
OTHER_PROCESS = """
import os, sys
from app.platform.filelock import try_lock
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
print(try_lock(fd))
"""


def try_lock_elsewhere(path: Path) -> bool:
    proc = subprocess.run([sys.executable, "-c", OTHER_PROCESS, str(path)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, check=True)
    return proc.stdout.strip() == "True"


def test_a_lock_keeps_other_processes_out_until_its_file_is_closed(tmp_path):
    path = tmp_path / "run.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        assert filelock.try_lock(fd)
        assert not try_lock_elsewhere(path)
    finally:
        os.close(fd)
    assert try_lock_elsewhere(path)                 # closing released it
    fd = os.open(path, os.O_RDWR)
    try:
        assert filelock.lock(fd)                    # nobody holds it: no wait
    finally:
        os.close(fd)


def test_rename_exclusive_never_replaces_a_file(tmp_path):
    src, dst = tmp_path / "a", tmp_path / "b"
    src.write_text("new")
    dst.write_text("old")
    try:
        outcome = rename.rename_exclusive(str(src), str(dst))     # False: no such call here
    except FileExistsError:
        outcome = "refused"
    assert outcome in ("refused", False)
    assert dst.read_text() == "old" and src.read_text() == "new"
    free = tmp_path / "c"
    moved = rename.rename_exclusive(str(src), str(free))
    assert (free.exists(), src.exists()) == ((True, False) if moved else (False, True))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_linux_refuses_through_the_atomic_call(tmp_path):
    assert rename._native_rename is not None
    (tmp_path / "a").write_text("new")
    (tmp_path / "b").write_text("old")
    with pytest.raises(FileExistsError):
        rename.rename_exclusive(str(tmp_path / "a"), str(tmp_path / "b"))


def test_the_freedesktop_trash_is_chosen_only_with_a_user_id(tmp_path):
    expected = os.name == "posix" and sys.platform != "darwin" and hasattr(os, "getuid")
    assert trash.FREEDESKTOP is expected
    if expected:                                     # the id its folders are named after is ours
        mine = tmp_path / "mine"
        mine.write_text("x")
        assert trash.user_id() == mine.stat().st_uid
