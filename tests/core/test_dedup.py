"""What counts as a duplicate: the duplicate finder on small real trees (one fresh index each)."""

import os

from app.core.dedup.groups import (
    DupFile,
    DuplicateGroup,
    HashedFile,
    groups_from_hashed,
    sort_groups,
    split_by_bytes,
)
from app.core.progress import Progress
from app.jobs.duplicates import find_duplicates
from app.store.db import open_database


def duplicates_in(root, **kw):
    """The groups under `root`, found with a fresh index (the test's app home is shared)."""
    errors = kw.pop("errors", None)
    db = open_database(root.parent / f"index-{root.name}-{len(os.listdir(root.parent))}.db")
    try:
        result = find_duplicates(db, [str(root)], progress=Progress(), **kw)
    finally:
        db.close()
    if errors is not None:
        errors.extend((os.path.basename(p), r) for p, r in result.errors)
    return result.groups


def rel(groups, root):
    return sorted(sorted(os.path.relpath(f.path, root) for f in g.files) for g in groups)


def test_groups_identical_content_only(tmp_path):
    (tmp_path / "a").write_bytes(b"same" * 3000)
    (tmp_path / "b").write_bytes(b"same" * 3000)
    (tmp_path / "c").write_bytes(b"diff" * 3000)              # same size, other bytes
    (tmp_path / "e1").write_bytes(b"")
    (tmp_path / "e2").write_bytes(b"")                        # empty files are never duplicates
    groups = duplicates_in(tmp_path)
    assert rel(groups, tmp_path) == [["a", "b"]]
    g = groups[0]
    assert g.size == 12000 and g.copies == 2 and g.reclaimable == 12000 and len(g.hash) == 64


def test_hard_links_are_one_file_but_listed(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 10)
    os.link(tmp_path / "a", tmp_path / "a_link")
    assert duplicates_in(tmp_path) == []             # one inode: not a duplicate of itself
    (tmp_path / "copy").write_bytes(b"x" * 10)
    (g,) = duplicates_in(tmp_path)
    assert rel([g], tmp_path) == [["a", "a_link", "copy"]]
    assert g.copies == 2 and g.duplicate_files == 1 and g.reclaimable == 10
    assert {os.path.basename(f.path): f.hardlinked for f in g.files} == {"a": True, "a_link": True,
                                                                          "copy": False}


def test_symlinks_never_members(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 10)
    (tmp_path / "s").symlink_to(tmp_path / "a")
    (tmp_path / "s2").symlink_to(tmp_path / "a")
    assert duplicates_in(tmp_path) == []


def test_size_limits_and_paranoid(tmp_path):
    for n in ("a", "b"):
        (tmp_path / n).write_bytes(b"1" * 100)
    for n in ("c", "d"):
        (tmp_path / n).write_bytes(b"2" * 5000)
    assert rel(duplicates_in(tmp_path, min_size=1000), tmp_path) == [["c", "d"]]
    assert rel(duplicates_in(tmp_path, max_size=1000), tmp_path) == [["a", "b"]]
    assert rel(duplicates_in(tmp_path, paranoid=True), tmp_path) == [["a", "b"], ["c", "d"]]


def test_paranoid_splits_a_group_whose_bytes_differ(tmp_path):
    """Two files given one full hash (as a hash collision would) are told apart byte by byte."""
    for n, data in (("a", b"1" * 50), ("b", b"1" * 50), ("c", b"2" * 50)):
        (tmp_path / n).write_bytes(data)
    files = [DupFile(str(tmp_path / n), 50, 0, i, 1, 1) for i, n in enumerate("abc")]
    errors = []
    (part,) = split_by_bytes(DuplicateGroup(50, "00" * 32, files), lambda p, r: errors.append(r))
    assert [os.path.basename(f.path) for f in part.files] == ["a", "b"] and errors == []


def test_groups_from_hashed_rows_count_inodes_not_paths():
    rows = [HashedFile(*r) for r in (
        (10, b"h", "/x/a", 0, 1, 1, 2), (10, b"h", "/x/a2", 0, 1, 1, 2), (10, b"h", "/x/b", 0, 2, 1, 1),
        (20, b"k", "/x/c", 0, 3, 1, 2), (20, b"k", "/x/c2", 0, 3, 1, 2))]     # sorted by (hash, size)
    (g,) = sort_groups(groups_from_hashed(rows))       # c and c2: one inode, not a duplicate
    assert g.copies == 2 and [f.hardlinked for f in g.files] == [True, True, False]


def test_unreadable_or_vanished_member_is_reported_and_dropped(tmp_path):
    for n in ("a", "b", "c"):
        (tmp_path / n).write_bytes(b"q" * 50)
    (tmp_path / "c").chmod(0o000)          # root reads it anyway; the CLI test covers a real user
    errors = []
    groups = duplicates_in(tmp_path, errors=errors)
    assert rel(groups, tmp_path) == [["a", "b", "c"]] if os.access(tmp_path / "c", os.R_OK) else [["a", "b"]]


def test_matches_corpus_manifest(make_corpus):
    root, manifest = make_corpus(600, seed=3, total_mb=3)
    groups = duplicates_in(root)
    found = sorted(sorted(os.path.relpath(f.path, root) for f in g.files
                          if not f.path.endswith(".lnk")) for g in groups)
    # hard links (.lnk) share an inode with a listed file: the manifest leaves them out
    assert found == manifest["duplicate_groups"]


def test_sorting_in_runs_gives_the_order_of_one_sort(monkeypatch):
    import random

    from app.core.dedup import groups as groups_module

    seed = random.randrange(10**6)
    print("seed", seed)
    rng = random.Random(seed)
    groups = [DuplicateGroup(rng.choice([10, 20, 30]), f"h{i}",
                             [DupFile(f"/d/{rng.choice('abc')}", 1, 1, 2 * i, 1, 1),
                              DupFile(f"/e/{i}", 1, 1, 2 * i + 1, 1, 1)])
              for i in range(500)]       # many equal keys: ties must keep their order as in sorted()
    one = sorted(groups, key=lambda g: (g.size * (1 - g.copies), g.files[0][0]))
    monkeypatch.setattr(groups_module, "SORT_RUN", 37)
    assert [g.hash for g in sort_groups(groups)] == [g.hash for g in one]
