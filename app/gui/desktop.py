"""Handing files to the desktop: open with the default app, reveal in the file manager."""

from __future__ import annotations

import os
import subprocess

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from app.platform.desktop import reveal_command


def open_file(path: str) -> bool:
    """Open with the default application (e.g. an HTML report in the browser)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def reveal_in_file_manager(path: str) -> bool:
    """Show the file selected in the file manager where the platform supports it, else its folder."""
    command = reveal_command(path)   # Explorer and Finder select it; elsewhere open its folder
    try:
        if command is not None:
            subprocess.Popen(command)
            return True
    except OSError:
        pass
    folder = path if os.path.isdir(path) else os.path.dirname(path)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(folder))
