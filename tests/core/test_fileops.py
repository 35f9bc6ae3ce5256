"""Safe primitives: no-overwrite rename, verified cross-device copy, link replacement through a temp name."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from app.core.ops import fileops


@pytest.fixture
def other_fs(tmp_path):
    """A folder on another file system than tmp_path (/dev/shm)."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system at /dev/shm")
    folder = Path(os.path.realpath(shm)) / f"fo-fileops-{os.getpid()}-{tmp_path.name}"
    folder.mkdir()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_rename_noreplace_refuses_an_existing_target(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("A")
    b.write_text("B")
    with pytest.raises(FileExistsError):
        fileops.rename_noreplace(str(a), str(b))
    assert a.read_text() == "A" and b.read_text() == "B"
    fileops.rename_noreplace(str(a), str(tmp_path / "c"))
    assert (tmp_path / "c").read_text() == "A" and not a.exists()


def test_rename_noreplace_reports_cross_device(tmp_path, other_fs):
    a = tmp_path / "a"
    a.write_text("A")
    with pytest.raises(OSError) as info:
        fileops.rename_noreplace(str(a), str(other_fs / "a"))
    assert info.value.errno == errno.EXDEV


def test_cross_device_move_verifies_and_keeps_metadata(tmp_path, other_fs):
    src = tmp_path / "f.bin"
    src.write_bytes(os.urandom(2 << 20) + b"tail")
    os.chmod(src, 0o604)
    os.utime(src, ns=(1_000_000_000_000_000_001, 1_100_000_000_000_000_003))
    st = os.lstat(src)
    data = src.read_bytes()
    tmp = other_fs / ".fo-x-0.tmp"
    assert fileops.move_file(str(src), str(other_fs / "f.bin"), str(tmp), st) is True
    out = other_fs / "f.bin"
    assert out.read_bytes() == data and not src.exists() and not tmp.exists()
    ost = os.lstat(out)
    assert (ost.st_mode, ost.st_mtime_ns) == (st.st_mode, st.st_mtime_ns)


def test_cross_device_move_never_overwrites_and_leaves_no_temp(tmp_path, other_fs):
    src = tmp_path / "f"
    src.write_text("new")
    (other_fs / "f").write_text("old")
    tmp = other_fs / ".fo-x-1.tmp"
    with pytest.raises(FileExistsError):
        fileops.move_file(str(src), str(other_fs / "f"), str(tmp), os.lstat(src))
    assert src.read_text() == "new" and (other_fs / "f").read_text() == "old" and not tmp.exists()


def test_copy_of_a_symlink_stays_a_symlink(tmp_path, other_fs):
    link = tmp_path / "l"
    link.symlink_to("target-somewhere")
    fileops.move_file(str(link), str(other_fs / "l"), str(other_fs / ".t"), os.lstat(link))
    # still a link, re-pointed so that it names the same target from its new folder
    moved = os.readlink(other_fs / "l")
    assert os.path.normpath(os.path.join(other_fs, moved)) == str(tmp_path / "target-somewhere")
    assert not os.path.lexists(link)


def test_copy_detects_a_source_that_changes_during_the_copy(tmp_path, monkeypatch):
    src = tmp_path / "f"
    src.write_bytes(b"x" * 100)
    st = os.lstat(src)
    src.write_bytes(b"y" * 101)          # the stat we pass is from "before"
    with pytest.raises(fileops.FileOpError):
        fileops.copy_verified(str(src), str(tmp_path / "t"), st)
    assert not (tmp_path / "t").exists()


def test_copy_verification_failure_removes_the_temp(tmp_path, monkeypatch):
    src = tmp_path / "f"
    src.write_bytes(b"data")
    monkeypatch.setattr(fileops, "file_hash", lambda path: "0" * 64)   # simulate a corrupt write
    with pytest.raises(fileops.FileOpError, match="verification"):
        fileops.copy_verified(str(src), str(tmp_path / "t"), os.lstat(src))
    assert not (tmp_path / "t").exists() and src.read_bytes() == b"data"


def test_hardlink_replacement_across_devices_leaves_the_original(tmp_path, other_fs):
    keep, dup = other_fs / "keep", tmp_path / "dup"
    keep.write_text("same")
    dup.write_text("same")
    with pytest.raises(OSError) as info:
        fileops.replace_with_link(str(dup), str(keep), str(tmp_path / ".t"), symbolic=False)
    assert info.value.errno == errno.EXDEV
    assert dup.read_text() == "same" and not dup.is_symlink() and not (tmp_path / ".t").exists()


def test_link_replacement_failure_keeps_original_and_removes_temp(tmp_path, monkeypatch):
    keep, dup = tmp_path / "keep", tmp_path / "dup"
    keep.write_text("same")
    dup.write_text("same")

    def broken_replace(a, b):
        raise OSError(errno.EIO, "simulated failure")

    monkeypatch.setattr(fileops.os, "replace", broken_replace)
    with pytest.raises(OSError):
        fileops.replace_with_link(str(dup), str(keep), str(tmp_path / ".t"), symbolic=True)
    monkeypatch.undo()
    assert dup.read_text() == "same" and not dup.is_symlink() and not os.path.lexists(tmp_path / ".t")


def test_link_and_restore_round_trip(tmp_path):
    keep, dup = tmp_path / "keep", tmp_path / "dup"
    keep.write_text("same")
    dup.write_text("same")
    os.utime(dup, ns=(1, 1_234_567_890_000_000_000))
    mtime = os.lstat(dup).st_mtime_ns
    fileops.replace_with_link(str(dup), str(keep), str(tmp_path / ".t"), symbolic=False)
    assert os.path.samefile(dup, keep) and fileops.is_link_to(str(dup), str(keep))
    fileops.restore_from_link(str(dup), str(keep), str(tmp_path / ".t"), mtime)
    assert not os.path.samefile(dup, keep) and dup.read_text() == "same"
    assert os.lstat(dup).st_mtime_ns == mtime
    fileops.replace_with_link(str(dup), str(keep), str(tmp_path / ".t"), symbolic=True)
    assert dup.is_symlink() and fileops.is_link_to(str(dup), str(keep))


def test_make_parents_reports_created_folders(tmp_path):
    made = fileops.make_parents(str(tmp_path / "a" / "b" / "c" / "file"))
    assert made == [str(tmp_path / "a"), str(tmp_path / "a" / "b"), str(tmp_path / "a" / "b" / "c")]
    assert fileops.make_parents(str(tmp_path / "a" / "b" / "c" / "other")) == []


def test_file_hash_is_blake3_of_the_bytes(tmp_path):
    import blake3
    f = tmp_path / "f"
    f.write_bytes(b"hello" * 300_000)
    assert fileops.file_hash(str(f)) == blake3.blake3(b"hello" * 300_000).hexdigest()


def test_a_moved_relative_link_still_points_at_its_target(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.txt").write_text("target")
    (tmp_path / "a" / "b").mkdir(parents=True)
    link = tmp_path / "a" / "b" / "l.txt"
    link.symlink_to("../../data/t.txt")
    dst = tmp_path / "sorted" / "l.txt"
    dst.parent.mkdir()
    assert fileops.move_file(str(link), str(dst), str(tmp_path / "sorted" / ".t"), os.lstat(link)) is False
    assert dst.is_symlink() and dst.read_text() == "target" and os.readlink(dst) == "../data/t.txt"
    assert not os.path.lexists(link) and not (tmp_path / "sorted" / ".t").exists()
    # and back (as undo moves it): the original spelling again
    fileops.move_file(str(dst), str(link), str(link.parent / ".t"), os.lstat(dst))
    assert os.readlink(link) == "../../data/t.txt" and link.read_text() == "target"
    # a link never replaces a file that is there
    dst.write_text("other")
    with pytest.raises(FileExistsError):
        fileops.move_file(str(link), str(dst), str(tmp_path / "sorted" / ".t"), os.lstat(link))
    assert link.is_symlink() and dst.read_text() == "other" and not (tmp_path / "sorted" / ".t").exists()
