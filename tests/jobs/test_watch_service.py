"""jobs.watch with real file events, the real organizer planner and executor, and a real database.

Timing: positive checks poll with a generous deadline (DEADLINE) and return as soon as they hold;
"nothing happens" checks first wait until the watcher is idle (nothing pending, scanning or being
organized) and then give it a few settle times. On a loaded 2-core machine one watcher step can take
seconds: the in-use check reads every process's open files from /proc, and each of those system
calls waits for the GIL behind any busy thread of the test process.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from app.jobs.watch import WatchService
from app.store import watched
from app.store.journal import JournalStore
from app.store.watched import WatchedFolder
from tests.core.watch_helpers import DEADLINE, wait_for, write_burst

SETTLE = 0.3
BY_EXT = {"preset": "by-extension"}


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


class Events:
    def __init__(self) -> None:
        self.batches, self.summaries, self.statuses = [], [], []
        self.lock = threading.Lock()

    def batch(self, b) -> None:
        with self.lock:
            self.batches.append(b)

    def summary(self, s) -> None:
        with self.lock:
            self.summaries.append(s)

    def status(self, folder, status, text) -> None:
        with self.lock:
            self.statuses.append((folder.path, status))


@pytest.fixture
def service(db, tmp_path):
    """Start a WatchService over folders given (or stored); stops them all after the test."""
    started: list[WatchService] = []

    def make(folders: list[WatchedFolder] | None = None, **kw) -> tuple[WatchService, Events]:
        ev = Events()
        svc = WatchService(db, folders, settle=SETTLE, on_batch=ev.batch, on_summary=ev.summary,
                           on_status=ev.status, health_interval=0.2, **kw)
        assert svc.start() == []
        started.append(svc)
        return svc, ev

    yield make
    for svc in started:
        svc.stop()


@pytest.fixture
def dirs(tmp_path):
    inbox, dest = tmp_path / "Downloads", tmp_path / "Sorted"
    inbox.mkdir()
    return inbox, dest


def watcher_entries(db) -> list:
    return [e for e in JournalStore(db).entries(1000) if e.source == "watcher"]


def test_created_moved_in_and_renamed_files_are_organized_and_journaled(db, service, dirs, tmp_path):
    inbox, dest = dirs
    svc, ev = service([WatchedFolder(str(inbox), BY_EXT, str(dest))])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "photo.JPG").write_bytes(b"jpeg")
    (inbox / "report.pdf").write_bytes(b"pdf")
    os.rename(elsewhere / "photo.JPG", inbox / "photo.JPG")
    (inbox / "song.mp3.part").write_bytes(b"mp3")
    time.sleep(SETTLE * 3)
    assert not (dest / "mp3").exists()                   # still a partial download
    os.rename(inbox / "song.mp3.part", inbox / "song.mp3")
    (inbox / "README").write_bytes(b"no extension")
    assert wait_for(lambda: tree(dest) == ["jpg/photo.JPG", "mp3/song.mp3", "no-extension/README",
                                           "pdf/report.pdf"])
    assert svc.wait_idle(DEADLINE)                       # the last run is journaled to the end
    assert tree(inbox) == []
    entries = watcher_entries(db)
    assert entries and all(e.status == "done" for e in entries)
    assert sum(e.done_count for e in entries) == 4
    recent = svc.recent(10)
    assert {os.path.basename(a.src) for a in recent} == {"photo.JPG", "report.pdf", "song.mp3", "README"}


def test_burst_of_1000_files_all_land_with_one_summary(db, service, dirs):
    inbox, dest = dirs
    svc, ev = service([WatchedFolder(str(inbox), BY_EXT, str(dest))])
    exts = ["txt", "jpg", "pdf", "csv"]
    write_burst(inbox, 1000, tuple(exts))
    assert wait_for(lambda: len(tree(dest)) == 1000, timeout=2 * DEADLINE)
    assert svc.wait_idle(DEADLINE)
    assert wait_for(lambda: len(ev.summaries) >= 1)
    time.sleep(SETTLE * 3)
    assert len(ev.summaries) == 1
    assert ev.summaries[0].done == 1000 and ev.summaries[0].problems == 0
    assert "1000 files" in ev.summaries[0].text()
    assert tree(inbox) == []
    for i in range(1000):
        assert (dest / exts[i % 4] / f"file{i:04d}.{exts[i % 4]}").read_bytes() == b"%d" % i


def test_pause_stops_actions_and_resume_catches_up(db, service, dirs):
    inbox, dest = dirs
    svc, ev = service([WatchedFolder(str(inbox), BY_EXT, str(dest))])
    (inbox / "a.txt").write_text("a")
    assert wait_for(lambda: tree(dest) == ["txt/a.txt"])
    svc.pause()
    (inbox / "b.txt").write_text("b")
    (inbox / "c.pdf").write_text("c")
    time.sleep(SETTLE * 5)
    assert tree(inbox) == ["b.txt", "c.pdf"]
    svc.resume()
    assert wait_for(lambda: tree(dest) == ["pdf/c.pdf", "txt/a.txt", "txt/b.txt"])


def test_watcher_made_moves_do_not_retrigger(db, service, dirs):
    """Destination inside a recursively watched folder: organized files are not organized again."""
    inbox, _ = dirs
    svc, ev = service([WatchedFolder(str(inbox), BY_EXT, str(inbox), recursive=True)])
    for name in ("a.txt", "b.pdf", "c.txt"):
        (inbox / name).write_text(name)
    assert wait_for(lambda: tree(inbox) == ["pdf/b.pdf", "txt/a.txt", "txt/c.txt"])
    assert svc.wait_idle(DEADLINE)
    time.sleep(SETTLE * 5)                     # events of the moves had time to come back
    assert svc.wait_idle(DEADLINE)
    assert tree(inbox) == ["pdf/b.pdf", "txt/a.txt", "txt/c.txt"]     # no txt/txt/a.txt, no "a (1).txt"
    assert sum(e.op_count - e.done_count for e in watcher_entries(db)) == 0
    done = sum(e.done_count for e in watcher_entries(db))
    svc.scan_now()                                                        # "Scan now" does not either
    assert svc.wait_idle(DEADLINE)             # the scan and everything it found are through
    assert tree(inbox) == ["pdf/b.pdf", "txt/a.txt", "txt/c.txt"]
    assert sum(e.done_count for e in watcher_entries(db)) == done


def test_catch_up_at_start_and_no_second_pass_after_restart(db, service, dirs):
    inbox, _ = dirs
    for name in ("old1.txt", "old2.jpg"):
        (inbox / name).write_text(name)
    folders = [WatchedFolder(str(inbox), BY_EXT, str(inbox), recursive=True)]
    svc, _ = service(folders)
    assert wait_for(lambda: tree(inbox) == ["jpg/old2.jpg", "txt/old1.txt"])
    assert svc.wait_idle(DEADLINE)
    svc.stop()
    before = sum(e.done_count for e in watcher_entries(db))
    (inbox / "while-closed.txt").write_text("new")
    svc2, _ = service(folders)                       # the app starts again: catch-up scan
    assert wait_for(lambda: tree(inbox) == ["jpg/old2.jpg", "txt/old1.txt", "txt/while-closed.txt"])
    assert svc2.wait_idle(DEADLINE)
    time.sleep(SETTLE * 3)
    assert svc2.wait_idle(DEADLINE)
    assert sum(e.done_count for e in watcher_entries(db)) == before + 1


def test_undo_last_brings_files_back_and_they_stay(db, service, dirs):
    inbox, dest = dirs
    svc, ev = service([WatchedFolder(str(inbox), BY_EXT, str(dest))])
    (inbox / "keep-me-here.pdf").write_bytes(b"pdf bytes")
    assert wait_for(lambda: tree(dest) == ["pdf/keep-me-here.pdf"])
    assert svc.wait_idle(DEADLINE)
    result = svc.undo_last()
    assert result is not None and result.done == 1 and not result.problems
    assert tree(inbox) == ["keep-me-here.pdf"]
    assert (inbox / "keep-me-here.pdf").read_bytes() == b"pdf bytes"
    time.sleep(SETTLE * 6)                             # the restore's events came in
    assert svc.wait_idle(DEADLINE)                     # and were looked at
    assert tree(inbox) == ["keep-me-here.pdf"]         # the watcher leaves the restored file alone
    assert svc.undo_last() is None or tree(inbox) == ["keep-me-here.pdf"]


def test_vanished_folder_is_reported_and_watched_again(db, service, dirs):
    inbox, dest = dirs
    svc, ev = service([WatchedFolder(str(inbox), BY_EXT, str(dest))])
    shutil.rmtree(inbox)
    assert wait_for(lambda: (str(inbox), "missing") in ev.statuses)
    assert [f.path for f in svc.missing()] == [str(inbox)]
    inbox.mkdir()
    (inbox / "back.txt").write_text("b")
    assert wait_for(lambda: (str(inbox), "back") in ev.statuses)
    assert wait_for(lambda: tree(dest) == ["txt/back.txt"])
    assert svc.missing() == []


def test_stored_folders_with_their_own_rules_and_switch(db, service, tmp_path):
    a, b, out = tmp_path / "a", tmp_path / "b", tmp_path / "out"
    a.mkdir()
    b.mkdir()
    fa = watched.add_folder(db, WatchedFolder(str(a), BY_EXT, str(out / "by-ext")))
    fb = watched.add_folder(db, WatchedFolder(str(b), {"preset": "by-category"}, str(out / "by-cat"),
                                              enabled=False))
    assert [f.path for f in watched.list_folders(db)] == [str(a), str(b)]
    assert [f.path for f in watched.list_folders(db, enabled_only=True)] == [str(a)]
    svc, _ = service()                                   # from the database
    (a / "x.txt").write_text("x")
    (b / "y.txt").write_text("y")
    assert wait_for(lambda: tree(out) == ["by-ext/txt/x.txt"])
    time.sleep(SETTLE * 3)
    assert tree(b) == ["y.txt"]                          # switched off
    watched.set_enabled(db, fb.id, True)
    svc.reload()
    assert wait_for(lambda: tree(b) == [])
    assert len(tree(out / "by-cat")) == 1 and tree(out / "by-cat")[0].endswith("y.txt")
    watched.remove_folder(db, fa.id)
    svc.reload()
    assert [f.path for f in svc.folders()] == [str(b)]


def test_pause_is_remembered_for_stored_folders(db, service, dirs):
    inbox, dest = dirs
    watched.add_folder(db, WatchedFolder(str(inbox), BY_EXT, str(dest)))
    svc, _ = service()
    svc.pause()
    svc.stop()
    (inbox / "a.txt").write_text("a")
    svc2, _ = service()
    assert svc2.paused
    time.sleep(SETTLE * 4)
    assert tree(inbox) == ["a.txt"]
    svc2.resume()
    assert wait_for(lambda: tree(dest) == ["txt/a.txt"])


def test_settle_setting(db):
    assert watched.settle_seconds(db) == 3.0
    watched.set_settle_seconds(db, 1.5)
    assert watched.settle_seconds(db) == 1.5
    assert WatchService(db).settle == 1.5


def test_my_organizer_rules_are_used_when_no_preset_is_chosen(db, service, dirs):
    from app.core.organize.rules import rule_from_dict
    from app.store.rules_repo import save_rule
    inbox, dest = dirs
    save_rule(db, rule_from_dict({"name": "Images",
                                  "conditions": [{"type": "category", "categories": ["images"]}],
                                  "actions": [{"type": "move", "to": "Pictures"}]}))
    svc, ev = service([WatchedFolder(str(inbox), [], str(dest))])
    (inbox / "cat.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (inbox / "notes.txt").write_text("not an image")
    assert wait_for(lambda: tree(dest) == ["Pictures/cat.png"])
    assert wait_for(lambda: ev.batches and sum(b.unmatched for b in ev.batches) >= 1)
    assert tree(inbox) == ["notes.txt"]


def test_no_rules_at_all_is_reported_not_guessed(db, dirs):
    inbox, _ = dirs
    svc = WatchService(db, [WatchedFolder(str(inbox), [], None)], settle=SETTLE)
    bad = svc.reload()
    assert len(bad) == 1 and "no organizer rules" in bad[0][1]
    bad = WatchService(db, [WatchedFolder(str(inbox), {"preset": "nope"}, None)]).reload()
    assert "unknown preset" in bad[0][1]
