"""Which system trash this OS has, and the two OS calls it needs.

Linux and the other freedesktop systems: the freedesktop.org Trash specification, implemented in
``core.ops.trash`` so undo knows where each file went. Its per-mount folders are named after the
numeric user id, so it needs ``os.getuid``; a system without one (Windows) and macOS use the
platform's own trash through send2trash, which does not say where the file went.
"""

from __future__ import annotations

import os
import sys

FREEDESKTOP = os.name == "posix" and sys.platform != "darwin" and hasattr(os, "getuid")


def user_id() -> int:
    """The numeric user id the freedesktop trash folders are named after (freedesktop only)."""
    return os.getuid()


def send_to_system_trash(path: str) -> None:
    """Hand the file to the platform's trash (Windows Recycle Bin, macOS Trash) via send2trash."""
    from send2trash import send2trash

    send2trash(path)

