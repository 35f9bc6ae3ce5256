"""An exclusive lock on an open lock file, dropped by the OS when the process dies.

POSIX: flock on the whole file; Windows: msvcrt.locking on its first byte. Closing the file
descriptor releases it. Used for "is this run still in flight in another process?" (journal)
and "one token refresh at a time" (sync).
"""

from __future__ import annotations

import os
import time

if os.name == "nt":
    import msvcrt

    def try_lock(fd: int) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def lock(fd: int) -> bool:
        """Wait for the lock (up to 30 s, msvcrt cannot block longer); False if it never came."""
        for _ in range(300):
            if try_lock(fd):
                return True
            time.sleep(0.1)
        return False
else:
    import fcntl

    def try_lock(fd: int) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def lock(fd: int) -> bool:
        """Wait for the lock as long as it takes."""
        fcntl.flock(fd, fcntl.LOCK_EX)
        return True
