"""Background jobs for the window: one generic QRunnable on the global QThreadPool.

A job is any callable ``fn(progress: Progress) -> result``. The worker calls it on a pool
thread and reports through a signals object that lives on the UI thread (queued
connections), so slots always run on the UI thread. Progress snapshots are throttled
by the Progress itself (``min_interval``) and coalesced here: at most one progress
signal is in flight at a time, so a fast job can never flood the event loop.
"""

from __future__ import annotations

import functools
import gc
import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.core.progress import Cancelled, Progress, Snapshot

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.1  # seconds between progress signals at most


class WorkerSignals(QObject):
    """What a running job tells the UI. Emitted from the pool thread, delivered queued."""

    started = Signal(str)  # kind
    progress = Signal(str, object)  # kind, Snapshot
    result = Signal(str, object)  # kind, return value
    error = Signal(str, str, str)  # kind, message, traceback ("" when cancelled)
    finished = Signal(str)  # kind; always last
    cancelled = Signal(str)  # kind


class Worker(QRunnable):
    """Runs one job on a pool thread with a Progress as its cancel token."""

    def __init__(self, kind: str, fn: Callable[[Progress], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the JobManager keeps the Python object alive until finished
        self.kind = kind
        self.fn = fn
        self.signals = WorkerSignals()
        self.progress = Progress(listener=self._on_progress, min_interval=PROGRESS_INTERVAL)
        self.done = threading.Event()
        self._pending = threading.Event()  # a progress signal is queued and not yet shown

    def _on_progress(self, snap: Snapshot) -> None:
        if self._pending.is_set():
            return
        self._pending.set()
        self.signals.progress.emit(self.kind, snap)

    def progress_shown(self) -> None:
        """Called by the UI once it displayed a snapshot: the next one may be sent."""
        self._pending.clear()

    def cancel(self) -> None:
        self.progress.cancel()

    @Slot()
    def run(self) -> None:
        self.signals.started.emit(self.kind)
        try:
            value = self.fn(self.progress)
        except Cancelled:
            self.signals.cancelled.emit(self.kind)
        except Exception as exc:  # the job failed: tell the UI, keep the app alive
            log.exception("job %s failed", self.kind)
            self.signals.error.emit(self.kind, str(exc) or type(exc).__name__, traceback.format_exc())
        else:
            if self.progress.cancelled:
                self.signals.cancelled.emit(self.kind)
            else:
                self.signals.result.emit(self.kind, value)
        finally:
            self.done.set()
            self.signals.finished.emit(self.kind)


def _pause_gc(pause: bool) -> None:
    """Hold Python's cyclic garbage collector while jobs run.

    A collection runs in whichever thread allocates and holds the GIL until it has walked
    every tracked object; a scan of 100,000 files makes that long enough to freeze the
    window (measured: stalls of 100-900 ms). Objects are still freed by reference counting
    meanwhile; cycles wait until the jobs are done.

    On resuming, what the jobs allocated is all in the youngest generation, and the first
    collection would walk it on the UI thread (after a 1M-file scan: 111-126 ms, collecting 5
    objects). ``freeze`` then ``unfreeze`` moves it into the oldest generation instead (both
    documented): it is walked at the next full collection, like every long-lived object, and
    cycles among it are collected then.
    """
    if pause:
        gc.disable()
    else:
        gc.freeze()
        gc.unfreeze()
        gc.enable()


def _receiver(callback: Callable | None) -> QObject | None:
    """The QObject a callback is a method of (also through functools.partial), if any."""
    while isinstance(callback, functools.partial):
        callback = callback.func
    owner = getattr(callback, "__self__", None)
    return owner if isinstance(owner, QObject) else None


def _alive(obj: QObject | None) -> bool:
    return obj is None or shiboken6.isValid(obj)


class JobManager(QObject):
    """Starts jobs, one of a kind at a time, and re-emits their signals for the window."""

    started = Signal(str)
    progress = Signal(str, object)
    finished = Signal(str)
    cancelled = Signal(str)
    failed = Signal(str, str, str)  # kind, message, traceback: for jobs without on_error
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._running: dict[str, Worker] = {}
        self._callbacks: dict[str, tuple] = {}
        self.quiet: set[str] = set()
        self.labels: dict[str, str] = {}

    def is_running(self, kind: str) -> bool:
        return kind in self._running

    def running(self) -> list[str]:
        return list(self._running)

    def worker(self, kind: str) -> Worker | None:
        return self._running.get(kind)

    def start(
        self,
        kind: str,
        fn: Callable[[Progress], Any],
        *,
        label: str = "",
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[str, str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        on_progress: Callable[[Snapshot], None] | None = None,
        quiet: bool = False,
        owner: QObject | None = None,
    ) -> Worker | None:
        """Run ``fn(progress)`` in the pool; returns None when a job of this kind is running.

        ``quiet`` jobs (short reads that fill a view) are not shown in the status area.

        The callbacks run on the UI thread: the worker's signals are connected to slots of
        this object, which lives on the UI thread, so Qt queues them. A job may outlive the
        view that started it (the window was closed while it ran), so a callback is skipped
        once the QObject it belongs to is deleted: give bound methods of the view (the
        object is found through ``__self__``, also inside functools.partial), or name the
        QObject a closure touches as ``owner``.
        """
        if kind in self._running:
            return None
        worker = Worker(kind, fn)
        self.labels[kind] = label or kind
        if quiet:
            self.quiet.add(kind)
        else:
            self.quiet.discard(kind)
        self._callbacks[kind] = (on_result, on_error, on_cancelled, on_progress, owner)
        sig = worker.signals
        sig.started.connect(self._on_started)
        sig.progress.connect(self._on_progress)
        sig.result.connect(self._on_result)
        sig.error.connect(self._on_error)
        sig.cancelled.connect(self._on_cancelled)
        sig.finished.connect(self._finished)
        if not self._running:
            _pause_gc(True)
        self._running[kind] = worker
        self.busy_changed.emit(True)
        self.pool.start(worker)
        return worker

    @Slot(str)
    def _on_started(self, kind: str) -> None:
        self.started.emit(kind)

    def _callback(self, kind: str, which: int) -> Callable | None:
        """The job's callback number ``which``, or None when it (or its owner) is gone."""
        entry = self._callbacks.get(kind)
        if entry is None or entry[which] is None:
            return None
        callback, owner = entry[which], entry[4]
        if not (_alive(owner) and _alive(_receiver(callback))):
            log.debug("job %s: the receiver of its result was deleted; result dropped", kind)
            return None
        return callback

    @Slot(str, object)
    def _on_progress(self, kind: str, snap: Snapshot) -> None:
        worker = self._running.get(kind)
        try:
            if callback := self._callback(kind, 3):
                callback(snap)
            self.progress.emit(kind, snap)
        finally:
            if worker:
                worker.progress_shown()

    @Slot(str, object)
    def _on_result(self, kind: str, value: Any) -> None:
        if callback := self._callback(kind, 0):
            callback(value)

    @Slot(str, str, str)
    def _on_error(self, kind: str, message: str, tb: str) -> None:
        if callback := self._callback(kind, 1):
            callback(message, tb)
        elif self._callbacks.get(kind, (None,) * 5)[1] is not None:
            log.warning("job %s failed after its view was closed: %s", kind, message)
        else:
            self.failed.emit(kind, message, tb)

    @Slot(str)
    def _on_cancelled(self, kind: str) -> None:
        if callback := self._callback(kind, 2):
            callback()
        self.cancelled.emit(kind)

    @Slot(str)
    def _finished(self, kind: str) -> None:
        self._running.pop(kind, None)
        self._callbacks.pop(kind, None)
        self.finished.emit(kind)
        if not self._running:
            _pause_gc(False)
            self.busy_changed.emit(False)

    def cancel(self, kind: str | None = None) -> None:
        """Ask one job (or every job) to stop."""
        for k, worker in list(self._running.items()):
            if kind is None or k == kind:
                worker.cancel()

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Cancel every job and wait for the pool threads to return (used when quitting)."""
        workers = list(self._running.values())
        for worker in workers:
            worker.cancel()
        ok = all(w.done.wait(timeout_ms / 1000) for w in workers)
        self.pool.waitForDone(timeout_ms)
        return ok
