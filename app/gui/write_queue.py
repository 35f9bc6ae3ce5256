"""Database reads and writes of a small widget (the tray, the Watched folders dialog), run one
after another in the window's job manager instead of on the UI thread.

A write on the UI thread waits whenever a scan holds SQLite's write lock, and the window stops
painting meanwhile. The JobManager runs one job of a kind at a time and refuses a second, so a
widget that writes on every click queues its work here: each call runs in a worker, in the order
it was asked for (a later read sees every earlier write), and its ``on_done`` runs on the UI
thread with the result.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from app.gui.worker import JobManager

log = logging.getLogger(__name__)


class WriteQueue(QObject):
    """Runs ``fn()`` calls one at a time as quiet jobs of kind ``kind`` on ``jobs``."""

    def __init__(
        self,
        jobs: JobManager | None,
        kind: str,
        on_error: Callable[[str], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        # without the window's job manager (a tray on its own, a dialog in a test) one of our own:
        # the work still runs in the shared thread pool, never on the UI thread
        self.jobs = jobs if jobs is not None else JobManager(self)
        self.kind = kind
        self._on_error = on_error
        self._queue: deque[tuple[Callable[[], Any], Callable[[Any], None] | None]] = deque()
        self.jobs.finished.connect(self._next)

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None) -> None:
        """Run ``fn()`` in a worker after what was queued before; then ``on_done(result)`` here."""
        self._queue.append((fn, on_done))
        self._next(self.kind)

    @property
    def idle(self) -> bool:
        """Nothing queued and nothing running (tests wait for this)."""
        return not self._queue and not self.jobs.is_running(self.kind)

    def _next(self, kind: str) -> None:
        if kind != self.kind or not self._queue or self.jobs.is_running(self.kind):
            return
        fn, on_done = self._queue.popleft()
        self.jobs.start(
            self.kind,
            lambda _progress: fn(),
            quiet=True,
            on_result=on_done,
            on_error=self._failed,
            owner=self,
        )

    def _failed(self, message: str, _tb: str) -> None:
        log.warning("%s failed: %s", self.kind, message)
        if self._on_error is not None:
            self._on_error(message)
