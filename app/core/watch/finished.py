"""Is a file finished arriving? Names of partial downloads and temp files, and in-use checks.

Used by ``core.watch.settle`` before a file is handed on; pure functions, no state. Whether a
process still has the file open for writing is an OS question: ``app.platform.open_files``.
"""

from __future__ import annotations

import fnmatch
import os

from app.platform.open_files import open_for_writing

__all__ = ["can_open_for_reading", "has_partial_sibling", "is_partial_name", "open_for_writing"]

# Suffixes of files still being written by browsers, download managers, editors and copiers.
PARTIAL_SUFFIXES = (
    ".part", ".partial", ".crdownload", ".download", ".tmp", ".temp", ".opdownload", ".filepart",
    ".!ut", ".!qb", ".!bt", ".bc!", ".aria2", ".dtapart", ".xltd", ".td", ".unconfirmed",
    ".swp", ".swo", ".swx", ".kate-swp", ".crswap", ".dwl", ".dwl2", ".lck",
)
# Name patterns (fnmatch) of temp, lock and system files.
PARTIAL_PATTERNS = (
    "~$*", ".~lock.*", ".#*", "#*#", "*~", ".goutputstream-*", ".fuse_hidden*", ".nfs*",
    "Unconfirmed *.crdownload", "*.sb-*", ".com.google.Chrome.*", ".org.chromium.Chromium.*",
)
SYSTEM_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".directory", "Icon\r", ".localized"})


def is_partial_name(name: str, ignore_hidden: bool = True) -> bool:
    """True for names of unfinished downloads, temp/lock/system files (and hidden files by default)."""
    if name in SYSTEM_NAMES or (ignore_hidden and name.startswith(".")):
        return True
    lower = name.lower()
    if lower.endswith(PARTIAL_SUFFIXES):
        return True
    return any(fnmatch.fnmatchcase(name, p) for p in PARTIAL_PATTERNS)


def has_partial_sibling(path: str) -> bool:
    """True when a partial download of this very file exists beside it (Firefox keeps an empty
    placeholder `x.pdf` while the bytes go to `x.pdf.part`)."""
    return any(os.path.lexists(path + s) for s in (".part", ".crdownload", ".download", ".partial"))


def can_open_for_reading(path: str) -> bool:
    """True when the file opens and its first byte reads (fails on Windows while it is locked)."""
    try:
        with open(path, "rb") as f:
            f.read(1)
        return True
    except OSError:
        return False

