"""Faults with real file systems: a full disk, read-only destinations and folders, too-long names.

Each bad file gets a clear reason, the source stays intact, no temporary name is left,
and the rest of the run continues. Mounts need root (CI runs as root); otherwise skipped.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import pytest

from app.core.ops import trash
from app.core.ops.execute import DONE, FAILED, execute
from app.core.ops.plan import FileState, Operation, OpKind, Plan
from app.jobs.undo import undo
from app.store.db import open_database
from app.store.journal import JournalStore


@pytest.fixture
def store(app_home, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    db = open_database()
    yield JournalStore(db)
    db.close()


@contextlib.contextmanager
def mounted(target: Path, *args: str):
    target.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount here: {proc.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def put(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def move(src: Path, dst: Path) -> Operation:
    return Operation(OpKind.MOVE, str(src), str(dst), expect=FileState.of(str(src)))


def leftovers(folder: Path) -> list[str]:
    return [n for _d, _s, names in os.walk(folder) for n in names if n.startswith(".fo-")]


def test_destination_disk_full(tmp_path, store):
    big = put(tmp_path / "src" / "big.bin", os.urandom(2 << 20))
    small = put(tmp_path / "src" / "small.txt", b"fits")
    data = big.read_bytes()
    with mounted(tmp_path / "full", "-t", "tmpfs", "-o", "size=1m", "tmpfs") as full:
        result = execute(Plan("organizer", [move(big, full / "big.bin"), move(small, full / "small.txt")]),
                         store)
        states = {Path(r.op.src).name: (r.state, r.error) for r in result.records}
        assert states["big.bin"][0] == FAILED and "disk is full" in states["big.bin"][1]
        assert states["small.txt"] == (DONE, None)
        assert big.read_bytes() == data and not (full / "big.bin").exists()
        assert leftovers(full) == []
        assert (full / "small.txt").read_bytes() == b"fits"


def test_read_only_destination(tmp_path, store):
    a = put(tmp_path / "src" / "a.txt", b"a")
    with mounted(tmp_path / "ro", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs") as ro:
        result = execute(Plan("organizer", [move(a, ro / "a.txt"),
                                            Operation(OpKind.COPY, str(a), str(ro / "b.txt"),
                                                      expect=FileState.of(str(a)))]), store)
        assert [r.state for r in result.records] == [FAILED, FAILED]
        assert all("read-only" in r.error for r in result.records)
        assert a.read_bytes() == b"a"


def test_read_only_source_folder_same_and_cross_device(tmp_path, store):
    folder = tmp_path / "locked"
    one = put(folder / "one.txt", b"1")
    two = put(folder / "two.txt", b"2")
    elsewhere = put(tmp_path / "free" / "three.txt", b"3")
    with mounted(tmp_path / "locked-ro", "--bind", str(folder)) as ro:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], check=True)
        shm = Path(os.path.realpath("/dev/shm")) / f"fo-faults-{os.getpid()}"
        try:
            result = execute(Plan("organizer", [
                move(ro / "one.txt", tmp_path / "out" / "one.txt"),     # another mount: copy, then
                move(ro / "two.txt", shm / "two.txt"),                  # the source cannot go
                move(elsewhere, tmp_path / "out" / "three.txt"),
            ]), store)
            assert [r.state for r in result.records] == [FAILED, FAILED, DONE]
            assert all("read-only" in r.error for r in result.records[:2])
            assert one.read_bytes() == b"1" and two.read_bytes() == b"2"
            assert not (tmp_path / "out" / "one.txt").exists() and not (shm / "two.txt").exists()
            assert leftovers(tmp_path / "out") == [] and (not shm.exists() or leftovers(shm) == [])
        finally:
            import shutil
            shutil.rmtree(shm, ignore_errors=True)


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="moves across devices to /dev/shm (Linux)")
def test_read_only_file_moves_and_keeps_its_mode_across_devices(tmp_path, store):
    f = put(tmp_path / "ro-file.txt", b"keep me")
    os.chmod(f, 0o444)
    shm = Path(os.path.realpath("/dev/shm")) / f"fo-rofile-{os.getpid()}"
    try:
        result = execute(Plan("organizer", [move(f, shm / "ro-file.txt")]), store)
        assert result.done == 1
        assert os.stat(shm / "ro-file.txt").st_mode & 0o777 == 0o444
        undo(store.db)
        assert f.read_bytes() == b"keep me" and os.stat(f).st_mode & 0o777 == 0o444
    finally:
        import shutil
        shutil.rmtree(shm, ignore_errors=True)


def test_too_long_names_and_paths_are_reported(tmp_path, store):
    a, b = put(tmp_path / "a.txt", b"a"), put(tmp_path / "b.txt", b"b")
    c = put(tmp_path / "c.txt", b"c")
    deep = tmp_path.joinpath(*(["d" * 200] * 25)) / "b.txt"      # > PATH_MAX
    result = execute(Plan("organizer", [move(a, tmp_path / ("n" * 300)), move(b, deep),
                                        move(c, tmp_path / "ok" / "c.txt")]), store)
    assert [r.state for r in result.records] == [FAILED, FAILED, DONE]
    assert all("too long" in r.error for r in result.records[:2])
    assert a.exists() and b.exists()


@pytest.mark.skipif(not trash.FREEDESKTOP, reason="freedesktop trash only: send2trash finds its own trash")
def test_trash_with_no_usable_trash_fails_clearly(tmp_path, store, monkeypatch):
    f = put(tmp_path / "f.txt", b"x")
    bad = tmp_path / "xdg" / "Trash"
    bad.parent.mkdir(parents=True)
    bad.write_text("not a folder")                       # the home trash is unusable
    result = execute(Plan("duplicates", [Operation(OpKind.TRASH, str(f), expect=FileState.of(str(f)))]),
                     store)
    assert result.failed == 1 and f.exists()
    assert "is not a folder" in result.problems[0][1]


@contextlib.contextmanager
def immutable(path: Path):
    """Lock a file the way Linux can for root too: the immutable attribute (chattr +i)."""
    proc = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"chattr +i not possible here: {proc.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)


def test_locked_files_are_reported_and_the_rest_continues(tmp_path, store):
    locked = put(tmp_path / "src" / "locked.txt", b"L")
    keep = put(tmp_path / "src" / "keep.txt", b"L")
    free = put(tmp_path / "src" / "free.txt", b"F")
    with immutable(locked):
        from app.core.ops.fileops import file_hash
        result = execute(Plan("duplicates", [
            move(locked, tmp_path / "out" / "locked.txt"),
            Operation(OpKind.TRASH, str(locked), keep=str(keep), keep_hash=file_hash(str(keep)),
                      expect=FileState.of(str(locked))),
            Operation(OpKind.HARDLINK, str(locked), keep=str(keep), keep_hash=file_hash(str(keep)),
                      expect=FileState.of(str(locked))),
            move(free, tmp_path / "out" / "free.txt"),
        ]), store)
        assert [r.state for r in result.records] == [FAILED, FAILED, FAILED, DONE]
        assert all("not permitted" in r.error for r in result.records[:3])
        assert locked.read_bytes() == b"L" and not (tmp_path / "out" / "locked.txt").exists()
        assert leftovers(tmp_path) == []
        trash_files = tmp_path / "xdg" / "Trash" / "files"
        assert not trash_files.exists() or os.listdir(trash_files) == []
        info = tmp_path / "xdg" / "Trash" / "info"
        assert not info.exists() or os.listdir(info) == []
