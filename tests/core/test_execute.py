"""The executor: journal first, act, confirm; per-file problems; undo of every kind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.ops.execute import DONE, PLANNED, SKIPPED, execute
from app.core.ops.plan import FileState, Operation, OpKind, Plan
from app.core.progress import Progress
from app.jobs.undo import undo
from app.store.journal import JournalStore


@pytest.fixture
def store(db):
    return JournalStore(db)


def write(path: Path, data: bytes | str = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def move(src: Path, dst: Path) -> Operation:
    return Operation(OpKind.MOVE, str(src), str(dst), expect=FileState.of(str(src)))


class SpyJournal:
    """Wraps the real store and records, at each call, the disk state of the plan's sources."""

    def __init__(self, store: JournalStore, paths: list[Path]):
        self.store, self.paths, self.seen = store, paths, []

    def begin(self, *a, **k):
        return self.store.begin(*a, **k)

    def record(self, entry, records):
        self.seen.append(("record", [p.exists() for p in self.paths]))
        self.store.record(entry, records)

    def mark(self, entry, records):
        self.store.mark(entry, records)

    def finish(self, entry):
        self.store.finish(entry)


def test_every_operation_is_journaled_before_any_file_moves(tmp_path, store):
    srcs = [write(tmp_path / f"a{i}.txt", str(i)) for i in range(5)]
    spy = SpyJournal(store, srcs)
    result = execute(Plan("organizer", [move(s, tmp_path / "out" / s.name) for s in srcs]), spy)
    assert spy.seen == [("record", [True] * 5)]          # journaled while every file was still in place
    assert result.done == 5
    assert [r.state for r in store.records(result.entry_id)] == [DONE] * 5
    entry = store.entry(result.entry_id)
    assert (entry.status, entry.done_count, entry.bytes) == ("done", 5, 5)


def test_confirmations_are_batched_not_per_operation(tmp_path, store):
    srcs = [write(tmp_path / f"a{i}", "x") for i in range(1200)]
    calls = []

    class Counting(SpyJournal):
        def mark(self, entry, records):
            calls.append(len(records))
            super().mark(entry, records)

    execute(Plan("organizer", [move(s, tmp_path / "o" / s.name) for s in srcs]), Counting(store, []),
            batch_seconds=3600)
    assert calls == [500, 500, 200]


def test_move_never_overwrites_a_different_file(tmp_path, store):
    src, dst = write(tmp_path / "a.txt", "new"), write(tmp_path / "b.txt", "old")
    result = execute(Plan("organizer", [move(src, dst)]), store)
    assert result.failed == 1 and "already exists" in result.problems[0][1]
    assert src.read_text() == "new" and dst.read_text() == "old"


def test_changed_or_vanished_source_is_skipped_and_reported(tmp_path, store):
    changed, gone, ok = (write(tmp_path / n, "1") for n in ("changed", "gone", "ok"))
    ops = [move(p, tmp_path / "out" / p.name) for p in (changed, gone, ok)]
    changed.write_text("22")
    gone.unlink()
    result = execute(Plan("organizer", ops), store)
    states = {Path(r.op.src).name: (r.state, r.error) for r in result.records}
    assert states["changed"][0] == SKIPPED and "changed since the plan" in states["changed"][1]
    assert states["gone"] == (SKIPPED, "no longer exists")
    assert states["ok"] == (DONE, None)
    assert changed.read_text() == "22" and (tmp_path / "out" / "ok").exists()
    assert store.entry(result.entry_id).status == "partial"


def test_inode_change_counts_as_changed(tmp_path, store):
    src = write(tmp_path / "a", "same")
    op = move(src, tmp_path / "b")
    st = os.stat(src)
    src.rename(tmp_path / "old")           # keeps the old inode busy so the new file gets another
    write(src, "same")
    os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert execute(Plan("organizer", [op]), store).skipped == 1


def test_cross_device_move_keeps_bytes_times_and_mode(tmp_path, store):
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system at /dev/shm")
    target = Path(os.path.realpath(shm)) / f"fo-test-{os.getpid()}-{tmp_path.name}"
    try:
        src = write(tmp_path / "big.bin", os.urandom(3 << 20))
        os.chmod(src, 0o640)
        os.utime(src, ns=(1_600_000_000_123_456_789, 1_500_000_000_987_654_321))
        data, st = src.read_bytes(), os.stat(src)
        result = execute(Plan("organizer", [move(src, target / "sub" / "big.bin")]), store)
        assert result.done == 1, result.problems
        moved = target / "sub" / "big.bin"
        mst = os.stat(moved)
        assert moved.read_bytes() == data and not src.exists()
        assert (mst.st_mtime_ns, mst.st_mode) == (st.st_mtime_ns, st.st_mode)
        assert [p.name for p in (target / "sub").iterdir()] == ["big.bin"]     # no temp name left
        undo(store.db)
        assert src.read_bytes() == data and not target.joinpath("sub").exists()
    finally:
        import shutil
        shutil.rmtree(target, ignore_errors=True)


def test_cancel_marks_the_rest_skipped(tmp_path, store):
    srcs = [write(tmp_path / f"a{i}", "x") for i in range(10)]
    progress = Progress()

    def listener(snap):
        if snap.done >= 3:
            progress.cancel()

    progress.listener, progress.min_interval = listener, 0
    result = execute(Plan("organizer", [move(s, tmp_path / "o" / s.name) for s in srcs]), store, progress)
    assert result.cancelled and result.done == 3 and result.skipped == 7
    assert {r.state for r in store.records(result.entry_id)} == {DONE, SKIPPED}
    assert PLANNED not in {r.state for r in store.records(result.entry_id)}


def test_copy_rename_mkdir_rmdir_and_their_undo(tmp_path, store):
    a = write(tmp_path / "a.txt", "A")
    b = write(tmp_path / "b.txt", "B")
    empty = tmp_path / "empty"
    empty.mkdir()
    plan = Plan("organizer", [
        Operation(OpKind.COPY, str(a), str(tmp_path / "c" / "a-copy.txt"), expect=FileState.of(str(a))),
        Operation(OpKind.RENAME, str(b), str(tmp_path / "b2.txt"), expect=FileState.of(str(b))),
        Operation(OpKind.MKDIR, str(tmp_path / "newdir"), str(tmp_path / "newdir")),
        Operation(OpKind.RMDIR, str(empty)),
    ])
    result = execute(plan, store)
    assert result.done == 4, result.problems
    assert (tmp_path / "c" / "a-copy.txt").read_text() == "A" and a.exists()
    assert (tmp_path / "b2.txt").read_text() == "B" and not b.exists()
    assert (tmp_path / "newdir").is_dir() and not empty.exists()
    u = undo(store.db)
    assert u.problems == [] and u.run.done == 5       # 4 inverses + the created folder "c"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name not in ("app-home", "xdg")) == [
        "a.txt", "b.txt", "empty"]
    assert store.entry(result.entry_id).status == "undone"


def test_undo_refuses_to_overwrite_a_file_that_appeared(tmp_path, store):
    src = write(tmp_path / "a.txt", "mine")
    execute(Plan("organizer", [move(src, tmp_path / "moved.txt")]), store)
    write(src, "someone else's")
    u = undo(store.db)
    assert u.run.failed == 1 and "already exists" in u.problems[0][1]
    assert src.read_text() == "someone else's" and (tmp_path / "moved.txt").read_text() == "mine"


def test_undo_skips_a_moved_file_that_changed_since(tmp_path, store):
    src = write(tmp_path / "a.txt", "v1")
    execute(Plan("organizer", [move(src, tmp_path / "moved.txt")]), store)
    (tmp_path / "moved.txt").write_text("v2 edited")
    u = undo(store.db)
    assert u.run.skipped == 1 and "changed since" in u.problems[0][1]
    assert (tmp_path / "moved.txt").read_text() == "v2 edited"


def test_delete_cannot_be_undone_and_says_so(tmp_path, store):
    src = write(tmp_path / "gone.txt", "x")
    execute(Plan("duplicates", [Operation(OpKind.DELETE, str(src), expect=FileState.of(str(src)))]), store)
    u = undo(store.db)
    assert not src.exists() and u.problems == [(str(src), "permanently deleted; cannot be restored")]


def test_odd_names_round_trip_through_journal_and_undo(tmp_path, store):
    names = ["sp ace.txt", "ünï cødé 日本.txt", "new\nline", "quote'\"", os.fsdecode(b"bad-\xff\xfe.bin"),
             "-dash", "*star?"]
    srcs = [write(tmp_path / "in" / n, n.encode("utf-8", "surrogateescape")) for n in names]
    result = execute(Plan("organizer", [move(s, tmp_path / "out" / s.name) for s in srcs]), store)
    assert result.done == len(names), result.problems
    recs = store.records(result.entry_id)
    assert [Path(r.op.src).name for r in recs] == names
    undo(store.db)
    assert sorted(os.listdir(tmp_path / "in")) == sorted(names)
    for s in srcs:
        assert s.read_bytes() == s.name.encode("utf-8", "surrogateescape")


def test_platform_trash_undo_tells_the_user_to_restore_by_hand(tmp_path, store, monkeypatch):
    from app.core.ops import trash

    bin_ = tmp_path / "platform-bin"
    bin_.mkdir()
    monkeypatch.setattr(trash, "FREEDESKTOP", False)            # as on Windows and macOS
    monkeypatch.setattr(trash, "send_to_platform_trash", lambda p: os.rename(p, bin_ / Path(p).name))
    f = write(tmp_path / "doc.txt", "x")
    plan = Plan("duplicates", [Operation(OpKind.TRASH, str(f), expect=FileState.of(str(f)))])
    result = execute(plan, store)
    assert result.done == 1 and (bin_ / "doc.txt").exists()
    u = undo(store.db)
    assert u.problems == [(str(f), "moved to the system trash: restore it from the trash by hand")]
    assert not f.exists()


def test_a_journal_that_cannot_record_stops_the_run_before_any_file_moves(tmp_path, store):
    src = write(tmp_path / "a", "x")

    class Full(SpyJournal):
        def record(self, entry, records):
            raise OSError(28, "database or disk is full")

    with pytest.raises(OSError):
        execute(Plan("organizer", [move(src, tmp_path / "b")]), Full(store, []))
    assert src.exists() and not (tmp_path / "b").exists()
    [entry] = store.entries()
    assert entry.status == "failed" and store.running() == []


def test_the_journal_protocol_is_all_the_executor_needs(tmp_path):
    """Core runs against any Journal implementation (here in memory), not only the store."""
    calls = []

    class MemoryJournal:
        def begin(self, run_id, source, title, undo_of=None):
            calls.append(("begin", source))
            return 7

        def record(self, entry_id, records):
            calls.append(("record", entry_id, [r.state for r in records]))

        def mark(self, entry_id, records):
            calls.append(("mark", entry_id, [r.state for r in records]))

        def finish(self, entry_id):
            calls.append(("finish", entry_id))

    src = write(tmp_path / "a", "x")
    result = execute(Plan("watcher", [move(src, tmp_path / "b")]), MemoryJournal())
    assert result.entry_id == 7 and result.done == 1
    assert calls == [("begin", "watcher"), ("record", 7, [PLANNED]), ("mark", 7, [DONE]), ("finish", 7)]
