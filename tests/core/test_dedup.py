import os

from app.core.dedup import Candidate, confirm_size_group, duplicates_in
from app.core.walk import walk


def records(root):
    return [r for b in walk([root]) for r in b]


def rel(groups, root):
    return sorted(sorted(os.path.relpath(f.path, root) for f in g.files) for g in groups)


def test_groups_identical_content_only(tmp_path):
    (tmp_path / "a").write_bytes(b"same" * 3000)
    (tmp_path / "b").write_bytes(b"same" * 3000)
    (tmp_path / "c").write_bytes(b"diff" * 3000)              # same size, other bytes
    (tmp_path / "e1").write_bytes(b"")
    (tmp_path / "e2").write_bytes(b"")                        # empty files are never duplicates
    groups = duplicates_in(records(tmp_path))
    assert rel(groups, tmp_path) == [["a", "b"]]
    g = groups[0]
    assert g.size == 12000 and g.copies == 2 and g.reclaimable == 12000 and len(g.hash) == 64


def test_hard_links_are_one_file_but_listed(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 10)
    os.link(tmp_path / "a", tmp_path / "a_link")
    assert duplicates_in(records(tmp_path)) == []             # one inode: not a duplicate of itself
    (tmp_path / "copy").write_bytes(b"x" * 10)
    (g,) = duplicates_in(records(tmp_path))
    assert rel([g], tmp_path) == [["a", "a_link", "copy"]]
    assert g.copies == 2 and g.duplicate_files == 1 and g.reclaimable == 10
    assert {os.path.basename(f.path): f.hardlinked for f in g.files} == {"a": True, "a_link": True,
                                                                          "copy": False}


def test_symlinks_never_members(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 10)
    (tmp_path / "s").symlink_to(tmp_path / "a")
    (tmp_path / "s2").symlink_to(tmp_path / "a")
    assert duplicates_in(records(tmp_path)) == []


def test_size_limits_and_paranoid(tmp_path):
    for n in ("a", "b"):
        (tmp_path / n).write_bytes(b"1" * 100)
    for n in ("c", "d"):
        (tmp_path / n).write_bytes(b"2" * 5000)
    recs = records(tmp_path)
    assert rel(duplicates_in(recs, min_size=1000), tmp_path) == [["c", "d"]]
    assert rel(duplicates_in(recs, max_size=1000), tmp_path) == [["a", "b"]]
    assert rel(duplicates_in(recs, paranoid=True), tmp_path) == [["a", "b"], ["c", "d"]]


def test_stored_hashes_are_reused_and_new_ones_reported(tmp_path):
    (tmp_path / "a").write_bytes(b"z" * 20000)
    (tmp_path / "b").write_bytes(b"z" * 20000)
    recs = records(tmp_path)
    members = [Candidate(i, r.path, r.size, r.mtime_ns, r.inode, r.dev, r.nlink) for i, r in enumerate(recs)]
    hashed = []
    (g,) = confirm_size_group(members, on_hashed=lambda c, head: hashed.append((c.key, head is not None)))
    assert sorted(hashed) == [(0, False), (0, True), (1, False), (1, True)]   # partial, then full
    again = [Candidate(c.key, c.path, c.size, c.mtime_ns, c.inode, c.dev, c.nlink, c.partial, c.full)
             for c in members]
    os.remove(recs[0].path)             # stored hashes are trusted: nothing is read again
    hashed.clear()
    (g2,) = confirm_size_group(again, on_hashed=lambda c, head: hashed.append(c.key))
    assert hashed == [] and g2.hash == g.hash


def test_unreadable_or_vanished_member_is_reported_and_dropped(tmp_path):
    for n in ("a", "b", "c"):
        (tmp_path / n).write_bytes(b"q" * 50)
    recs = records(tmp_path)
    os.remove(tmp_path / "c")
    errors = []
    groups = duplicates_in(recs, on_error=lambda p, r: errors.append((os.path.basename(p), r)))
    assert rel(groups, tmp_path) == [["a", "b"]]
    assert errors == [("c", "vanished during scan")]


def test_matches_corpus_manifest(make_corpus):
    root, manifest = make_corpus(600, seed=3, total_mb=3)
    groups = duplicates_in(records(root))
    found = sorted(sorted(os.path.relpath(f.path, root) for f in g.files
                          if not f.path.endswith(".lnk")) for g in groups)
    # hard links (.lnk) share an inode with a listed file: the manifest leaves them out
    assert found == manifest["duplicate_groups"]
