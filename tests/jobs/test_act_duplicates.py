"""Acting on duplicates: keep policy, re-checks right before acting, never the last copy, undo."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.core.ops import trash
from app.core.ops.execute import DONE, SKIPPED
from app.core.progress import Progress
from app.jobs.act_duplicates import act_on_duplicates, plan_actions
from app.jobs.duplicates import find_duplicates
from app.jobs.undo import undo
from tests.windows_like import trashed_files


def put(path: Path, data: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data)
    return path


def groups_of(db, *roots: Path):
    return find_duplicates(db, [str(r) for r in roots], progress=Progress()).groups


def run(db, roots, action="trash", policy=("first-root",), to=None, before_act=None, allow=False):
    groups = groups_of(db, *roots)
    planned = plan_actions(groups, action, policy, [str(r) for r in roots], str(to) if to else None,
                           allow_different_owners=allow)
    if before_act:
        before_act()
    return planned, act_on_duplicates(db, planned.plan)


def test_trash_keeps_the_reference_folder_copy_and_undo_restores(tmp_path, db):
    ref, other = tmp_path / "ref", tmp_path / "other"
    put(ref / "a.txt", "A")
    put(other / "x" / "a-copy.txt", "A")
    put(other / "a.txt", "A")
    put(other / "unique.txt", "U")
    planned, result = run(db, [ref, other])
    assert planned.kept == [str(ref / "a.txt")] and result.done == 2
    assert (ref / "a.txt").exists() and not (other / "a.txt").exists()
    assert sorted(f.name for f in trashed_files(tmp_path / "xdg")) == ["a-copy.txt", "a.txt"]
    u = undo(db)
    if not trash.FREEDESKTOP:   # send2trash (Windows, macOS): the trash does not say where files went
        assert sorted(u.problems) == [(str(p), "moved to the system trash: restore it from the trash by hand")
                                      for p in (other / "a.txt", other / "x" / "a-copy.txt")]
        return
    assert u.problems == [] and (other / "a.txt").read_text() == "A"
    assert (other / "x" / "a-copy.txt").read_text() == "A"
    assert os.listdir(tmp_path / "xdg" / "Trash" / "files") == []
    assert os.listdir(tmp_path / "xdg" / "Trash" / "info") == []


def test_hard_links_and_other_spellings_of_the_kept_file_are_never_acted_on(tmp_path, db):
    root = tmp_path / "r"
    keep = put(root / "a" / "keep.txt", "same")
    os.link(keep, root / "b-hardlink.txt")
    put(root / "c-copy.txt", "same")
    (tmp_path / "alias").symlink_to(root)
    groups = groups_of(db, root, tmp_path / "alias")
    planned = plan_actions(groups, "trash", ("shortest-path",), [str(root), str(tmp_path / "alias")])
    kept = Path(planned.kept[0])
    kst = os.stat(kept)
    assert planned.plan.operations
    for op in planned.plan.operations:
        assert (op.expect.dev, op.expect.inode) != (kst.st_dev, kst.st_ino)
        assert os.path.realpath(op.src) != os.path.realpath(kept)
    result = act_on_duplicates(db, planned.plan)
    assert result.failed == 0 and kept.exists()
    survivors = [p for p in (keep, root / "b-hardlink.txt", root / "c-copy.txt") if p.exists()]
    assert all(os.path.samefile(p, kept) for p in survivors)


def test_the_executor_refuses_to_remove_a_file_as_its_own_duplicate(tmp_path, db):
    from app.core.ops.execute import execute
    from app.core.ops.fileops import file_hash
    from app.core.ops.plan import FileState, Operation, OpKind, Plan
    from app.store.journal import JournalStore

    f = put(tmp_path / "d" / "f.txt", "only copy")
    os.link(f, tmp_path / "d" / "hardlink.txt")
    digest = file_hash(str(f))
    ops = [Operation(kind, str(src), keep=str(keep), keep_hash=digest, expect=FileState.of(str(src)))
           for kind, src, keep in (
               (OpKind.DELETE, f, tmp_path / "d" / ".." / "d" / "f.txt"),      # same real path
               (OpKind.TRASH, tmp_path / "d" / "hardlink.txt", f),           # same inode
               (OpKind.HARDLINK, f, tmp_path / "d" / "hardlink.txt"))]
    result = execute(Plan("duplicates", ops), JournalStore(db))
    assert result.skipped == 3 and all("kept file itself" in why for _p, why in result.problems)
    assert f.read_text() == "only copy" and (tmp_path / "d" / "hardlink.txt").exists()


def test_kept_copy_modified_after_the_scan_blocks_removal(tmp_path, db):
    root = tmp_path / "r"
    keep, dup = put(root / "a.txt", "same"), put(root / "bb.txt", "same")

    def edit_keep():
        keep.write_text("edited after the scan")

    _, result = run(db, [root], policy=("shortest-path",), before_act=edit_keep)
    assert result.skipped == 1 and "kept copy changed" in result.problems[0][1]
    assert dup.read_text() == "same"


def test_kept_copy_removed_after_the_scan_means_the_last_copy_stays(tmp_path, db):
    root = tmp_path / "r"
    keep, dup = put(root / "a.txt", "same"), put(root / "bb.txt", "same")
    _, result = run(db, [root], action="delete", policy=("shortest-path",), before_act=keep.unlink)
    assert result.skipped == 1 and "no longer exists" in result.problems[0][1]
    assert dup.read_text() == "same"


def test_copy_changed_or_removed_after_the_scan_is_skipped(tmp_path, db):
    root = tmp_path / "r"
    put(root / "a.txt", "same")
    changed, gone = put(root / "bb.txt", "same"), put(root / "cc.txt", "same")

    def meddle():
        changed.write_text("new content!")
        gone.unlink()

    _, result = run(db, [root], policy=("shortest-path",), before_act=meddle)
    assert result.skipped == 2 and result.done == 0
    assert changed.read_text() == "new content!"


def test_content_changed_with_same_size_and_mtime_is_not_linked(tmp_path, db):
    root = tmp_path / "r"
    put(root / "a.txt", "same")
    dup = put(root / "bb.txt", "same")

    def sneaky():
        st = os.stat(dup)
        with open(dup, "r+b") as f:
            f.write(b"SAME")
        os.utime(dup, ns=(st.st_atime_ns, st.st_mtime_ns))

    _, result = run(db, [root], action="hardlink", policy=("shortest-path",), before_act=sneaky)
    assert result.skipped == 1 and dup.read_text() == "SAME"


@pytest.mark.parametrize("action", ["hardlink", "symlink"])
def test_link_replacement_and_undo_gives_back_independent_bytes(tmp_path, db, action):
    root = tmp_path / "r"
    keep = put(root / "a.txt", "payload")
    dup = put(root / "sub" / "bb.txt", "payload")
    os.chmod(dup, 0o640)
    os.utime(dup, ns=(1, 1_400_000_000_000_000_000))
    _, result = run(db, [root], action=action, policy=("shortest-path",), allow=True)
    assert result.done == 1
    assert (dup.is_symlink() if action == "symlink" else os.path.samefile(dup, keep))
    u = undo(db)
    assert u.problems == []
    st = os.lstat(dup)
    assert not dup.is_symlink() and not os.path.samefile(dup, keep) and dup.read_text() == "payload"
    assert (st.st_mtime_ns, st.st_mode & 0o777) == (1_400_000_000_000_000_000, 0o640)
    assert [n for n in os.listdir(dup.parent) if n.startswith(".fo-")] == []


def test_hardlink_across_devices_is_refused_and_nothing_changes(tmp_path, db):
    shm = Path(os.path.realpath("/dev/shm"))
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system at /dev/shm")
    other = shm / f"fo-act-{os.getpid()}"
    try:
        put(other / "a.txt", "same")
        dup = put(tmp_path / "r" / "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.txt", "same")
        _, result = run(db, [other, tmp_path / "r"], action="hardlink", policy=("first-root",))
        assert result.skipped == 1 and "within one device" in result.problems[0][1]
        assert dup.read_text() == "same" and os.stat(dup).st_nlink == 1
    finally:
        shutil.rmtree(other, ignore_errors=True)


def test_move_to_folder_keeps_structure_renames_conflicts_and_undoes(tmp_path, db):
    root, dest = tmp_path / "r", tmp_path / "dupes"
    put(root / "a.txt", "1")
    put(root / "x" / "a.txt", "1")
    put(root / "y" / "a.txt", "2")
    put(root / "y" / "b.txt", "2")
    put(dest / "r" / "x" / "a.txt", "already here")
    planned, result = run(db, [root], action="move", policy=("shortest-path",), to=dest)
    assert result.done == 2, result.problems
    assert sorted(str(Path(op.dst).relative_to(dest)) for op in planned.plan.operations) == [
        "r/x/a (1).txt", "r/y/b.txt"]
    assert (dest / "r" / "x" / "a.txt").read_text() == "already here"
    undo(db)
    assert (root / "x" / "a.txt").read_text() == "1" and (root / "y" / "b.txt").read_text() == "2"
    assert (dest / "r" / "x" / "a.txt").read_text() == "already here"
    assert not (dest / "r" / "y").exists()            # folders the run created are gone again


def test_move_without_destination_is_refused():
    with pytest.raises(ValueError):
        plan_actions([], "move", ["oldest"], [])


def test_states_in_journal(tmp_path, db):
    from app.store.journal import JournalStore
    root = tmp_path / "r"
    put(root / "a.txt", "z")
    put(root / "bb.txt", "z")
    _, result = run(db, [root], policy=("shortest-path",))
    recs = JournalStore(db).records(result.entry_id)
    assert [r.state for r in recs] == [DONE] and recs[0].op.keep_hash and recs[0].op.keep.endswith("a.txt")
    assert SKIPPED not in [r.state for r in recs]


def _rewrite_keeping_size_and_mtime(path: Path, data: bytes) -> None:
    """A stale index entry: other bytes, same size and modification time."""
    st = os.stat(path)
    with open(path, "r+b") as f:
        f.write(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.mark.parametrize("action", ["trash", "delete", "move", "symlink", "hardlink"])
def test_every_removing_action_rehashes_the_copy_right_before_acting(tmp_path, db, action):
    """Issue 18.1: `--action trash --keep newest` trashed a copy whose bytes had changed since
    the scan (same size and mtime); now every action that removes or replaces it re-hashes it."""
    root = tmp_path / "r"
    put(root / "a.txt", "same bytes")
    dup = put(root / "bb.txt", "same bytes")
    _, result = run(db, [root], action=action, policy=("shortest-path",), to=tmp_path / "moved",
                    before_act=lambda: _rewrite_keeping_size_and_mtime(dup, b"SAME"))
    assert (result.done, result.skipped) == (0, 1)
    assert result.problems == [(str(dup), "content differs from the kept copy; nothing removed")]
    assert dup.read_text() == "SAME bytes" and not dup.is_symlink() and os.stat(dup).st_nlink == 1
    assert trashed_files(tmp_path) == [] and not (tmp_path / "moved").exists()


def test_the_kept_file_is_rehashed_when_it_changed_in_place(tmp_path, db):
    """The kept file's hash is cached per run only while its ctime is unchanged too: a rewrite
    that restores size and mtime is still seen."""
    root = tmp_path / "r"
    keep = put(root / "a.txt", "same bytes")
    put(root / "bb.txt", "same bytes")
    put(root / "ccc.txt", "same bytes")
    groups = groups_of(db, root)
    planned = plan_actions(groups, "trash", ("shortest-path",), [str(root)])
    from app.core.ops.execute import _Runner
    runner = _Runner()
    assert runner.keep_digest(str(keep))[1] == groups[0].hash        # cached now
    _rewrite_keeping_size_and_mtime(keep, b"SAME")
    assert runner.keep_digest(str(keep))[1] != groups[0].hash
    result = act_on_duplicates(db, planned.plan)
    assert (result.done, result.skipped) == (0, 2)


def _owned(path: Path, mode: int, uid: int | None = None, gid: int | None = None) -> Path:
    os.chmod(path, mode)
    if uid is not None or gid is not None:
        os.chown(path, -1 if uid is None else uid, -1 if gid is None else gid)
    return path


needs_root = pytest.mark.skipif(not hasattr(os, "chown") or os.getuid() != 0,
                                reason="giving files to other owners needs root")


@needs_root
@pytest.mark.parametrize(("mode", "uid", "gid", "named"), [
    (0o600, None, None, "permissions differ"),
    (0o644, 65534, None, "owner differs"),
    (0o644, None, 65534, "group differs"),
    (0o600, 65534, 65534, "owner, group and permissions differ"),
])
def test_hardlink_joins_only_files_with_the_same_owner_group_and_mode(tmp_path, db, mode, uid, gid, named):
    """Issue 18.2: a 0600 copy linked to a 0644 original became readable by all and lost its owner."""
    root = tmp_path / "r"
    keep = _owned(put(root / "a.txt", "secret"), 0o644)
    dup = _owned(put(root / "bb.txt", "secret"), mode, uid, gid)
    before = os.stat(dup)
    _, result = run(db, [root], action="hardlink", policy=("shortest-path",))
    assert (result.done, result.skipped) == (0, 1)
    path, reason = result.problems[0]
    assert path == str(dup) and reason.startswith(named + " from the kept copy's; not linked")
    assert "--allow-different-owners" in reason
    after = os.stat(dup)
    assert not os.path.samefile(dup, keep)
    assert (after.st_mode, after.st_uid, after.st_gid) == (before.st_mode, before.st_uid, before.st_gid)


@needs_root
def test_allowed_hardlink_across_owners_is_undone_with_owner_group_and_mode(tmp_path, db):
    root = tmp_path / "r"
    keep = _owned(put(root / "a.txt", "secret"), 0o644)
    dup = _owned(put(root / "bb.txt", "secret"), 0o600, 65534, 65534)
    _, result = run(db, [root], action="hardlink", policy=("shortest-path",), allow=True)
    assert result.done == 1 and os.path.samefile(dup, keep)
    assert undo(db).problems == []
    st = os.stat(dup)
    assert not os.path.samefile(dup, keep) and dup.read_text() == "secret"
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (65534, 65534, 0o600)
    assert os.stat(keep).st_uid == 0 and os.stat(keep).st_mode & 0o777 == 0o644


def test_hardlink_with_the_same_owner_and_mode_still_links(tmp_path, db):
    root = tmp_path / "r"
    keep = _owned(put(root / "a.txt", "x" * 100), 0o640)
    dup = _owned(put(root / "bb.txt", "x" * 100), 0o640)
    _, result = run(db, [root], action="hardlink", policy=("shortest-path",))
    assert result.done == 1 and os.path.samefile(dup, keep)
