"""Folder watching: watchdog events -> debounce -> "finished writing" detection -> batches of files.

``Watcher`` runs the observer (folders in ``core.watch.folders``) and a worker thread that
settles touched files (``core.watch.settle``) and hands on the finished ones. Files that become
ready together are delivered together, so a burst of 1,000 files comes as a few large batches;
``on_idle`` comes once per burst.

No Qt and no database here: ``app.jobs.watch`` decides what happens to the files.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable

from watchdog.events import FileSystemEvent
from watchdog.observers import Observer

from app.core.watch.folders import Folder, FolderWatches, list_files
from app.core.watch.settle import Ready, SettleTracker, Sig, sig_of

log = logging.getLogger(__name__)

DEFAULT_SETTLE = 3.0

ReadyCallback = Callable[[str, list[str]], None]          # (folder key, finished files)
# (folder key, "missing" | "error" | "back", text): gone, present but not watchable, watched again
StatusCallback = Callable[[str, str, str], None]


class Watcher:
    """Watches folders and calls ``on_ready(key, paths)`` with files that finished arriving.

    Callbacks run on the watcher's own worker thread, one batch at a time; events that come in
    meanwhile wait in the queue. ``settle`` is the quiet time a file needs before it is handed on.
    """

    def __init__(self, on_ready: ReadyCallback, *, settle: float = DEFAULT_SETTLE,
                 on_status: StatusCallback | None = None, on_idle: Callable[[], None] | None = None,
                 idle_delay: float | None = None, health_interval: float = 1.0,
                 ignore_hidden: bool = True, observer_factory: Callable[[], object] = Observer) -> None:
        self.on_ready, self.on_status, self.on_idle = on_ready, on_status, on_idle
        self._lock = threading.RLock()
        self._files = SettleTracker(self._lock, settle, 0.0, ignore_hidden)
        self.set_settle(settle)
        # on_idle comes once nothing arrived or was handed on for this long after a delivery:
        # one call per burst, however many batches the burst took.
        self.idle_delay = idle_delay if idle_delay is not None else 1.5
        self._last_activity = 0.0
        self._delivered_since_idle = False
        self.health_interval = health_interval
        self._events: queue.SimpleQueue[tuple[str, FileSystemEvent]] = queue.SimpleQueue()
        self._watches = FolderWatches(self._on_event, observer_factory)
        self._folders: dict[str, Folder] = {}
        self._scans: dict[str, tuple[str, bool]] = {}       # dir -> (folder key, force)
        self._scanning = False                               # taken from _scans, not yet touched
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._paused = False
        self._thread: threading.Thread | None = None
        self._last_health = 0.0

    # --- configuration ------------------------------------------------------------------------

    def add_folder(self, key: str, path: str, recursive: bool = False, exclude: tuple[str, ...] = ()) -> None:
        """Watch `path` under the name `key` and queue a catch-up scan of what is already there."""
        folder = Folder(key, os.path.abspath(path), recursive, tuple(os.path.abspath(e) for e in exclude))
        with self._lock:
            if key in self._folders:
                self.remove_folder(key)
            self._folders[key] = folder
            if self._watches.running and not self._paused:
                self._watches.schedule(folder)
            self._scans[folder.path] = (key, False)
        self._wake.set()

    def remove_folder(self, key: str) -> None:
        """Stop watching the folder `key` and forget its pending files."""
        with self._lock:
            folder = self._folders.pop(key, None)
            if folder is None:
                return
            self._watches.unschedule(folder)
            self._files.forget_folder(key)

    def set_settle(self, seconds: float) -> None:
        """Change the quiet time a file needs (applies to files from now on)."""
        self.settle = float(seconds)
        self.tick = max(0.05, min(0.5, self.settle / 4))
        self._files.settle, self._files.tick = self.settle, self.tick

    def folders(self) -> dict[str, str]:
        """key -> path of the watched folders."""
        with self._lock:
            return {k: f.path for k, f in self._folders.items()}

    def missing(self) -> list[str]:
        """Keys of watched folders that do not exist right now."""
        with self._lock:
            return [k for k, f in self._folders.items() if f.missing]

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start observing and the worker thread (which first scans every folder: catch-up)."""
        with self._lock:
            if self._thread is not None:
                return
            self._watches.open()
            if not self._paused:
                for folder in self._folders.values():
                    self._watches.schedule(folder)
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="watcher", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop observing; waits for a batch being delivered to finish."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            self._watches.close(list(self._folders.values()))

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        """Stop watching and acting until resume(); nothing queued is handed on meanwhile."""
        with self._lock:
            self._paused = True
            for folder in self._folders.values():
                self._watches.unschedule(folder)
            self._files.clear()
            self._scans.clear()

    def resume(self) -> None:
        """Watch again and catch up with what arrived while paused."""
        with self._lock:
            self._paused = False
            for folder in self._folders.values():
                if self._watches.running:
                    self._watches.schedule(folder)
                self._scans[folder.path] = (folder.key, False)
        self._wake.set()

    def scan(self, key: str | None = None, force: bool = False) -> None:
        """Queue a scan of one folder (or all): files not yet handed on (or all, with force) are
        treated as new arrivals."""
        with self._lock:
            for folder in self._folders.values():
                if key is None or folder.key == key:
                    self._scans[folder.path] = (folder.key, force)
        self._wake.set()

    def mark_own(self, paths: list[str]) -> None:
        """Files the caller itself just produced: they are not handed on again while unchanged."""
        self._files.mark_own(paths)

    def pending_count(self) -> int:
        with self._lock:
            return len(self._files.pending) + len(self._scans)

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is pending or being delivered; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._quiet():
                    return True
            time.sleep(0.05)
        return False

    def _quiet(self) -> bool:
        """Nothing pending, being scanned or being handed on (caller holds the lock)."""
        return not (self._files.pending or self._scans or self._scanning or self._files.busy
                    or not self._events.empty())

    # --- observer side ------------------------------------------------------------------------

    def _on_event(self, key: str, event: FileSystemEvent) -> None:
        """Called by the observer's thread, which holds the observer's own lock meanwhile:
        taking ``self._lock`` here would deadlock with this thread (un)scheduling a folder
        under ``self._lock``. So the event only goes in a queue; the next ``_step`` (at the next
        tick, or at once for a folder event) handles it."""
        self._events.put((key, event))
        if event.is_directory:
            self._wake.set()

    def _handle_events(self) -> None:
        while True:
            try:
                key, event = self._events.get_nowait()
            except queue.Empty:
                return
            self._handle_event(key, event)

    def _handle_event(self, key: str, event: FileSystemEvent) -> None:
        src = os.fsdecode(event.src_path)
        dest = os.fsdecode(event.dest_path) if event.dest_path else ""
        with self._lock:
            folder = self._folders.get(key)
            if folder is None or self._paused:
                return
            if event.is_directory:
                if event.event_type == "deleted" and src == folder.path:
                    self._last_health = 0.0              # check the folder now
                elif folder.recursive and event.event_type in ("created", "moved"):
                    target = dest or src
                    if folder.contains(os.path.join(target, "x")):
                        self._scans[target] = (key, False)
                self._wake.set()
                return
            if event.event_type in ("deleted", "moved"):
                self._files.forget(src)
            target = dest if event.event_type == "moved" else src
            if event.event_type == "deleted" or not target or not folder.contains(target):
                return
            self._touch(key, target, None)

    def _touch(self, key: str, path: str, sig: Sig | None) -> None:
        now = time.monotonic()
        if self._files.touch(key, path, sig, now):
            self._last_activity = now

    # --- worker side --------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._step()
            except Exception:      # the watcher must outlive any one bad file or callback
                log.exception("watcher step failed")
            self._wake.wait(self.tick)
            self._wake.clear()

    def _step(self) -> None:
        self._handle_events()
        now = time.monotonic()
        if now - self._last_health >= self.health_interval:
            self._last_health = now
            self._check_folders()
        self._run_scans()
        ready: Ready = self._files.collect_ready()
        try:
            for key, items in ready.items():
                if self._stop.is_set() or self._paused:
                    return               # not marked delivered: a resume or restart finds them again
                self._deliver(key, items)
        finally:
            with self._lock:
                self._files.busy = False
                if ready:
                    self._delivered_since_idle, self._last_activity = True, time.monotonic()
        self._maybe_idle()

    def _maybe_idle(self) -> None:
        with self._lock:
            quiet = (self._delivered_since_idle and self._quiet()
                     and time.monotonic() - self._last_activity >= self.idle_delay)
            if quiet:
                self._delivered_since_idle = False
        if quiet and self.on_idle is not None:
            try:
                self.on_idle()
            except Exception:
                log.exception("idle callback failed")

    def _check_folders(self) -> None:
        events: list[tuple[str, str, str]] = []
        with self._lock:
            if self._paused or not self._watches.running:
                return
            for folder in self._folders.values():
                found = self._watches.recheck(folder)
                if not found.present:
                    self._files.forget_folder(folder.key)
                elif found.rescheduled:
                    self._scans[folder.path] = (folder.key, False)
                if found.status:
                    events.append((folder.key, found.status, found.text))
        for key, status, text in events:
            log.warning(text)
            if self.on_status is not None:
                try:
                    self.on_status(key, status, text)
                except Exception:
                    log.exception("status callback failed")

    def _run_scans(self) -> None:
        with self._lock:
            scans, self._scans = self._scans, {}
            self._scanning = bool(scans)     # until its files are pending, so wait_idle() waits
        try:
            for top, (key, force) in scans.items():
                with self._lock:
                    folder = self._folders.get(key)
                if folder is None:
                    continue
                for path, st in list_files(folder, top):
                    sig = sig_of(st)
                    with self._lock:
                        if not force and self._files.seen_unchanged(path, sig):
                            continue
                        if path not in self._files.pending:
                            self._touch(key, path, sig)
        finally:
            with self._lock:
                self._scanning = False

    def _deliver(self, key: str, items: list[tuple[str, Sig]]) -> None:
        self._files.mark_delivered(items)
        try:
            self.on_ready(key, [path for path, _ in items])
        except Exception:
            log.exception("handling %d file(s) from %s failed", len(items), key)
