"""Helpers for the watcher tests (core and jobs): polling with a deadline, bursts from another process."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

# Generous: a poll returns as soon as its condition holds, so only a real failure waits this long.
# On a loaded 2-core machine one watcher step can take seconds (see test_watch_service.py's notes).
DEADLINE = 60.0

BURST_SCRIPT = """
import os, sys, time
folder, count, exts = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
start = time.monotonic()
for i in range(count):
    ext = exts[i % len(exts)]
    with open(os.path.join(folder, f"file{i:04d}.{ext}"), "wb") as f:
        f.write(b"%d" % i)
print(time.monotonic() - start)
"""


def wait_for(cond, timeout: float = DEADLINE) -> bool:
    """Poll `cond` until it is true or the deadline passes; its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def write_burst(folder: Path, count: int, exts: tuple[str, ...] = ("dat",)) -> float:
    """Write `count` files `fileNNNN.EXT` (content: their number) into `folder` from another process.

    Downloads and copies arrive from other processes; writing them from the test's own process
    would make the writer compete for the GIL with the watcher's threads, and on a loaded machine
    stretch a burst over seconds. Returns the writer's own writing time in seconds.
    """
    proc = subprocess.run([sys.executable, "-c", BURST_SCRIPT, str(folder), str(count), ",".join(exts)],
                          capture_output=True, text=True, check=True, timeout=300)
    return float(proc.stdout)
