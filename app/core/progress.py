"""Progress reporting and cooperative cancellation, shared by the CLI and the GUI.

A job receives a Progress, calls ``stage()`` when it starts a new phase and
``advance()`` as it works, and calls ``check()`` often enough (at least once
per file) that a cancel request stops it within a fraction of a second.
Listeners are called from the job's thread, throttled to ``min_interval``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class Cancelled(Exception):
    """Raised by Progress.check() once cancel() was requested."""


@dataclass(slots=True)
class Snapshot:
    """An immutable view of a Progress, safe to hand to another thread."""

    stage: str
    done: int
    total: int | None
    bytes_done: int
    bytes_total: int | None
    elapsed: float
    errors: int
    message: str = ""

    @property
    def fraction(self) -> float | None:
        """0..1 by bytes when known, else by count; None when indeterminate."""
        if self.bytes_total:
            return min(1.0, self.bytes_done / self.bytes_total)
        if self.total:
            return min(1.0, self.done / self.total)
        return None

    @property
    def rate(self) -> float:
        """Items per second in the current stage."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left in the current stage, when it can be estimated."""
        frac = self.fraction
        if not frac or frac <= 0 or self.elapsed < 0.5:
            return None
        return self.elapsed * (1 - frac) / frac


Listener = Callable[[Snapshot], None]


@dataclass
class Progress:
    """Mutable progress of one job plus its cancel flag."""

    listener: Listener | None = None
    min_interval: float = 0.1
    stage_name: str = ""
    done: int = 0
    total: int | None = None
    bytes_done: int = 0
    bytes_total: int | None = None
    message: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _stage_started: float = field(default_factory=time.monotonic, repr=False)
    _last_emit: float = field(default=0.0, repr=False)

    def stage(self, name: str, total: int | None = None, bytes_total: int | None = None) -> None:
        """Start a new phase; counters restart from zero."""
        self.stage_name, self.total, self.bytes_total = name, total, bytes_total
        self.done = self.bytes_done = 0
        self.message = ""
        self._stage_started = time.monotonic()
        self.emit(force=True)

    def advance(self, n: int = 1, nbytes: int = 0, message: str | None = None) -> None:
        """Count work done; notifies the listener at most every min_interval seconds."""
        self.done += n
        self.bytes_done += nbytes
        if message is not None:
            self.message = message
        if self.listener is not None:
            now = time.monotonic()
            if now - self._last_emit >= self.min_interval:
                self._last_emit = now
                self.listener(self.snapshot())

    def error(self, path: str, reason: str) -> None:
        """Record a per-item problem; the job goes on."""
        self.errors.append((path, reason))

    def emit(self, force: bool = False) -> None:
        """Notify the listener now."""
        if self.listener is not None:
            self._last_emit = time.monotonic()
            self.listener(self.snapshot())

    def snapshot(self) -> Snapshot:
        """A copy of the current state."""
        return Snapshot(self.stage_name, self.done, self.total, self.bytes_done, self.bytes_total,
                        time.monotonic() - self._stage_started, len(self.errors), self.message)

    def cancel(self) -> None:
        """Ask the job to stop; safe from any thread."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise Cancelled if cancel() was requested."""
        if self._cancel.is_set():
            raise Cancelled()
