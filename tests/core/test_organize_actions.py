"""Each action through the organize job (preview, apply, undo); empty folders; files changed after preview."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.core.ops import trash
from app.core.ops.plan import OpKind
from app.core.organize.rules import rule_from_dict
from app.jobs.organize import apply, preview
from app.jobs.undo import undo
from app.store.journal import JournalStore
from tests.windows_like import trashed_files

NOW = time.time()


def mk(path: Path, data: bytes = b"x", age: float = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (NOW - age, NOW - age))
    return path


def rules(*dicts: dict):
    return [rule_from_dict(d, i) for i, d in enumerate(dicts)]


def state(root: Path) -> dict[str, object]:
    out: dict[str, object] = {}
    for dirpath, dirs, files in os.walk(root):
        for d in dirs:
            out[os.path.relpath(os.path.join(dirpath, d), root)] = "dir"
        for f in files:
            p = os.path.join(dirpath, f)
            out[os.path.relpath(p, root)] = (Path(p).read_bytes(), os.lstat(p).st_mtime_ns)
    return out


def test_move_with_rename_template_then_undo(tmp_path, db):
    root = tmp_path / "root"
    mk(root / "in" / "Photo.JPG", b"jpeg", age=3600)
    mk(root / "in" / "scan.pdf", b"pdf")
    before = state(root)
    r = rules({"name": "pics", "conditions": [{"type": "category", "categories": ["images"]}],
               "actions": [{"type": "move", "to": "Pictures/{year}"},
                           {"type": "rename", "name": "{stem}_{counter:02}.{ext}"}]})
    pv = preview(db, [str(root)], r)
    assert state(root) == before                            # the preview changed nothing
    (op,) = pv.plan.operations
    year = time.localtime(NOW - 3600).tm_year
    assert op.dst == str(root / "Pictures" / str(year) / "Photo_01.jpg") and op.rule == "pics"
    res = apply(db, pv)
    assert res.done == 1 and (root / "Pictures" / str(year) / "Photo_01.jpg").read_bytes() == b"jpeg"
    entry = JournalStore(db).entry(res.entry_id)
    assert entry.source == "organizer"
    undo(db, res.entry_id)
    assert state(root) == before


def test_copy_and_rename_in_place(tmp_path, db):
    root = tmp_path / "root"
    mk(root / "notes.txt", b"n")
    pv = preview(db, [str(root)], rules({"name": "c", "actions": [{"type": "copy", "to": "backup/{ext}"}]}))
    apply(db, pv)
    assert (root / "notes.txt").read_bytes() == b"n"
    assert (root / "backup" / "txt" / "notes.txt").read_bytes() == b"n"
    pv = preview(db, [str(root / "notes.txt")], rules(
        {"name": "r", "actions": [{"type": "rename", "name": "{year}-{month}-{day} {name}"}]}))
    (op,) = pv.plan.operations
    assert op.kind == OpKind.RENAME and os.path.dirname(op.dst) == str(root)
    apply(db, pv)
    assert not (root / "notes.txt").exists()
    expected = time.strftime("%Y-%m-%d notes.txt", time.localtime(NOW))
    assert [p.name for p in root.glob("*notes.txt")] == [expected]


def test_trash_action_and_undo_restores(tmp_path, db):
    root = tmp_path / "root"
    mk(root / "setup.exe", b"MZ installer", age=40 * 86400)
    mk(root / "fresh.exe", b"MZ new")
    r = rules({"name": "old installers", "conditions": [{"type": "category", "categories": ["installers"]},
                                                        {"type": "modified", "older_than": "30d"}],
               "actions": [{"type": "trash"}]})
    before = state(root)
    res = apply(db, preview(db, [str(root)], r))
    assert res.done == 1 and not (root / "setup.exe").exists() and (root / "fresh.exe").exists()
    assert [f.name for f in trashed_files(tmp_path / "xdg")] == ["setup.exe"]
    back = undo(db, res.entry_id)
    if trash.FREEDESKTOP:
        assert state(root) == before
    else:       # Windows, macOS: the system trash does not say where the file went
        assert back.problems == [(str(root / "setup.exe"),
                                  "moved to the system trash: restore it from the trash by hand")]


def test_hardlink_action_replaces_duplicates_of_a_file_elsewhere(tmp_path, db):
    root, archive = tmp_path / "inbox", tmp_path / "archive"
    original = mk(archive / "orig.bin", b"shared content" * 100, age=1000)
    copy = mk(root / "copy.bin", b"shared content" * 100)
    mk(root / "other.bin", b"something else")
    r = rules({"name": "link dups", "conditions": [{"type": "duplicate", "in": [str(archive)]}],
               "actions": [{"type": "hardlink"}]})
    pv = preview(db, [str(root)], r)
    (op,) = pv.plan.operations
    assert op.kind == OpKind.HARDLINK and op.keep == str(original) and op.keep_hash
    res = apply(db, pv)
    assert res.done == 1
    assert os.stat(copy).st_ino == os.stat(original).st_ino
    undo(db, res.entry_id)
    assert os.stat(copy).st_ino != os.stat(original).st_ino and copy.read_bytes() == original.read_bytes()


def test_empty_folders_removed_and_restored_by_undo(tmp_path, db):
    root, dest = tmp_path / "root", tmp_path / "dest"
    mk(root / "a" / "b" / "c" / "deep.txt")
    mk(root / "a" / "b" / "mid.txt")
    (root / "a" / "b" / "already-empty").mkdir()
    mk(root / "keep" / "stays.dat")
    mk(root / "keep" / "goes.txt")
    before = state(root)
    r = rules({"name": "txt", "remove_empty_folders": True,
               "conditions": [{"type": "extension", "extensions": ["txt"]}],
               "actions": [{"type": "move", "to": "{ext}"}]})
    pv = preview(db, [str(root)], r, dest=str(dest))
    rmdirs = [os.path.relpath(o.src, root) for o in pv.plan.operations if o.kind == OpKind.RMDIR]
    assert rmdirs == ["a/b/already-empty", "a/b/c", "a/b", "a"]
    res = apply(db, pv)
    assert res.failed == 0 and res.skipped == 0
    assert sorted(os.listdir(root)) == ["keep"] and os.listdir(root / "keep") == ["stays.dat"]
    undo(db, res.entry_id)
    assert state(root) == before
    assert not dest.exists()                                # folders created by the run are gone too


def test_without_the_flag_folders_stay(tmp_path, db):
    root = tmp_path / "root"
    mk(root / "a" / "x.txt")
    pv = preview(db, [str(root)], rules({"name": "t", "actions": [{"type": "move", "to": "{ext}"}]}))
    assert not [o for o in pv.plan.operations if o.kind == OpKind.RMDIR]
    apply(db, pv)
    assert (root / "a").is_dir()


def test_files_changed_between_preview_and_apply_are_skipped(tmp_path, db):
    root = tmp_path / "root"
    mk(root / "stable.txt", b"1")
    changing = mk(root / "changing.txt", b"2")
    gone = mk(root / "gone.txt", b"3")
    pv = preview(db, [str(root)], rules({"name": "t", "actions": [{"type": "move", "to": "{ext}"}]}))
    changing.write_bytes(b"grown since")
    gone.unlink()
    res = apply(db, pv)
    assert res.done == 1 and res.skipped == 2
    reasons = dict(res.problems)
    assert "changed since the plan" in reasons[str(changing)]
    assert "no longer exists" in reasons[str(gone)]
    assert changing.read_bytes() == b"grown since"


def test_template_problem_is_reported_in_the_preview(tmp_path, db):
    root = tmp_path / "root"
    mk(root / "con" / "a.txt")          # {parent} = "con": a reserved name on Windows
    mk(root / "ok" / "b.txt")
    pv = preview(db, [str(root)], rules({"name": "t", "actions": [{"type": "move",
                                                                    "to": "{parent}-sorted/x"}]}))
    assert len(pv.plan.operations) == 2     # "con-sorted" is fine
    pv = preview(db, [str(root)], rules({"name": "t", "actions": [{"type": "move",
                                                                    "to": "{parent}/sorted"}]}))
    assert [os.path.basename(o.src) for o in pv.plan.operations] == ["b.txt"]
    assert pv.errors and "reserved name" in pv.errors[0][1] and pv.errors[0][0].endswith("a.txt")


@pytest.mark.skipif(not trash.FREEDESKTOP, reason="undo restores from the freedesktop trash only")
def test_conflict_heavy_run_on_a_corpus_is_undone_exactly(tmp_path, db, make_corpus):
    """Every policy at once on a mkcorpus tree (hundreds of clashing names, duplicates, links),
    then undo: every path comes back with identical bytes, mode and mtime, the trash is emptied."""
    import shutil

    corpus, _ = make_corpus(files=400, seed=11, total_mb=2)
    root, dest = tmp_path / "tree", tmp_path / "dest"
    shutil.copytree(corpus, root, symlinks=True)

    def full(r: Path) -> dict:
        out = {}
        for dirpath, dirs, files in os.walk(r):
            for n in dirs + files:
                p = Path(dirpath, n)
                st = os.lstat(p)
                rel = str(p.relative_to(r))
                out[rel] = (("link", os.readlink(p)) if p.is_symlink() else ("dir",) if p.is_dir()
                            else ("file", p.read_bytes(), st.st_mode, st.st_mtime_ns))
        return out

    before = full(root)
    r = rules(
        {"name": "media", "conflict": "keep-newest", "remove_empty_folders": True,
         "conditions": [{"type": "category", "categories": ["images", "audio", "video"]}],
         "actions": [{"type": "move", "to": "{category}"}, {"type": "rename", "name": "same.{ext|bin}"}]},
        {"name": "docs", "conflict": "replace-if-identical", "remove_empty_folders": True,
         "conditions": [{"type": "category", "categories": ["documents"]}],
         "actions": [{"type": "move", "to": "{category}"}, {"type": "rename", "name": "doc.{ext|bin}"}]},
        {"name": "rest", "remove_empty_folders": True, "actions": [{"type": "move", "to": "flat"}]},
    )
    pv = preview(db, [str(root)], r, dest=str(dest))
    kinds = {o.kind for o in pv.plan.operations}
    assert {OpKind.MOVE, OpKind.TRASH, OpKind.RMDIR} <= kinds
    assert any("renamed to doc (" in o.note for o in pv.plan.operations)
    res = apply(db, pv)
    assert res.failed == 0 and res.skipped == 0, res.problems[:3]
    # what stays: the symbolic links, and the files they point at (so every link still works)
    left = [Path(d, n) for d, _, names in os.walk(root) for n in names]
    links = [p for p in left if p.is_symlink()]
    assert links and all(p.exists() for p in links)
    targets = {os.path.realpath(p) for p in links}
    assert all(p.is_symlink() or str(p) in targets for p in left)
    assert {p for p, why in pv.planned.skipped if "symbolic link points at it" in why} == \
        {str(p) for p in left if not p.is_symlink()}
    assert len(list((tmp_path / "xdg" / "Trash" / "files").iterdir())) > 50
    back = undo(db, res.entry_id)
    assert back.problems == []
    assert full(root) == before
    assert not dest.exists()
    assert list((tmp_path / "xdg" / "Trash" / "files").iterdir()) == []


def test_move_across_devices_and_undo(tmp_path, db):
    """/dev/shm is another file system: moves become copy + verify + remove, and undo brings
    every file back with its bytes and modification time."""
    shm = Path(os.path.realpath("/dev/shm"))
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system at /dev/shm")
    root = tmp_path / "root"
    for i in range(20):
        mk(root / f"d{i % 3}" / f"f{i}.{('txt', 'jpg', 'bin')[i % 3]}", os.urandom(3000 + i), age=i * 100)
    before = state(root)
    dest = shm / f"fo-organize-{os.getpid()}"
    try:
        pv = preview(db, [str(root)], rules({"name": "x", "remove_empty_folders": True,
                                             "actions": [{"type": "move", "to": "{ext}"}]}), dest=str(dest))
        res = apply(db, pv)
        assert res.failed == 0 and res.done == 23          # 20 moves + 3 emptied folders
        assert sorted(os.listdir(dest)) == ["bin", "jpg", "txt"] and list(root.iterdir()) == []
        assert undo(db, res.entry_id).problems == []
        assert state(root) == before
        assert not dest.exists()
    finally:
        import shutil
        shutil.rmtree(dest, ignore_errors=True)
