"""Is a file still open for writing by some process? Only Linux can tell cheaply (/proc).

Used by ``core.watch.settle`` before a file that stopped changing is handed on: a download that
pauses for a while is still held open by the browser. Elsewhere the answer is "none that we can
see" and the settle time has to do.
"""

from __future__ import annotations

import os
import sys


def open_for_writing(candidates: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of `candidates` ((dev, inode) pairs), those some process we can see has open for writing.

    Linux only (reads /proc); elsewhere returns an empty set.
    """
    if not sys.platform.startswith("linux") or not candidates or not os.path.isdir("/proc/self/fdinfo"):
        return set()
    busy: set[tuple[int, int]] = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                st = os.stat(f"{fd_dir}/{fd}")
                if (st.st_dev, st.st_ino) not in candidates:
                    continue
                with open(f"/proc/{pid}/fdinfo/{fd}") as info:
                    flags = next((int(line.split()[1], 8) for line in info if line.startswith("flags:")), 0)
            except (OSError, ValueError):
                continue
            if flags & (os.O_WRONLY | os.O_RDWR):
                busy.add((st.st_dev, st.st_ino))
    return busy
