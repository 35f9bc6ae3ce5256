"""Every row of the decision table in core.ops.recover: an unconfirmed operation decided from the disk."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.core.ops import fileops, trash
from app.core.ops.execute import DONE, FAILED, SKIPPED, JournalRecord
from app.core.ops.plan import FileState, Operation, OpKind
from app.core.ops.recover import recover_record


def put(path: Path, data: str = "content") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data)
    return path


def rec(kind: OpKind, src: Path, dst: Path | None = None, tmp: Path | None = None, keep: Path | None = None,
        expect: FileState | None = None, extra: dict | None = None) -> JournalRecord:
    op = Operation(kind, str(src), str(dst) if dst else None, expect=expect,
                   keep=str(keep) if keep else None)
    return JournalRecord(0, op, str(tmp) if tmp else None, extra=extra or {})


def state_of(p: Path) -> FileState:
    return FileState.of(str(p))


# --- MOVE / RENAME / RESTORE --------------------------------------------------------------------

@pytest.mark.parametrize("kind", [OpKind.MOVE, OpKind.RENAME])
def test_move_row1_half_copy_is_removed(tmp_path, kind):
    src, dst, tmp = put(tmp_path / "a"), tmp_path / "d" / "a", put(tmp_path / "d" / ".tmp", "cont")
    r = recover_record(rec(kind, src, dst, tmp, expect=state_of(src)))
    assert r.state == SKIPPED and src.exists() and not tmp.exists() and not dst.exists()


def test_move_row2_already_moved_is_done(tmp_path):
    src = put(tmp_path / "a")
    exp = state_of(src)
    dst = tmp_path / "b"
    src.rename(dst)
    assert recover_record(rec(OpKind.MOVE, src, dst, tmp_path / ".t", expect=exp)).state == DONE
    assert dst.read_text() == "content"


def test_move_row3_complete_temp_is_renamed_into_place(tmp_path):
    src = put(tmp_path / "a")
    exp = state_of(src)
    tmp = tmp_path / ".t"
    shutil.copy2(src, tmp)
    src.unlink()
    r = recover_record(rec(OpKind.MOVE, src, tmp_path / "b", tmp, expect=exp))
    assert r.state == DONE and (tmp_path / "b").read_text() == "content" and not tmp.exists()


def test_move_row4_link_fallback_half_way(tmp_path):
    src = put(tmp_path / "a")
    exp = state_of(src)
    os.link(src, tmp_path / "b")
    r = recover_record(rec(OpKind.MOVE, src, tmp_path / "b", tmp_path / ".t", expect=exp))
    assert r.state == DONE and not src.exists() and (tmp_path / "b").read_text() == "content"


def test_move_row5_verified_copy_in_place_source_not_yet_removed(tmp_path):
    src = put(tmp_path / "a")
    exp = state_of(src)
    fileops.copy_verified(str(src), str(tmp_path / "b"), os.lstat(src))     # keeps mtime
    r = recover_record(rec(OpKind.MOVE, src, tmp_path / "b", tmp_path / ".t", expect=exp))
    assert r.state == DONE and not src.exists() and (tmp_path / "b").read_text() == "content"


def test_move_row6_not_started(tmp_path):
    src = put(tmp_path / "a")
    r = recover_record(rec(OpKind.MOVE, src, tmp_path / "b", tmp_path / ".t", expect=state_of(src)))
    assert r.state == SKIPPED and "not run" in r.error and src.exists()


def test_move_row7_different_file_at_destination_is_left_alone(tmp_path):
    src, dst = put(tmp_path / "a", "mine"), put(tmp_path / "b", "theirs")
    r = recover_record(rec(OpKind.MOVE, src, dst, tmp_path / ".t", expect=state_of(src)))
    assert r.state == SKIPPED and src.read_text() == "mine" and dst.read_text() == "theirs"


def test_move_row7_same_bytes_but_other_mtime_is_not_taken_as_ours(tmp_path):
    src, dst = put(tmp_path / "a", "same"), put(tmp_path / "b", "same")
    os.utime(dst, ns=(1, 1))
    r = recover_record(rec(OpKind.MOVE, src, dst, tmp_path / ".t", expect=state_of(src)))
    assert r.state == SKIPPED and src.exists() and dst.exists()


def test_move_row8_file_at_neither_place_fails(tmp_path):
    r = recover_record(rec(OpKind.MOVE, tmp_path / "a", tmp_path / "b", tmp_path / ".t",
                           expect=FileState(7, 1, 1)))
    assert r.state == FAILED and "neither" in r.error


def test_restore_row2_done_and_info_removed(tmp_path):
    trash_dir = tmp_path / "Trash"
    trashed = put(trash_dir / "files" / "a")
    info = put(trash_dir / "info" / "a.trashinfo", "[Trash Info]\n")
    exp = state_of(trashed)
    original = tmp_path / "home" / "a"
    original.parent.mkdir()
    trashed.rename(original)
    assert recover_record(rec(OpKind.RESTORE, trashed, original, expect=exp)).state == DONE
    assert not info.exists() and original.exists()


# --- COPY ---------------------------------------------------------------------------------------

def test_copy_rows(tmp_path):
    src = put(tmp_path / "a")
    exp = state_of(src)
    tmp = put(tmp_path / ".t", "cont")
    r = recover_record(rec(OpKind.COPY, src, tmp_path / "b", tmp, expect=exp))
    assert r.state == SKIPPED and not tmp.exists()                                      # row 1
    fileops.copy_verified(str(src), str(tmp_path / "b"), os.lstat(src))
    assert recover_record(rec(OpKind.COPY, src, tmp_path / "b", tmp, expect=exp)).state == DONE   # row 2
    assert recover_record(rec(OpKind.COPY, src, tmp_path / "c", tmp, expect=exp)).state == SKIPPED  # row 3


# --- TRASH --------------------------------------------------------------------------------------

@pytest.fixture
def slot_for(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))

    def make(path: Path) -> trash.TrashSlot:
        return trash.TrashLocator().slot_for(str(path), None, "r-0")
    return make


def trash_rec(src: Path, slot: trash.TrashSlot, exp: FileState) -> JournalRecord:
    return rec(OpKind.TRASH, src, expect=exp, extra={"trash": slot.to_dict()})


@pytest.mark.skipif(not trash.FREEDESKTOP, reason="freedesktop trash only")
def test_trash_row1_done(tmp_path, slot_for):
    src = put(tmp_path / "a")
    exp, slot = state_of(src), slot_for(src)
    trash.trash_to_slot(str(src), slot)
    assert recover_record(trash_rec(src, slot, exp)).state == DONE


@pytest.mark.skipif(not trash.FREEDESKTOP, reason="freedesktop trash only")
def test_trash_row2_info_written_file_not_moved(tmp_path, slot_for):
    src = put(tmp_path / "a")
    exp, slot = state_of(src), slot_for(src)
    trash.trash_to_slot(str(src), slot)
    os.rename(slot.file_path, src)                    # as if the crash came between info and rename
    r = recover_record(trash_rec(src, slot, exp))
    assert r.state == SKIPPED and src.exists() and not os.path.exists(slot.info_path)


@pytest.mark.skipif(not trash.FREEDESKTOP, reason="freedesktop trash only")
def test_trash_row2_info_file_cut_short_by_the_crash(tmp_path, slot_for):
    src = put(tmp_path / "a")
    exp, slot = state_of(src), slot_for(src)
    put(Path(slot.info_path), "")                     # created, killed before its content was written
    r = recover_record(trash_rec(src, slot, exp))
    assert r.state == SKIPPED and src.exists() and not os.path.exists(slot.info_path)


@pytest.mark.skipif(not trash.FREEDESKTOP, reason="freedesktop trash only")
def test_trash_row3_slot_taken_by_another_file(tmp_path, slot_for):
    src = put(tmp_path / "a")
    exp, slot = state_of(src), slot_for(src)
    other = put(tmp_path / "x" / "a", "other")
    trash.trash_to_slot(str(other), slot)
    r = recover_record(trash_rec(src, slot, exp))
    assert r.state == SKIPPED and src.exists() and os.path.exists(slot.info_path)   # not ours: kept


@pytest.mark.skipif(not trash.FREEDESKTOP, reason="freedesktop trash only")
def test_trash_row4_file_gone_elsewhere(tmp_path, slot_for):
    src = put(tmp_path / "a")
    exp, slot = state_of(src), slot_for(src)
    trash.trash_to_slot(str(src), slot)
    os.unlink(slot.file_path)
    r = recover_record(trash_rec(src, slot, exp))
    assert r.state == FAILED and not os.path.exists(slot.info_path)


def test_platform_trash_and_delete_rows(tmp_path):
    src = put(tmp_path / "a")
    for kind in (OpKind.TRASH, OpKind.DELETE):
        assert recover_record(rec(kind, src)).state == SKIPPED
    src.unlink()
    for kind in (OpKind.TRASH, OpKind.DELETE):
        assert recover_record(rec(kind, src)).state == DONE


# --- HARDLINK / SYMLINK / UNLINK ----------------------------------------------------------------

@pytest.mark.parametrize("symbolic", [False, True])
def test_link_rows(tmp_path, symbolic):
    kind = OpKind.SYMLINK if symbolic else OpKind.HARDLINK
    keep, dup = put(tmp_path / "keep", "same"), put(tmp_path / "dup", "same")
    tmp = tmp_path / ".t"
    os.link(keep, tmp)
    r = recover_record(rec(kind, dup, tmp=tmp, keep=keep))
    assert r.state == SKIPPED and not tmp.exists() and not fileops.is_link_to(str(dup), str(keep))  # 1, 3
    fileops.replace_with_link(str(dup), str(keep), str(tmp), symbolic)
    assert recover_record(rec(kind, dup, tmp=tmp, keep=keep)).state == DONE                         # 2
    dup.unlink()
    assert recover_record(rec(kind, dup, tmp=tmp, keep=keep)).state == FAILED                       # 4


def test_unlink_rows(tmp_path):
    keep, dup = put(tmp_path / "keep", "same"), put(tmp_path / "dup", "same")
    exp = state_of(dup)
    fileops.replace_with_link(str(dup), str(keep), str(tmp_path / ".t"), symbolic=False)
    tmp = put(tmp_path / ".u", "sa")
    r = recover_record(rec(OpKind.UNLINK, dup, tmp=tmp, keep=keep, expect=exp))
    assert r.state == SKIPPED and not tmp.exists()                                     # rows 1, 2
    fileops.restore_from_link(str(dup), str(keep), str(tmp), exp.mtime_ns)
    assert recover_record(rec(OpKind.UNLINK, dup, tmp=tmp, keep=keep, expect=exp)).state == DONE  # 3
    dup.unlink()
    assert recover_record(rec(OpKind.UNLINK, dup, tmp=tmp, keep=keep, expect=exp)).state == FAILED  # 4


# --- MKDIR / RMDIR ------------------------------------------------------------------------------

def test_folder_rows(tmp_path):
    d = tmp_path / "d"
    assert recover_record(rec(OpKind.MKDIR, d, d)).state == SKIPPED
    assert recover_record(rec(OpKind.RMDIR, d)).state == DONE
    d.mkdir()
    assert recover_record(rec(OpKind.MKDIR, d, d)).state == DONE
    assert recover_record(rec(OpKind.RMDIR, d)).state == SKIPPED


def test_move_row5_source_that_cannot_be_removed_gets_its_copy_taken_back(tmp_path, monkeypatch):
    src = put(tmp_path / "a")
    exp = state_of(src)
    fileops.copy_verified(str(src), str(tmp_path / "b"), os.lstat(src))
    real_unlink = os.unlink

    def read_only_source(path, *a, **k):
        if str(path) == str(src):
            raise OSError(30, "Read-only file system", str(path))
        return real_unlink(path, *a, **k)

    monkeypatch.setattr(os, "unlink", read_only_source)
    r = recover_record(rec(OpKind.MOVE, src, tmp_path / "b", tmp_path / ".t", expect=exp))
    monkeypatch.undo()
    assert r.state == SKIPPED and src.read_text() == "content" and not (tmp_path / "b").exists()


def test_move_of_a_relative_link_interrupted_at_each_step(tmp_path):
    """A relative link is moved as a new, re-pointed link (tmp, renamed into place), then the old
    one is removed: whatever step the crash hit, recovery leaves exactly one working link."""
    target = put(tmp_path / "data" / "t.txt", "target")
    (tmp_path / "a").mkdir()
    (tmp_path / "sorted").mkdir()
    src, dst, tmp = tmp_path / "a" / "l.txt", tmp_path / "sorted" / "l.txt", tmp_path / "sorted" / ".t"

    def fresh():
        for p in (src, dst, tmp):
            if os.path.lexists(p):
                os.unlink(p)
        src.symlink_to("../data/t.txt")
        return rec(OpKind.MOVE, src, dst, tmp, expect=state_of(src))

    r = fresh()                                  # new link made at tmp only
    tmp.symlink_to("../data/t.txt")
    assert recover_record(r).state == SKIPPED and src.read_text() == "target" and not os.path.lexists(tmp)
    r = fresh()                                  # renamed into place, the old one not yet removed
    dst.symlink_to("../data/t.txt")
    assert recover_record(r).state == DONE and not os.path.lexists(src) and dst.read_text() == "target"
    r = fresh()                                  # all done, not yet confirmed
    dst.symlink_to("../data/t.txt")
    src.unlink()
    assert recover_record(r).state == DONE and dst.read_text() == "target"
    r = fresh()                                  # a link elsewhere at dst is not ours
    dst.symlink_to("../a/l.txt")
    assert recover_record(r).state == SKIPPED and os.path.lexists(src) and os.path.lexists(dst)
    assert target.read_text() == "target"
