"""Terminal helpers for commands: a one-line progress display on stderr, human units, Ctrl+C.

``ProgressLine`` is a Progress listener. It draws only when stderr is a
terminal (stage, files, bytes, rate, ETA, errors) and clears its line when done,
so piped or redirected output stays clean. ``job()`` is the frame every command that runs a
job on the database shares: progress line, database, Ctrl+C, "Cancelled; ...", exit code 130.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple, TextIO

from app.cli.words import count
from app.core.progress import Cancelled, Progress, Snapshot
from app.core.units import human_bytes

if TYPE_CHECKING:
    from app.jobs.database import Database

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)\s*$", re.IGNORECASE)



def parse_size(text: str) -> int:
    """'10k', '1.5M', '2GiB', '100' -> bytes (binary multiples). Raises ValueError."""
    m = _SIZE_RE.match(text)
    if not m:
        raise ValueError(f"not a size: {text!r}")
    number, prefix = float(m.group(1)), m.group(2).lower()
    return int(number * 1024 ** ("_kmgtp".index(prefix) if prefix else 0))


def human_duration(seconds: float) -> str:
    """75 -> '1:15', 3700 -> '1:01:40'."""
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


count_noun = count        # the commands' name for app.cli.words.count


def format_snapshot(snap: Snapshot) -> str:
    """One status line: stage, files, bytes, rate, ETA, errors."""
    parts = []
    files = f"{snap.done:,}" + (f"/{snap.total:,}" if snap.total else "") + " files"
    parts.append(files)
    if snap.bytes_done or snap.bytes_total:
        parts.append(human_bytes(snap.bytes_done) + (f"/{human_bytes(snap.bytes_total)}"
                                                     if snap.bytes_total else ""))
    if snap.elapsed > 0:
        parts.append(f"{snap.rate:,.0f} files/s")
        if snap.bytes_done:
            parts.append(f"{human_bytes(snap.bytes_done / snap.elapsed)}/s")
    eta = snap.eta
    if eta is not None:
        parts.append(f"ETA {human_duration(eta)}")
    if snap.errors:
        parts.append(count(snap.errors, "error"))
    return f"{snap.stage or 'working'}: " + "  ".join(parts)


class ProgressLine:
    """A Progress listener that redraws one line on a terminal; silent otherwise."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._shown = False

    def __call__(self, snap: Snapshot) -> None:
        if not self.enabled:
            return
        width = max(20, shutil.get_terminal_size((100, 20)).columns - 1)
        line = format_snapshot(snap)[:width]
        self.stream.write("\r" + line.ljust(width))
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Erase the line before regular output."""
        if self._shown:
            width = max(20, shutil.get_terminal_size((100, 20)).columns - 1)
            self.stream.write("\r" + " " * width + "\r")
            self.stream.flush()
            self._shown = False


def make_progress(quiet: bool = False) -> tuple[Progress, ProgressLine]:
    """A Progress wired to a ProgressLine on stderr (off when quiet or not a terminal)."""
    line = ProgressLine(enabled=False if quiet else None)
    return Progress(listener=line, min_interval=0.1), line


@contextlib.contextmanager
def cancel_on_interrupt(progress: Progress) -> Iterator[None]:
    """First Ctrl+C asks the job to stop cleanly (progress.cancel()); a second one interrupts."""
    if not _main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    last = [0.0]

    def handler(_sig: int, _frame: object) -> None:
        if progress.cancelled and time.monotonic() - last[0] > 0.2:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt
        last[0] = time.monotonic()
        progress.cancel()

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Interrupted(Exception):
    """A command's job stopped at Ctrl+C and the command said so; ``app.cli.main`` returns 130."""


class Job(NamedTuple):
    """What a command's job runs with: the database, its Progress, and the line drawing it."""

    db: Database
    progress: Progress
    line: ProgressLine


@contextlib.contextmanager
def job(cancelled: str, quiet: bool = False) -> Iterator[Job]:
    """Run a command's job: a progress line on stderr (unless ``quiet``), the app's database,
    and Ctrl+C asking the job to stop cleanly. When it stops, ``Cancelled; <cancelled>`` goes to
    stderr and the command ends with exit code 130 (``Interrupted``). However the job ends the
    line is cleared and the database closed."""
    from app.jobs.database import open_database

    progress, line = make_progress(quiet)
    db = open_database()
    try:
        with cancel_on_interrupt(progress):
            yield Job(db, progress, line)
    except Cancelled:
        line.clear()
        print(f"Cancelled; {cancelled}", file=sys.stderr)
        raise Interrupted from None
    finally:
        line.clear()
        db.close()


def _main_thread() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()
