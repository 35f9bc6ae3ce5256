"""Our freedesktop.org trash: home trash, a mount's $topdir/.Trash-$uid, info files, restore."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.core.ops import trash

pytestmark = pytest.mark.skipif(not trash.FREEDESKTOP, reason="freedesktop trash is Linux/BSD only")


@pytest.fixture
def xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "Trash"


def test_home_trash_slot_info_and_restore(tmp_path, xdg):
    f = tmp_path / "report 100%.txt"
    f.write_text("data")
    slot = trash.TrashLocator().slot_for(str(f), None, "u1")
    assert slot.trash_dir == str(xdg) and slot.topdir is None and slot.name == f.name
    trash.trash_to_slot(str(f), slot)
    assert not f.exists() and Path(slot.file_path).read_text() == "data"
    info = Path(slot.info_path).read_text()
    assert info.startswith("[Trash Info]\nPath=") and "report%20100%25.txt" in info
    assert "DeletionDate=" in info
    assert trash.info_original(slot) == str(f)
    trash.restore_slot(slot, str(f))
    assert f.read_text() == "data" and not os.path.exists(slot.info_path)


def test_name_collisions_get_unique_slots(tmp_path, xdg):
    locator = trash.TrashLocator()
    a, b = tmp_path / "a" / "same.txt", tmp_path / "b" / "same.txt"
    for p in (a, b):
        p.parent.mkdir()
        p.write_text(str(p))
    s1 = locator.slot_for(str(a), None, "r-1")
    s2 = locator.slot_for(str(b), None, "r-2")       # claimed in this run already
    assert s1.name == "same.txt" and s2.name == "same.txt.r-2"
    trash.trash_to_slot(str(a), s1)
    s3 = trash.TrashLocator().slot_for(str(b), None, "r-3")   # taken on disk
    assert s3.name == "same.txt.r-3"
    trash.trash_to_slot(str(b), s3)
    assert Path(s1.file_path).read_text() == str(a) and Path(s3.file_path).read_text() == str(b)


def test_undecodable_and_long_names(tmp_path, xdg):
    odd = os.fsdecode(b"caf\xe9 \xff.txt")
    f = tmp_path / odd
    f.write_text("x")
    slot = trash.TrashLocator().slot_for(str(f), None, "u")
    trash.trash_to_slot(str(f), slot)
    assert b"caf%E9%20%FF.txt" in Path(slot.info_path).read_bytes()
    assert trash.info_original(slot) == str(f)
    long_name = "n" * 250
    g = tmp_path / long_name
    g.write_text("y")
    (Path(slot.trash_dir) / "files" / long_name).write_text("occupied")
    slot2 = trash.TrashLocator().slot_for(str(g), None, "abcdefgh-12")
    assert len(os.fsencode(slot2.name + ".trashinfo")) <= 255
    trash.trash_to_slot(str(g), slot2)
    assert Path(slot2.file_path).read_text() == "y"


def test_other_mount_uses_topdir_trash(tmp_path, xdg):
    shm = Path(os.path.realpath("/dev/shm"))
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system at /dev/shm")
    folder = shm / f"fo-trash-{os.getpid()}"
    folder.mkdir()
    user_trash = shm / f".Trash-{os.getuid()}"
    existed = user_trash.exists()
    try:
        f = folder / "on-shm.txt"
        f.write_text("shm")
        slot = trash.TrashLocator().slot_for(str(f), None, "u")
        assert slot.trash_dir == str(user_trash) and slot.topdir == str(shm)
        trash.trash_to_slot(str(f), slot)
        assert Path(slot.file_path).read_text() == "shm" and not f.exists()
        assert f"Path={folder.name}/on-shm.txt" in Path(slot.info_path).read_text()   # relative to topdir
        assert oct(os.stat(user_trash).st_mode & 0o777) == "0o700"
        assert trash.info_original(slot) == str(f)
        trash.restore_slot(slot, str(f))
        assert f.read_text() == "shm"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if not existed:
            shutil.rmtree(user_trash, ignore_errors=True)


def test_restore_never_overwrites(tmp_path, xdg):
    f = tmp_path / "f"
    f.write_text("old")
    slot = trash.TrashLocator().slot_for(str(f), None, "u")
    trash.trash_to_slot(str(f), slot)
    f.write_text("new one")
    with pytest.raises(FileExistsError):
        trash.restore_slot(slot, str(f))
    assert f.read_text() == "new one" and Path(slot.file_path).read_text() == "old"


def test_failed_trash_removes_its_info_file(tmp_path, xdg):
    f = tmp_path / "f"
    f.write_text("x")
    slot = trash.TrashLocator().slot_for(str(f), None, "u")
    f.unlink()                                   # vanished between planning and acting
    with pytest.raises(FileNotFoundError):
        trash.trash_to_slot(str(f), slot)
    assert not os.path.exists(slot.info_path)
