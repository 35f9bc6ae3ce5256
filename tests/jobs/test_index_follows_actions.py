"""The index follows every action at once (jobs.refresh): after duplicates are trashed or
linked, files are organized into new folders, or an action is undone, the totals, the folder
sizes and the duplicate summary the Dashboard shows equal what is on disk, without a scan."""

from __future__ import annotations

import os
import shutil

from app.core.organize.presets import PRESETS
from app.core.progress import Progress
from app.jobs.act_duplicates import act_on_duplicates, plan_actions
from app.jobs.duplicates import find_duplicates
from app.jobs.organize import apply, preview
from app.jobs.undo import undo
from app.store import aggregates


def on_disk(root) -> tuple[int, int, int]:
    """(regular files, their bytes, bytes counting each inode once) below `root`."""
    files = nbytes = unique = 0
    inodes = set()
    for folder, _dirs, names in os.walk(root):
        for name in names:
            st = os.lstat(os.path.join(folder, name))
            if os.path.islink(os.path.join(folder, name)):
                continue
            files += 1
            nbytes += st.st_size
            if (st.st_dev, st.st_ino) not in inodes:
                inodes.add((st.st_dev, st.st_ino))
                unique += st.st_size
    return files, nbytes, unique


def shown(db, root) -> tuple[int, int, int]:
    totals = aggregates.totals(db, aggregates.scope_for(db, [str(root)]))
    return totals.files, totals.bytes, totals.unique_bytes


def the_root_folder(db, root):
    return next(e for e in aggregates.folder_sizes(db) if e.path == str(root))


def tree(make_corpus, tmp_path, seed):
    corpus, _ = make_corpus(300, seed=seed)
    root = tmp_path / "tree"
    shutil.copytree(corpus, root, symlinks=True)        # this test changes its copy
    return root


def test_trashing_duplicates_and_undoing_it(db, make_corpus, tmp_path):
    root = tree(make_corpus, tmp_path, 31)
    groups = find_duplicates(db, [str(root)], progress=Progress()).groups
    assert aggregates.duplicate_summary(db).groups == len(groups) > 0
    planned = plan_actions(groups, "trash", ("shortest-path",), [str(root)])
    result = act_on_duplicates(db, planned.plan)
    assert result.done > 0
    assert shown(db, root) == on_disk(root)
    assert aggregates.duplicate_summary(db).reclaimable_bytes == 0     # what the Dashboard offers
    folder = the_root_folder(db, root)
    assert (folder.files, folder.bytes) == on_disk(root)[:2]
    undo(db)
    assert shown(db, root) == on_disk(root)


def test_hard_linking_duplicates(db, make_corpus, tmp_path):
    root = tree(make_corpus, tmp_path, 32)
    groups = find_duplicates(db, [str(root)], progress=Progress()).groups
    before = on_disk(root)
    planned = plan_actions(groups, "hardlink", ("shortest-path",), [str(root)], allow_different_owners=True)
    assert act_on_duplicates(db, planned.plan).done > 0
    after = on_disk(root)
    assert after[2] < before[2] and shown(db, root) == after


def test_organizing_into_new_folders_inside_the_scanned_one(db, make_corpus, tmp_path):
    root = tree(make_corpus, tmp_path, 33)
    find_duplicates(db, [str(root)], progress=Progress())
    inbox = next(p for p in sorted(root.iterdir()) if p.is_dir())
    result = apply(db, preview(db, [str(inbox)], PRESETS["by-extension"].build(), dest=str(root / "Sorted")))
    assert result.done > 0 and (root / "Sorted").is_dir()
    assert shown(db, root) == on_disk(root)
    sorted_folder = next(e for e in aggregates.folder_sizes(db) if e.path == str(root / "Sorted"))
    assert (sorted_folder.files, sorted_folder.bytes) == on_disk(root / "Sorted")[:2]
    undo(db)
    assert shown(db, root) == on_disk(root)
