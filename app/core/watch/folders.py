"""The watched folders themselves: what belongs to one, scheduling it on a watchdog observer,
listing its files, and noticing when it vanishes (an unplugged drive), comes back, or exists
but cannot be watched.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

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

log = logging.getLogger(__name__)

# Event types the watcher listens to; opened/closed-without-write are left out on purpose:
# the "can it be opened" check itself would produce them.
EVENT_TYPES = [FileCreatedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent, FileDeletedEvent,
               DirCreatedEvent, DirDeletedEvent, DirMovedEvent]

EventCallback = Callable[[str, FileSystemEvent], None]       # (folder key, event)


@dataclass
class Folder:
    """One watched folder and its observer state."""

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
        """True when `path` is a file this folder watches (subfolders only when recursive)."""
        parent = os.path.dirname(path)
        if not self.recursive:
            return parent == self.path
        if not (parent == self.path or path.startswith(self.path + os.sep)):
            return False
        return not any(path == e or path.startswith(e + os.sep) for e in self.exclude)


def list_files(folder: Folder, top: str) -> Iterator[tuple[str, os.stat_result]]:
    """(path, lstat) of the regular files of `folder` at or below `top` (below only when recursive)."""
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


class _Handler(FileSystemEventHandler):
    def __init__(self, on_event: EventCallback, key: str) -> None:
        self.on_event, self.key = on_event, key

    def dispatch(self, event: FileSystemEvent) -> None:
        self.on_event(self.key, event)


@dataclass(frozen=True, slots=True)
class Recheck:
    """What a health check found for one folder."""

    present: bool                        # the folder exists
    rescheduled: bool = False            # it was scheduled again just now: catch up with a scan
    status: str = ""                     # "missing" | "back" | "error" when that is news, else ""
    text: str = ""


class FolderWatches:
    """Folders on one watchdog observer: schedule, unschedule, and re-check their health."""

    def __init__(self, on_event: EventCallback, observer_factory: Callable[[], object]) -> None:
        self.on_event = on_event
        self.observer_factory = observer_factory
        self.observer = None

    @property
    def running(self) -> bool:
        return self.observer is not None

    def open(self) -> None:
        self.observer = self.observer_factory()
        self.observer.start()

    def close(self, folders: list[Folder]) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
            self.observer = None
        for folder in folders:
            folder.watch = None

    def schedule(self, folder: Folder) -> None:
        """Start observing `folder`; on failure folder.watch stays None and folder.error says why."""
        if folder.watch is not None:
            return
        try:
            st = os.stat(folder.path)
            if not os.access(folder.path, os.R_OK | os.X_OK):   # watchdog ignores EACCES silently
                raise PermissionError(errno.EACCES, "permission denied", folder.path)
            folder.watch = self.observer.schedule(_Handler(self.on_event, folder.key), folder.path,
                                                  recursive=folder.recursive, event_filter=EVENT_TYPES)
            folder.identity, folder.error = (st.st_dev, st.st_ino), ""
        except OSError as exc:               # reported by the next health check
            folder.watch, folder.error = None, exc.strerror or str(exc)

    def unschedule(self, folder: Folder) -> None:
        if folder.watch is not None and self.observer is not None:
            try:
                self.observer.unschedule(folder.watch)
            except (KeyError, OSError):
                pass
        folder.watch = None

    def recheck(self, folder: Folder) -> Recheck:
        """Notice a vanished, returned, replaced or unwatchable folder and (re)schedule it.

        Each change is reported once: "missing" when it goes, "back" when it is watched again,
        "error" when it exists but cannot be watched.
        """
        try:
            st = os.stat(folder.path)
            identity = (st.st_dev, st.st_ino)
        except OSError:
            identity = None
        if identity is None:
            self.unschedule(folder)
            if folder.missing:
                return Recheck(present=False)
            folder.missing = True
            return Recheck(False, status="missing", text=f"Watched folder is gone: {folder.path}")
        if not (folder.missing or identity != folder.identity or folder.watch is None):
            return Recheck(present=True)
        self.unschedule(folder)
        self.schedule(folder)
        if folder.watch is not None:
            back = folder.missing or folder.reported_error
            folder.missing = folder.reported_error = False
            if back:
                return Recheck(True, True, "back", f"Watching again: {folder.path}")
            return Recheck(True, True)
        if not folder.reported_error:
            folder.reported_error = True
            return Recheck(True, status="error", text=f"Cannot watch {folder.path}: {folder.error}")
        return Recheck(present=True)
