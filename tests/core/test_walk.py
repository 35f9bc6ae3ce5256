import os

import pytest

from app.core.progress import Cancelled, Progress
from app.core.scan.walk import FileRecord, exclude_matcher, walk, walk_dirs


def collect(*roots, **kw):
    errors = []
    recs = [r for batch in walk(roots, on_error=lambda p, r: errors.append((p, r)), **kw) for r in batch]
    return {r.path: r for r in recs}, errors


def test_records_regular_files_with_stat_fields(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_bytes(b"12345")
    (tmp_path / "y.bin").write_bytes(b"")
    recs, errors = collect(tmp_path)
    assert errors == []
    x = recs[str(tmp_path / "a" / "x.txt")]
    st = os.lstat(tmp_path / "a" / "x.txt")
    assert isinstance(x, FileRecord)
    assert (x.size, x.mtime_ns, x.inode, x.dev, x.nlink, x.is_link) == (
        5, st.st_mtime_ns, st.st_ino, st.st_dev, 1, False)
    assert recs[str(tmp_path / "y.bin")].size == 0


def test_symlinks_reported_never_followed_and_loops_terminate(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "f.txt").write_text("x")
    (d / "loop").symlink_to(tmp_path)              # a loop back to the root
    (d / "self").symlink_to("self")                # a link to itself
    (d / "dangling").symlink_to(tmp_path / "nope")
    recs, errors = collect(tmp_path)
    assert errors == []
    links = {p for p, r in recs.items() if r.is_link}
    assert links == {str(d / "loop"), str(d / "self"), str(d / "dangling")}
    assert [p for p in recs if not recs[p].is_link] == [str(d / "f.txt")]


def test_bind_style_loop_visits_a_folder_once(tmp_path):
    (tmp_path / "f").write_text("x")
    # the same folder given twice as a root is walked once
    recs = [r for b in walk([tmp_path, tmp_path]) for r in b]
    assert len(recs) == 1


def test_hidden_and_exclude(tmp_path):
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "in.txt").write_text("x")
    (tmp_path / ".dot.txt").write_text("x")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "m.js").write_text("x")
    (tmp_path / "keep.txt").write_text("x")
    (tmp_path / "skip.tmp").write_text("x")
    recs, _ = collect(tmp_path)
    assert len(recs) == 5
    recs, _ = collect(tmp_path, include_hidden=False, exclude=("node_modules", "*.tmp"))
    assert list(recs) == [str(tmp_path / "keep.txt")]
    recs, _ = collect(tmp_path, exclude=(str(tmp_path / ".hidden"),))
    assert str(tmp_path / ".hidden" / "in.txt") not in recs


def test_exclude_matcher_matches_name_or_full_path():
    m = exclude_matcher(["*.log", "/x/cache"])
    assert m("a.log", "/y/a.log")
    assert m("cache", "/x/cache")
    assert not m("cache", "/y/cache")
    assert exclude_matcher([]) is None


def test_undecodable_names_round_trip(tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9-\xff.txt"
    with open(raw, "wb") as fh:
        fh.write(b"data")
    recs, errors = collect(tmp_path)
    assert errors == []
    (path,) = recs
    assert os.fsencode(path) == raw
    assert recs[path].size == 4


def test_missing_root_and_file_root(tmp_path):
    f = tmp_path / "one.txt"
    f.write_text("abc")
    recs, errors = collect(tmp_path / "missing", f)
    assert list(recs) == [str(f)]
    assert errors == [(str(tmp_path / "missing"), "does not exist")]
    listing = next(walk_dirs([f]))
    assert listing.complete is False


def test_batches_respect_batch_size(tmp_path):
    for i in range(25):
        (tmp_path / f"{i}.txt").write_text("x")
    sizes = [len(b) for b in walk([tmp_path], batch_size=10)]
    assert sum(sizes) == 25 and len(sizes) == 1      # one folder: batches break between folders
    sub = [tmp_path / f"d{i}" for i in range(4)]
    for d in sub:
        d.mkdir()
        for i in range(5):
            (d / f"{i}").write_text("x")
    sizes = [len(b) for b in walk([tmp_path], batch_size=10)]
    assert sum(sizes) == 45 and len(sizes) > 1


def test_very_deep_and_long_paths(tmp_path):
    # a path longer than PATH_MAX (4096): the walk reports it and goes on
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        for _ in range(20):
            os.mkdir("d" * 250)
            os.chdir("d" * 250)
            with open("f.txt", "w") as fh:
                fh.write("x")
        with open("deep.txt", "w") as fh:
            fh.write("x")
    finally:
        os.chdir(cwd)
    (tmp_path / "ok.txt").write_text("y")
    recs, errors = collect(tmp_path)
    assert str(tmp_path / "ok.txt") in recs
    assert any(reason == "path too long" for _, reason in errors)
    long_ok = [p for p in recs if len(p) > 3000]
    assert long_ok, "paths up to the OS limit are recorded"


def test_cancel_stops_the_walk(tmp_path):
    for i in range(3):
        (tmp_path / f"d{i}").mkdir()
        (tmp_path / f"d{i}" / "f").write_text("x")
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        list(walk([tmp_path], progress=progress))
