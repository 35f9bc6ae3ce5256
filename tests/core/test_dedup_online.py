"""Hashing while the walk runs (core.dedup.online): exactly the hashes the staged rule needs."""

import os
import random

from app.core.dedup import hashing
from app.core.dedup.online import EarlyHashes
from app.core.scan.categories import sniff
from app.core.scan.walk import walk_dirs


def run_early(root, **kw):
    """Feed the walk folder by folder, hashing due work in-process; returns (plan, work done)."""
    plan = EarlyHashes(**kw)
    done: list[tuple[int, str]] = []

    def work(due):
        while due:
            for stage in (hashing.PARTIAL, hashing.FULL):
                items = [(k, p, s) for st, k, p, s in due if st == stage]
                done.extend((stage, p) for _, p, _ in items)
                due = [d for d in due if d[0] != stage] + (plan.done(hashing.hash_batch(stage, items))
                                                           if items else [])

    for listing in walk_dirs([str(root)]):
        work(plan.add(listing.files))
    assert plan.outstanding == 0
    return plan, done


def expected(root, min_size=1, max_size=None):
    """The staged rule computed directly: (paths due a partial hash, paths due a full hash), one
    path per inode."""
    records = [r for listing in walk_dirs([str(root)]) for r in listing.files
               if not r.is_link and r.size >= max(1, min_size) and (max_size is None or r.size <= max_size)]
    by_size: dict[int, dict] = {}
    for r in records:
        by_size.setdefault(r.size, {}).setdefault((r.dev, r.inode), r.path)
    partial, full = set(), set()
    for inodes in by_size.values():
        if len(inodes) < 2:
            continue
        partial.update(inodes.values())
        by_partial: dict[bytes, list[str]] = {}
        for path in inodes.values():
            p, f, _ = hashing.partial_hash(path, os.path.getsize(path))
            if f is None:
                by_partial.setdefault(p, []).append(path)
        full.update(p for same in by_partial.values() if len(same) > 1 for p in same)
    return partial, full


def make_tree(root, seed):
    rnd = random.Random(seed)
    print(f"seed {seed}")
    blobs = [rnd.randbytes(n) for n in (1, 7, 4096, 8192, 8193, 20000, 20000, 70000)]
    blobs.append(blobs[-1][:-1] + b"\x00")        # same size, same head, differs at the end
    blobs.append(b"\x01" + blobs[-2][1:])          # differs only in the first byte
    for i in range(60):
        d = root / f"d{i % 7}" / f"s{i % 3}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"f{i}.bin").write_bytes(rnd.choice(blobs))
    (root / "empty1").write_bytes(b"")
    (root / "empty2").write_bytes(b"")
    os.link(root / "d0" / "s0" / "f0.bin", root / "hard link")
    os.symlink(root / "d1" / "s1" / "f1.bin", root / "sym")


def test_hashes_exactly_what_the_staged_rule_needs(tmp_path):
    make_tree(tmp_path, seed=3)
    plan, done = run_early(tmp_path)
    partial, full = expected(tmp_path)
    got_partial = [p for st, p in done if st == hashing.PARTIAL]
    got_full = [p for st, p in done if st == hashing.FULL]
    assert len(got_partial) == len(set(got_partial)) and len(got_full) == len(set(got_full))   # once each
    # one path per inode: the hard link and its original count as one
    inode = {p: (os.stat(p).st_dev, os.stat(p).st_ino) for p in partial | set(got_partial)}
    assert {inode[p] for p in got_partial} == {inode[p] for p in partial}
    assert {inode[p] for p in got_full} == {inode[p] for p in full}
    assert not any(p.endswith(("sym", "empty1", "empty2")) for _, p in done)
    # every path of a hashed inode is known, hard links included, with the true hashes
    for path in partial:
        known = plan.known[path]
        p, f, head = hashing.partial_hash(path, os.path.getsize(path))
        assert known[0] == p and known[2] == sniff(head)
        if path in full:
            assert known[1] == hashing.full_hash(path, os.path.getsize(path))
    assert plan.known[str(tmp_path / "hard link")] == plan.known[str(tmp_path / "d0" / "s0" / "f0.bin")]


def test_size_limits(tmp_path):
    make_tree(tmp_path, seed=5)
    for kw in ({"min_size": 4096}, {"max_size": 8192}, {"min_size": 8000, "max_size": 30000}):
        _, done = run_early(tmp_path, **kw)
        partial, _ = expected(tmp_path, **kw)
        assert {os.stat(p).st_ino for st, p in done if st == hashing.PARTIAL} == \
            {os.stat(p).st_ino for p in partial}, kw


def test_a_size_seen_once_is_never_read_and_the_limit_stops_taking_files(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 10000)
    (tmp_path / "b").write_bytes(b"y" * 10000)      # same size, other bytes: partial hash differs
    (tmp_path / "c").write_bytes(b"z" * 123)        # a size seen once: never opened
    plan, done = run_early(tmp_path)
    assert sorted(os.path.basename(p) for _, p in done) == ["a", "b"]
    limited, done = run_early(tmp_path, limit=1)
    assert limited.full and done == []


def test_an_unreadable_file_is_left_for_the_finder(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 100)
    (tmp_path / "b").write_bytes(b"x" * 100)
    plan = EarlyHashes()
    (listing,) = list(walk_dirs([str(tmp_path)]))
    due = plan.add(listing.files)
    (tmp_path / "b").unlink()                       # gone before its turn
    plan.done(hashing.hash_batch(hashing.PARTIAL, [(k, p, s) for _, k, p, s in due]))
    assert str(tmp_path / "a") in plan.known and str(tmp_path / "b") not in plan.known
    assert plan.outstanding == 0
