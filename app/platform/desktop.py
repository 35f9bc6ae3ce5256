"""Showing a file selected in the system file manager: the command each OS offers.

Windows Explorer and the macOS Finder take the file on their command line; on Linux the caller
asks the freedesktop FileManager1 D-Bus service or opens the folder (None here).
"""

from __future__ import annotations

import os
import sys


def reveal_command(path: str) -> list[str] | None:
    """The argv that shows `path` selected in the file manager, or None where there is none."""
    if sys.platform == "win32":
        return ["explorer", "/select,", os.path.normpath(path)]
    if sys.platform == "darwin":
        return ["open", "-R", path]
    return None
