"""Stand-in for send2trash in the Windows-like test mode: the Recycle Bin cannot run on Linux.

Like the real one on Windows, it takes the file away to a place the app is not told about:
``$XDG_DATA_HOME/windows-like-recycle-bin/<unique>/<name>`` (the tests point XDG_DATA_HOME into
their tmp folder; without it, the system temp folder). The app's own code path is the real one:
``app.platform.trash.send_to_system_trash`` imports this module as it would import send2trash.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import uuid

__all__ = ["TrashPermissionError", "recycle_bin", "send2trash"]


class TrashPermissionError(PermissionError):
    """As send2trash.TrashPermissionError."""


def recycle_bin() -> str:
    """Where this stand-in puts trashed files."""
    base = os.environ.get("XDG_DATA_HOME") or tempfile.gettempdir()
    return os.path.join(base, "windows-like-recycle-bin")


def send2trash(paths) -> None:
    """Move each path (a str, bytes or path object, or a list of them) into the recycle bin."""
    if not isinstance(paths, list):
        paths = [paths]
    for path in paths:
        path = os.fsdecode(os.fspath(path))
        if not os.path.lexists(path):
            raise OSError(errno.ENOENT, f"File not found: {path}")
        slot = os.path.join(recycle_bin(), f"$R{uuid.uuid4().hex[:12].upper()}")
        os.makedirs(slot)
        shutil.move(path, os.path.join(slot, os.path.basename(path.rstrip(os.sep)) or "file"))
