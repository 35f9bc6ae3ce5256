"""Folder watching: watchdog events -> debounce -> "finished writing" detection -> batches of files.

A file is handed on only once it is finished: its size and mtime have not changed for
``settle`` seconds, it can be opened for reading, no process we can see has it open for writing
(Linux, best effort), and its name is not a partial download, temp or lock file, nor does a
partial download of it sit beside it (``core.finished`` holds those checks). Files that become
ready together are delivered together, so a burst of 1,000 files comes as a few large batches.

No Qt and no database here: ``app.jobs.watch`` decides what happens to the files.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from app.core.finished import can_open_for_reading, has_partial_sibling, is_partial_name, open_for_writing

log = logging.getLogger(__name__)

DEFAULT_SETTLE = 3.0

# Event types the watcher listens to; opened/closed-without-write are left out on purpose:
# the "can it be opened" check itself would produce them.
EVENT_TYPES = [FileCreatedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent, FileDeletedEvent,
               DirCreatedEvent, DirDeletedEvent, DirMovedEvent]

Sig = tuple[int, int, int, int]          # size, mtime_ns, inode, dev


def _sig(st: os.stat_result) -> Sig:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


@dataclass
class _Folder:
    key: str
    path: str
    recursive: bool = False
    exclude: tuple[str, ...] = ()
    watch: object | None = None          # watchdog ObservedWatch while scheduled
    identity: tuple[int, int] | None = None
    missing: bool = False                # reported as gone (status "missing")
    error: str = ""                      # why it could not be watched while present
    reported_error: bool = False

    def contains(self, path: str) -> bool:
        parent = os.path.dirname(path)
        if not self.recursive:
            return parent == self.path
        if not (parent == self.path or path.startswith(self.path + os.sep)):
            return False
        return not any(path == e or path.startswith(e + os.sep) for e in self.exclude)


@dataclass
class _Pending:
    key: str
    sig: Sig | None = None
    stable_since: float = 0.0
    due: float = 0.0


@dataclass
class _State:
    pending: dict[str, _Pending] = field(default_factory=dict)
    scans: dict[str, tuple[str, bool]] = field(default_factory=dict)     # dir -> (key, force)
    delivered: dict[str, Sig] = field(default_factory=dict)              # path -> sig when handed on
    own: dict[str, tuple[Sig, float]] = field(default_factory=dict)      # our results -> (sig, when)


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher, key: str) -> None:
        self.watcher, self.key = watcher, key

    def dispatch(self, event: FileSystemEvent) -> None:
        self.watcher._on_event(self.key, event)


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
        self.set_settle(settle)
        # on_idle comes once nothing arrived or was handed on for this long after a delivery:
        # one call per burst, however many batches the burst took.
        self.idle_delay = idle_delay if idle_delay is not None else 1.5
        self._last_activity = 0.0
        self._delivered_since_idle = False
        self.health_interval = health_interval
        self.ignore_hidden = ignore_hidden
        self._observer_factory = observer_factory
        self._observer = None
        self._folders: dict[str, _Folder] = {}
        self._state = _State()
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._paused = False
        self._busy = False
        self._thread: threading.Thread | None = None
        self._last_health = 0.0

    # --- configuration ------------------------------------------------------------------------

    def add_folder(self, key: str, path: str, recursive: bool = False, exclude: tuple[str, ...] = ()) -> None:
        """Watch `path` under the name `key` and queue a catch-up scan of what is already there."""
        folder = _Folder(key, os.path.abspath(path), recursive, tuple(os.path.abspath(e) for e in exclude))
        with self._lock:
            if key in self._folders:
                self.remove_folder(key)
            self._folders[key] = folder
            if self._observer is not None and not self._paused:
                self._schedule(folder)
            self._state.scans[folder.path] = (key, False)
        self._wake.set()

    def remove_folder(self, key: str) -> None:
        """Stop watching the folder `key` and forget its pending files."""
        with self._lock:
            folder = self._folders.pop(key, None)
            if folder is None:
                return
            self._unschedule(folder)
            self._state.pending = {p: e for p, e in self._state.pending.items() if e.key != key}

    def set_settle(self, seconds: float) -> None:
        """Change the quiet time a file needs (applies to files from now on)."""
        self.settle = float(seconds)
        self.tick = max(0.05, min(0.5, self.settle / 4))

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
            self._observer = self._observer_factory()
            self._observer.start()
            if not self._paused:
                for folder in self._folders.values():
                    self._schedule(folder)
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
            if self._observer is not None:
                self._observer.stop()
                self._observer.join(timeout=5)
                self._observer = None
            for folder in self._folders.values():
                folder.watch = None

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        """Stop watching and acting until resume(); nothing queued is handed on meanwhile."""
        with self._lock:
            self._paused = True
            for folder in self._folders.values():
                self._unschedule(folder)
            self._state.pending.clear()
            self._state.scans.clear()

    def resume(self) -> None:
        """Watch again and catch up with what arrived while paused."""
        with self._lock:
            self._paused = False
            for folder in self._folders.values():
                if self._observer is not None:
                    self._schedule(folder)
                self._state.scans[folder.path] = (folder.key, False)
        self._wake.set()

    def scan(self, key: str | None = None, force: bool = False) -> None:
        """Queue a scan of one folder (or all): files not yet handed on (or all, with force) are
        treated as new arrivals."""
        with self._lock:
            for folder in self._folders.values():
                if key is None or folder.key == key:
                    self._state.scans[folder.path] = (folder.key, force)
        self._wake.set()

    def mark_own(self, paths: list[str]) -> None:
        """Files the caller itself just produced: they are not handed on again while unchanged."""
        now = time.monotonic()
        with self._lock:
            for path in paths:
                try:
                    self._state.own[os.path.abspath(path)] = (_sig(os.lstat(path)), now)
                except OSError:
                    continue

    def pending_count(self) -> int:
        with self._lock:
            return len(self._state.pending) + len(self._state.scans)

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is pending or being delivered; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._state.pending and not self._state.scans and not self._busy:
                    return True
            time.sleep(0.05)
        return False

    # --- observer side ------------------------------------------------------------------------

    def _schedule(self, folder: _Folder) -> None:
        if folder.watch is not None:
            return
        try:
            st = os.stat(folder.path)
            if not os.access(folder.path, os.R_OK | os.X_OK):   # watchdog ignores EACCES silently
                raise PermissionError(errno.EACCES, "permission denied", folder.path)
            folder.watch = self._observer.schedule(_Handler(self, folder.key), folder.path,
                                                   recursive=folder.recursive, event_filter=EVENT_TYPES)
            folder.identity, folder.error = (st.st_dev, st.st_ino), ""
        except OSError as exc:               # reported by the next health check
            folder.watch, folder.error = None, exc.strerror or str(exc)

    def _unschedule(self, folder: _Folder) -> None:
        if folder.watch is not None and self._observer is not None:
            try:
                self._observer.unschedule(folder.watch)
            except (KeyError, OSError):
                pass
        folder.watch = None

    def _on_event(self, key: str, event: FileSystemEvent) -> None:
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
                        self._state.scans[target] = (key, False)
                self._wake.set()
                return
            if event.event_type in ("deleted", "moved"):
                self._state.pending.pop(src, None)
            target = dest if event.event_type == "moved" else src
            if event.event_type == "deleted" or not target or not folder.contains(target):
                return
            self._touch(key, target, None)

    def _touch(self, key: str, path: str, sig: Sig | None) -> None:
        if is_partial_name(os.path.basename(path), self.ignore_hidden):
            return
        now = time.monotonic()
        self._last_activity = now
        entry = self._state.pending.get(path)
        if entry is None:
            entry = self._state.pending[path] = _Pending(key)
        entry.key, entry.sig, entry.stable_since = key, sig, now
        entry.due = now + (self.tick if sig is None else self.settle)

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
        now = time.monotonic()
        if now - self._last_health >= self.health_interval:
            self._last_health = now
            self._check_folders()
        self._run_scans()
        ready = self._collect_ready()
        try:
            for key, paths in ready.items():
                if self._stop.is_set() or self._paused:
                    return               # not marked delivered: a resume or restart finds them again
                self._deliver(key, paths)
        finally:
            with self._lock:
                self._busy = False
                if ready:
                    self._delivered_since_idle, self._last_activity = True, time.monotonic()
        self._maybe_idle()

    def _maybe_idle(self) -> None:
        with self._lock:
            quiet = (self._delivered_since_idle and not self._state.pending and not self._state.scans
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
            if self._paused or self._observer is None:
                return
            for folder in self._folders.values():
                try:
                    st = os.stat(folder.path)
                    identity = (st.st_dev, st.st_ino)
                except OSError:
                    identity = None
                if identity is None:
                    if not folder.missing:
                        folder.missing = True
                        events.append((folder.key, "missing", f"Watched folder is gone: {folder.path}"))
                    self._unschedule(folder)
                    self._state.pending = {p: e for p, e in self._state.pending.items()
                                           if e.key != folder.key}
                elif folder.missing or identity != folder.identity or folder.watch is None:
                    self._unschedule(folder)
                    self._schedule(folder)
                    if folder.watch is not None:
                        self._state.scans[folder.path] = (folder.key, False)
                        if folder.missing or folder.reported_error:
                            events.append((folder.key, "back", f"Watching again: {folder.path}"))
                        folder.missing = folder.reported_error = False
                    elif not folder.reported_error:
                        folder.reported_error = True
                        events.append((folder.key, "error", f"Cannot watch {folder.path}: {folder.error}"))
        for key, status, text in events:
            log.warning(text)
            if self.on_status is not None:
                try:
                    self.on_status(key, status, text)
                except Exception:
                    log.exception("status callback failed")

    def _run_scans(self) -> None:
        with self._lock:
            scans, self._state.scans = self._state.scans, {}
        for top, (key, force) in scans.items():
            with self._lock:
                folder = self._folders.get(key)
            if folder is None:
                continue
            for path, st in self._list_files(folder, top):
                sig = _sig(st)
                with self._lock:
                    if not force and self._state.delivered.get(path) == sig:
                        continue
                    if path not in self._state.pending:
                        self._touch(key, path, sig)

    def _list_files(self, folder: _Folder, top: str):
        stack = [top]
        while stack:
            current = stack.pop()
            try:
                with os.scandir(current) as it:
                    entries = list(it)
            except OSError as exc:
                log.warning("cannot list %s: %s", current, exc)
                continue
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if folder.recursive and folder.contains(os.path.join(entry.path, "x")):
                            stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False) and folder.contains(entry.path):
                        yield entry.path, entry.stat(follow_symlinks=False)
                except OSError:
                    continue

    def _collect_ready(self) -> dict[str, list[tuple[str, Sig]]]:
        """Advance the settle clocks; return the files that are finished, by folder."""
        now = time.monotonic()
        with self._lock:
            due = [(p, e) for p, e in self._state.pending.items() if e.due <= now]
        candidates: dict[str, tuple[_Pending, Sig]] = {}
        for path, entry in due:
            try:
                st = os.lstat(path)
            except OSError:
                with self._lock:
                    self._state.pending.pop(path, None)
                continue
            sig = _sig(st)
            with self._lock:
                if self._state.pending.get(path) is not entry:
                    continue                          # a new event replaced it meanwhile
                if not os.path.isfile(path) or os.path.islink(path):
                    self._state.pending.pop(path, None)
                elif entry.sig != sig:
                    entry.sig, entry.stable_since, entry.due = sig, now, now + self.settle
                elif now - entry.stable_since >= self.settle:
                    candidates[path] = (entry, sig)
                else:
                    entry.due = entry.stable_since + self.settle
        if not candidates:
            return {}
        busy = open_for_writing({(s[3], s[2]) for _, s in candidates.values()})
        ready: dict[str, list[str]] = {}
        with self._lock:
            for path, (entry, sig) in candidates.items():
                if self._state.pending.get(path) is not entry:
                    continue
                own = self._state.own.get(path)
                if own is not None and own[0] == sig:
                    self._state.pending.pop(path, None)
                    continue
                if ((sig[3], sig[2]) in busy or has_partial_sibling(path)
                        or not can_open_for_reading(path)):
                    entry.due = now + self.settle          # still in use: look again later
                    continue
                self._state.pending.pop(path, None)
                ready.setdefault(entry.key, []).append((path, sig))
            self._busy = bool(ready)           # set under the lock that emptied pending (wait_idle)
            self._forget_old(now)
        return {k: sorted(v) for k, v in ready.items()}

    def _forget_old(self, now: float) -> None:
        if len(self._state.own) > 10_000:
            cutoff = now - 3600
            self._state.own = {p: v for p, v in self._state.own.items() if v[1] >= cutoff}
        if len(self._state.delivered) > 50_000:
            self._state.delivered = {p: s for p, s in self._state.delivered.items() if os.path.lexists(p)}

    def _deliver(self, key: str, items: list[tuple[str, Sig]]) -> None:
        with self._lock:
            self._state.delivered.update(items)
        try:
            self.on_ready(key, [path for path, _ in items])
        except Exception:
            log.exception("handling %d file(s) from %s failed", len(items), key)
