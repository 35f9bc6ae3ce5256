"""Round-trip OS paths through SQLite.

Python represents undecodable bytes in file names as lone surrogates
(surrogateescape); SQLite's TEXT must be valid UTF-8. Such a name is stored as
a BLOB of its raw OS bytes instead (SQLite columns are dynamically typed), so
every name comes back exactly as the OS gave it.
"""

from __future__ import annotations

import os


def to_db(path: str) -> str | bytes:
    """Value to store for `path`."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path)


def from_db(value: str | bytes) -> str:
    """The path as the OS spells it (str, surrogateescape for odd bytes)."""
    return os.fsdecode(value) if isinstance(value, bytes) else value
