"""Grouping while the walk runs (core.dedup_online) equals the staged grouping of core.dedup."""

import os
import random

from app.core.dedup import duplicates_in
from app.core.dedup_online import OnlineGrouper
from app.core.walk import walk_dirs


def listings(root):
    return [listing.files for listing in walk_dirs([str(root)])]


def shape(groups):
    return sorted((g.size, g.hash, tuple((f.path, f.hardlinked) for f in g.files)) for g in groups)


def online(root, **kw):
    hashed, errors = [], []
    g = OnlineGrouper(on_hashed=lambda c, head: hashed.append((c.path, c.partial, c.full)),
                      on_error=lambda p, r: errors.append((p, r)), **kw)
    for files in listings(root):
        g.add(files)
        g.run(3)                    # interleave like the helper does: a little hashing per folder
    return g, g.groups(), hashed, errors


def make_tree(root, seed=3):
    rnd = random.Random(seed)
    blobs = [rnd.randbytes(n) for n in (1, 7, 4096, 8192, 8193, 20000, 20000, 70000)]
    blobs.append(blobs[-1][:-1] + b"\x00")        # same size, same head and tail region? differs at end
    blobs.append(b"\x01" + blobs[-2][1:])          # differs only in the first byte
    for i in range(60):
        d = root / f"d{i % 7}" / f"s{i % 3}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"f{i}.bin").write_bytes(rnd.choice(blobs))
    (root / "empty1").write_bytes(b"")
    (root / "empty2").write_bytes(b"")
    os.link(root / "d0" / "s0" / "f0.bin", root / "hard link")
    os.symlink(root / "d1" / "s1" / "f1.bin", root / "sym")


def test_equals_staged_grouping(tmp_path):
    make_tree(tmp_path)
    records = [r for files in listings(tmp_path) for r in files]
    g, groups, hashed, errors = online(tmp_path)
    assert shape(groups) == shape(duplicates_in(records)) and groups and errors == []
    assert g.pending == 0 and g.files == len(records)
    assert all(not p.endswith("sym") for p, _, _ in hashed)
    assert not any(f.path.endswith("empty1") for grp in groups for f in grp.files)
    linked = [f for grp in groups for f in grp.files if f.path.endswith("hard link")]
    assert linked and linked[0].hardlinked


def test_size_limits_and_paranoid(tmp_path):
    make_tree(tmp_path, seed=5)
    records = [r for files in listings(tmp_path) for r in files]
    for kw in ({"min_size": 4096}, {"max_size": 8192}, {"min_size": 8000, "max_size": 30000},
               {"paranoid": True}):
        _, groups, _, _ = online(tmp_path, **kw)
        assert shape(groups) == shape(duplicates_in(records, **kw)), kw


def test_hashes_only_files_with_a_partner(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 10000)
    (tmp_path / "b").write_bytes(b"y" * 10000)      # same size, other bytes: partial hash differs
    (tmp_path / "c").write_bytes(b"z" * 123)        # a size seen once: never opened
    _, groups, hashed, _ = online(tmp_path)
    assert groups == []
    assert sorted(os.path.basename(p) for p, _, _ in hashed) == ["a", "b"]
    assert all(full is None for _, _, full in hashed)   # partials differ: no full hash needed


def test_a_file_vanishing_before_its_hash_is_reported_and_left_out(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / name).write_bytes(b"same" * 1000)
    errors = []
    g = OnlineGrouper(on_error=lambda p, r: errors.append((p, r)))
    for files in listings(tmp_path):
        g.add(files)
    os.remove(tmp_path / "b")
    (grp,) = g.groups()
    assert sorted(os.path.basename(f.path) for f in grp.files) == ["a", "c"]
    assert errors == [(str(tmp_path / "b"), "vanished during scan")]
