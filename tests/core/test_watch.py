"""core.watch.watcher with real inotify events: arrivals, settling, partial names, bursts, pause,
vanishing."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from app.core.watch.watcher import Watcher
from tests.core.watch_helpers import wait_for, write_burst

SETTLE = 0.4


class Recorder:
    """Collects what the watcher hands on, with the time each batch came."""

    def __init__(self) -> None:
        self.batches: list[tuple[str, list[str], float]] = []
        self.statuses: list[tuple[str, str]] = []
        self.idle: list[int] = []                 # number of files handed on when on_idle came
        self.lock = threading.Lock()

    def on_idle(self) -> None:
        self.idle.append(len(self.names()))

    def ready(self, key: str, paths: list[str]) -> None:
        with self.lock:
            self.batches.append((key, list(paths), time.monotonic()))

    def status(self, key: str, status: str, _text: str) -> None:
        with self.lock:
            self.statuses.append((key, status))

    def names(self) -> list[str]:
        with self.lock:
            return sorted(os.path.basename(p) for _, paths, _ in self.batches for p in paths)

    def when(self, name: str) -> float | None:
        with self.lock:
            for _, paths, at in self.batches:
                if any(os.path.basename(p) == name for p in paths):
                    return at
        return None


@pytest.fixture
def watch(tmp_path: Path):
    """Start a Watcher on tmp_path/'in' (settle SETTLE unless told); stops it after the test."""
    made: list[Watcher] = []

    def make(folder: Path | None = None, settle: float = SETTLE, idle_delay: float = 0.5,
             **kw) -> tuple[Watcher, Recorder]:
        folder = folder or tmp_path / "in"
        folder.mkdir(exist_ok=True)
        rec = Recorder()
        w = Watcher(rec.ready, settle=settle, on_status=rec.status, on_idle=rec.on_idle,
                    idle_delay=idle_delay, health_interval=0.2)
        w.add_folder("in", str(folder), **kw)
        w.start()
        made.append(w)
        return w, rec

    yield make
    for w in made:
        w.stop()


def test_created_moved_in_and_renamed_files_are_handed_on(tmp_path, watch):
    w, rec = watch()
    inbox = tmp_path / "in"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "moved.txt").write_text("moved")
    (inbox / "created.txt").write_text("created")
    os.rename(outside / "moved.txt", inbox / "moved.txt")
    (inbox / "draft.txt.tmp").write_text("x")
    os.rename(inbox / "draft.txt.tmp", inbox / "renamed.txt")
    assert wait_for(lambda: rec.names() == ["created.txt", "moved.txt", "renamed.txt"])
    assert w.wait_idle(60)
    assert rec.names() == ["created.txt", "moved.txt", "renamed.txt"]     # each exactly once


def test_files_present_before_start_are_caught_up_once(tmp_path, watch):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(3):
        (inbox / f"old{i}.txt").write_text(str(i))
    w, rec = watch()
    assert wait_for(lambda: len(rec.names()) == 3)
    w.scan()                       # unchanged files are not handed on twice
    time.sleep(SETTLE * 3)
    assert w.wait_idle(60) and rec.names() == ["old0.txt", "old1.txt", "old2.txt"]
    w.scan(force=True)             # "Scan now" from the tray: everything again
    assert wait_for(lambda: len(rec.names()) == 6)


@pytest.mark.slow
def test_file_written_in_chunks_for_5s_is_not_handed_on_until_it_stops_changing(tmp_path, watch):
    w, rec = watch(settle=3.0)
    target = tmp_path / "in" / "video.mp4"
    with open(target, "wb") as f:            # a writer that closes and reopens, like a slow copier
        f.write(b"a" * 1000)
    started = time.monotonic()
    for _ in range(5):
        time.sleep(1.0)
        last_write = time.monotonic()        # taken before the write: a load-proof lower bound
        with open(target, "ab") as f:
            f.write(b"b" * 1000)
    assert rec.names() == []
    assert wait_for(lambda: rec.names() == ["video.mp4"])
    handed = rec.when("video.mp4")
    assert handed - last_write >= 3.0 - 0.05        # only after a full quiet settle time
    assert handed - started >= 5.0
    assert target.stat().st_size == 6000


def test_file_held_open_for_writing_waits_until_closed(tmp_path, watch):
    w, rec = watch()
    target = tmp_path / "in" / "big.iso"
    with open(target, "wb") as f:
        f.write(b"x" * 100)
        f.flush()
        time.sleep(SETTLE * 4)               # unchanged for longer than the settle time, but open
        assert rec.names() == []
    assert wait_for(lambda: rec.names() == ["big.iso"])


def test_partial_download_names_are_ignored_until_renamed(tmp_path, watch):
    w, rec = watch()
    inbox = tmp_path / "in"
    names = ["a.pdf.part", "b.zip.crdownload", "c.dmg.download", "d.tmp", "~$report.docx",
             ".~lock.sheet.ods#", ".hidden", "notes.txt~", "Unconfirmed 123.crdownload"]
    for name in names:
        (inbox / name).write_text("partial")
    (inbox / "a.pdf").write_text("")         # Firefox's placeholder beside its .part
    time.sleep(SETTLE * 4)
    assert rec.names() == []
    (inbox / "a.pdf.part").write_text("the whole pdf")
    os.replace(inbox / "a.pdf.part", inbox / "a.pdf")
    os.rename(inbox / "b.zip.crdownload", inbox / "b.zip")
    assert wait_for(lambda: rec.names() == ["a.pdf", "b.zip"])
    assert (inbox / "a.pdf").read_text() == "the whole pdf"


def test_burst_of_1000_files_all_arrive_in_few_batches(tmp_path, watch):
    # idle_delay as in the app: the writer (or the watcher's event thread) being descheduled for a
    # moment on a loaded machine must not split the burst's "it is over" in two.
    w, rec = watch(idle_delay=1.5)
    span = write_burst(tmp_path / "in", 1000)
    assert wait_for(lambda: len(rec.names()) >= 1000)
    assert w.wait_idle(60)
    assert rec.names() == [f"file{i:04d}.dat" for i in range(1000)]     # every file, each once
    # What settled by a worker tick goes out as one batch: batches come at most one per tick, so a
    # burst written in `span` seconds takes about (span + settle) / tick of them, however many files
    # it has. One batch per file (or per few files) would be hundreds.
    sizes = [len(paths) for _, paths, _ in rec.batches]
    times = [at for _, _, at in rec.batches]
    assert len(sizes) <= (times[-1] - times[0]) / w.tick + 2, sizes
    assert len(sizes) <= max(20, (span + SETTLE) / w.tick + 5), (span, sizes)
    assert wait_for(lambda: rec.idle == [1000])          # one "burst is over" for all of them
    time.sleep(0.5)
    assert rec.idle == [1000]


def test_pause_stops_handing_on_and_resume_catches_up(tmp_path, watch):
    w, rec = watch()
    inbox = tmp_path / "in"
    (inbox / "before.txt").write_text("1")
    assert wait_for(lambda: rec.names() == ["before.txt"])
    w.pause()
    (inbox / "during1.txt").write_text("2")
    (inbox / "during2.txt").write_text("3")
    time.sleep(SETTLE * 4)
    assert rec.names() == ["before.txt"]
    w.resume()
    assert wait_for(lambda: rec.names() == ["before.txt", "during1.txt", "during2.txt"])


def test_own_results_are_not_handed_on_again_until_changed(tmp_path, watch):
    w, rec = watch()
    inbox = tmp_path / "in"
    made = tmp_path / "made.txt"
    made.write_text("organized")
    w.mark_own([str(made)])                      # identity is kept by a rename
    os.rename(made, inbox / "made.txt")
    w.mark_own([str(inbox / "made.txt")])
    (inbox / "other.txt").write_text("x")
    assert wait_for(lambda: rec.names() == ["other.txt"])
    time.sleep(SETTLE * 3)
    assert rec.names() == ["other.txt"]
    (inbox / "made.txt").write_text("edited by the user")
    assert wait_for(lambda: rec.names() == ["made.txt", "other.txt"])


def test_recursive_watch_skips_excluded_destination(tmp_path, watch):
    inbox = tmp_path / "in"
    (inbox / "sorted").mkdir(parents=True)
    w, rec = watch(recursive=True, exclude=(str(inbox / "sorted"),))
    (inbox / "sub").mkdir()
    (inbox / "sub" / "deep.txt").write_text("d")
    (inbox / "sorted" / "done.txt").write_text("s")
    outside = tmp_path / "tree"
    (outside / "inner").mkdir(parents=True)
    (outside / "inner" / "moved-dir-file.txt").write_text("m")
    os.rename(outside, inbox / "tree")          # a whole folder moved in
    assert wait_for(lambda: rec.names() == ["deep.txt", "moved-dir-file.txt"])
    time.sleep(SETTLE * 2)
    assert rec.names() == ["deep.txt", "moved-dir-file.txt"]


def test_vanished_folder_is_reported_and_watched_again_when_back(tmp_path, watch):
    w, rec = watch()
    inbox = tmp_path / "in"
    (inbox / "one.txt").write_text("1")
    assert wait_for(lambda: rec.names() == ["one.txt"])
    shutil.rmtree(inbox)                                   # the drive is unplugged
    assert wait_for(lambda: ("in", "missing") in rec.statuses)
    assert w.missing() == ["in"]
    inbox.mkdir()
    (inbox / "two.txt").write_text("2")                    # present when it comes back
    assert wait_for(lambda: ("in", "back") in rec.statuses)
    (inbox / "three.txt").write_text("3")                  # and new events are seen again
    assert wait_for(lambda: rec.names() == ["one.txt", "three.txt", "two.txt"])
    assert w.missing() == []


def test_folder_missing_at_start_is_reported_then_picked_up(tmp_path):
    rec = Recorder()
    inbox = tmp_path / "later"
    w = Watcher(rec.ready, settle=SETTLE, on_status=rec.status, health_interval=0.2)
    w.add_folder("later", str(inbox))
    w.start()
    try:
        assert wait_for(lambda: w.missing() == ["later"])
        assert wait_for(lambda: rec.statuses == [("later", "missing")])   # reported once, after
        inbox.mkdir()
        (inbox / "a.txt").write_text("a")
        assert wait_for(lambda: rec.names() == ["a.txt"])
        assert ("later", "back") in rec.statuses
    finally:
        w.stop()


def test_a_failing_callback_does_not_stop_the_watcher(tmp_path):
    calls: list[list[str]] = []

    def flaky(key: str, paths: list[str]) -> None:
        calls.append(paths)
        if len(calls) == 1:
            raise RuntimeError("boom")

    inbox = tmp_path / "in"
    inbox.mkdir()
    w = Watcher(flaky, settle=SETTLE)
    w.add_folder("in", str(inbox))
    w.start()
    try:
        (inbox / "a.txt").write_text("a")
        assert wait_for(lambda: len(calls) == 1)
        (inbox / "b.txt").write_text("b")
        assert wait_for(lambda: len(calls) == 2)
        assert [os.path.basename(p) for p in calls[1]] == ["b.txt"]
    finally:
        w.stop()


UNWATCHABLE_SCRIPT = """
import sys, time
from app.core.watch.watcher import Watcher
statuses = []
w = Watcher(lambda k, p: None, settle=0.2, health_interval=0.1,
            on_status=lambda k, s, t: statuses.append((s, t)))
w.add_folder("locked", sys.argv[1])
w.start()
deadline = time.monotonic() + 60
while not statuses and time.monotonic() < deadline:
    time.sleep(0.05)
time.sleep(0.5)
w.stop()
for s, t in statuses:
    print(s, t)
"""


@pytest.fixture
def shared_dir():
    """A folder the unprivileged user can reach (pytest's tmp_path is private to root)."""
    import tempfile
    path = Path(tempfile.mkdtemp(prefix="fo-watch-"))
    path.chmod(0o755)
    yield path
    for d, _dirs, _files in os.walk(path):
        os.chmod(d, 0o755)
    shutil.rmtree(path)


@pytest.mark.skipif(not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("setpriv")),
                    reason="needs root and setpriv (POSIX) to drop privileges")
def test_folder_present_but_not_watchable_is_reported_once(shared_dir):
    """An unreadable folder (run as nobody: root ignores permissions) gives one "error" status."""
    import subprocess
    import sys

    import watchdog
    root = Path(__file__).resolve().parents[2]
    code = shared_dir / "code"
    (code / "app").mkdir(parents=True)
    shutil.copy(root / "app" / "__init__.py", code / "app")
    shutil.copytree(root / "app" / "core", code / "app" / "core",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(root / "app" / "platform", code / "app" / "platform",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(Path(watchdog.__file__).parent, code / "watchdog")
    for d, _dirs, files in os.walk(code):
        os.chmod(d, 0o755)
        for f in files:
            os.chmod(os.path.join(d, f), 0o644)
    locked = shared_dir / "locked"
    locked.mkdir()
    locked.chmod(0o000)
    proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
                           "-S", "-c", UNWATCHABLE_SCRIPT, str(locked)], capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(code), "PATH": os.environ["PATH"]},
                          cwd=shared_dir)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines == [f"error Cannot watch {locked}: permission denied"]


def test_the_observer_thread_never_waits_for_the_watcher_lock(tmp_path, watch):
    """watchdog holds its own lock while it hands an event over, and the watcher (un)schedules
    folders, which takes that lock, while holding its own: an event handler that waited for
    the watcher's lock deadlocked both threads (seen in a health check racing a burst)."""
    from watchdog.events import FileCreatedEvent

    w, rec = watch()
    path = tmp_path / "in" / "late.txt"
    path.write_text("late")
    handed_over = threading.Event()
    with w._lock:                               # the watcher busy (re)scheduling a folder
        observer = threading.Thread(target=lambda: (w._on_event("in", FileCreatedEvent(str(path))),
                                                    handed_over.set()))
        observer.start()
        assert handed_over.wait(5)
    observer.join()
    assert wait_for(lambda: rec.names() == ["late.txt"])
