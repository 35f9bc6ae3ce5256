"""A listed file's own ``lstat``, with its identity (inode, device, link count) on every OS.

A directory listing (``os.scandir``) gives each entry's stat without another system call,
but on Windows Python leaves ``st_ino``, ``st_dev`` and ``st_nlink`` of that stat at zero
(documented behaviour): every file would look like a hard link of every other, so there
the path is asked again with ``os.lstat``. POSIX listings have them already.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable

entry_lstat: Callable[[os.DirEntry], os.stat_result]
if os.name == "nt":
    def entry_lstat(entry: os.DirEntry) -> os.stat_result:
        """The entry's lstat with its identity (one more call per file on Windows)."""
        return os.lstat(entry.path)
else:
    entry_lstat = functools.partial(os.DirEntry.stat, follow_symlinks=False)
