"""Undo round trip on a mkcorpus tree: every path comes back with identical bytes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.core.ops import trash
from app.core.ops.execute import execute
from app.core.ops.plan import FileState, Operation, OpKind, Plan
from app.core.progress import Progress
from app.jobs.act_duplicates import act_on_duplicates, plan_actions
from app.jobs.duplicates import find_duplicates
from app.jobs.undo import NothingToUndo, undo
from app.store.journal import JournalStore


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path below root: ('dir',), ('link', target) or ('file', bytes, mode, mtime_ns)."""
    out: dict[str, tuple] = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            p = Path(dirpath, name)
            rel = str(p.relative_to(root))
            st = os.lstat(p)
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir",)
            else:
                out[rel] = ("file", p.read_bytes(), st.st_mode, st.st_mtime_ns)
    return out


@pytest.mark.skipif(not trash.FREEDESKTOP, reason="undo restores from the freedesktop trash only")
def test_undo_round_trip_on_a_corpus_restores_every_path(tmp_path, db, make_corpus):
    corpus, _manifest = make_corpus(files=1200, seed=7, total_mb=3)
    root = tmp_path / "tree"
    shutil.copytree(corpus, root, symlinks=True)
    before = snapshot(root)
    shm = Path(os.path.realpath("/dev/shm")) / f"fo-undo-{os.getpid()}"
    try:
        # 1. duplicates: trash some groups, hard-link others, symlink the rest
        groups = find_duplicates(db, [str(root)], progress=Progress()).groups
        assert len(groups) >= 6
        entries = []
        for action, part in (("trash", groups[0::3]), ("hardlink", groups[1::3]), ("symlink", groups[2::3])):
            planned = plan_actions(part, action, ("oldest",), [str(root)])
            res = act_on_duplicates(db, planned.plan)
            assert res.failed == 0 and res.done > 0, res.problems[:3]
            entries.append(res.entry_id)
        # 2. organizer-like: move regular files into a new tree, some across devices, rename others
        ops = []
        for i, (rel, kind) in enumerate(sorted(before.items())):
            p = root / rel
            if (kind[0] != "file" or not p.exists() or p.is_symlink() or os.stat(p).st_nlink > 1
                    or i % 3 == 2):
                continue
            if i % 3 == 0:
                dst = (shm if i % 9 == 0 else root / "_sorted") / rel
                ops.append(Operation(OpKind.MOVE, str(p), str(dst), expect=FileState.of(str(p))))
            else:
                ops.append(Operation(OpKind.RENAME, str(p), str(p.with_name("renamed-" + p.name)),
                                     expect=FileState.of(str(p))))
        res = execute(Plan("organizer", ops), JournalStore(db))
        assert res.failed == 0 and res.done == len(ops), res.problems[:3]
        entries.append(res.entry_id)
        assert snapshot(root) != before
        # 3. undo everything, newest first (the default order of `undo`)
        for entry in reversed(entries):
            u = undo(db)
            assert u.entry.id == entry and u.problems == [], u.problems[:3]
        after = snapshot(root)
        assert after.keys() == before.keys()
        diffs = [rel for rel in before if before[rel][:2] != after[rel][:2]]
        assert diffs == []
        # mtime and mode come back too, except for files that were hard links to begin with
        assert [rel for rel in before if before[rel][0] == "file" and before[rel] != after[rel]] == []
        with pytest.raises(NothingToUndo):
            undo(db)
        store = JournalStore(db)
        assert all(store.entry(e).status == "undone" for e in entries)
    finally:
        shutil.rmtree(shm, ignore_errors=True)


def test_undo_of_an_entry_by_id_and_the_undo_entry_itself(tmp_path, db):
    a = tmp_path / "a.txt"
    a.write_text("a")
    first = execute(Plan("organizer", [Operation(OpKind.MOVE, str(a), str(tmp_path / "b.txt"),
                                                 expect=FileState.of(str(a)))]), JournalStore(db))
    u = undo(db, first.entry_id)
    assert a.exists() and u.run.entry_id != first.entry_id
    undo_entry = JournalStore(db).entry(u.run.entry_id)
    assert (undo_entry.source, undo_entry.undo_of, undo_entry.status) == ("undo", first.entry_id, "done")
    redo = undo(db, u.run.entry_id)            # undoing the undo moves it again
    assert redo.run.done == 1 and (tmp_path / "b.txt").exists() and not a.exists()
    with pytest.raises(NothingToUndo):
        undo(db, 999)


def test_organize_preset_then_undo_gives_back_folders_times_modes_and_links(tmp_path, db):
    """Issue 18.3 and 18.4: by-category on a tree with links and nested folders leaves no folder
    empty and no link broken; undo brings back every folder with its mode and modification time."""
    from app.jobs.organize import apply, preview, rule_set

    root = tmp_path / "tree"
    for i, rel in enumerate(("docs/a/guide.txt", "docs/a/b/deep.pdf", "img/x.png", "img/y.jpg",
                             "private/diary.txt", "shared/lib.js", "top.mp3")):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(rel)
        os.utime(p, ns=(1, 1_500_000_000_000_000_000 + i))
    os.symlink("../shared/lib.js", root / "docs" / "lib.js")       # link to a file in the tree
    os.symlink("../img", root / "docs" / "pictures")                # link to a folder
    os.symlink("missing-target", root / "img" / "dangling")        # broken before: stays broken
    os.chmod(root / "private", 0o700)
    for n, (dirpath, _, _) in enumerate(sorted(os.walk(root), reverse=True)):
        os.utime(dirpath, ns=(1, 1_400_000_000_000_000_000 + n))
    folders = {d: (os.lstat(d).st_mtime_ns, os.lstat(d).st_mode) for d, _, _ in os.walk(root)}

    def broken() -> int:
        return sum(1 for d, dirs, files in os.walk(root) for n in dirs + files
                   if os.path.islink(os.path.join(d, n)) and not os.path.exists(os.path.join(d, n)))

    before = snapshot(root)
    assert broken() == 1
    chosen = rule_set(db, "by-category")
    pv = preview(db, [str(root)], chosen.rules, dest=chosen.default_dest)
    res = apply(db, pv)
    assert res.failed == res.skipped == 0
    assert broken() == 1                                       # no link broken by organizing
    assert (root / "docs" / "lib.js").read_text() == "shared/lib.js"
    assert sorted(os.listdir(root / "docs" / "pictures")) == ["dangling", "x.png", "y.jpg"]
    empty = [d for d, dirs, files in os.walk(root) if not dirs and not files]
    assert empty == []                                         # emptied folders are removed
    assert not (root / "private").exists() and (root / "documents" / "diary.txt").exists()

    back = undo(db, res.entry_id)
    assert back.problems == []
    assert snapshot(root) == before
    now = {d: (os.lstat(d).st_mtime_ns, os.lstat(d).st_mode) for d, _, _ in os.walk(root)}
    assert now == folders                                      # times and modes of every folder


def test_a_rule_that_asks_for_symlinks_moves_them_still_pointing_at_their_targets(tmp_path, db):
    """Issue 18.3: a rule may opt in ("symlinks": true); a moved relative link then still names the
    same target (re-pointed), and undo gives it back its own spelling."""
    from app.core.organize.rules import rule_from_dict
    from app.jobs.organize import apply, preview

    root, outside = tmp_path / "tree", tmp_path / "outside"
    (root / "deep" / "er").mkdir(parents=True)
    outside.mkdir()
    (outside / "t.txt").write_text("target")
    os.symlink("../../../outside/t.txt", root / "deep" / "er" / "link.txt")
    os.utime(root / "deep" / "er" / "link.txt", ns=(1, 1_300_000_000_000_000_000), follow_symlinks=False)
    rule = rule_from_dict({"name": "links too", "symlinks": True, "remove_empty_folders": True,
                           "actions": [{"type": "move", "to": "sorted"}]})
    before = snapshot(root)
    res = apply(db, preview(db, [str(root)], [rule]))
    assert res.done == 3 and res.failed == res.skipped == 0          # the link and two emptied folders
    moved = root / "sorted" / "link.txt"
    assert os.readlink(moved) == "../../outside/t.txt" and moved.read_text() == "target"
    assert os.lstat(moved).st_mtime_ns == 1_300_000_000_000_000_000       # the link's own time kept
    assert sorted(os.listdir(root)) == ["sorted"]
    assert undo(db, res.entry_id).problems == []
    assert snapshot(root) == before
    assert os.readlink(root / "deep" / "er" / "link.txt") == "../../../outside/t.txt"
    assert os.lstat(root / "deep" / "er" / "link.txt").st_mtime_ns == 1_300_000_000_000_000_000
