"""Showing a file of the tray's recent activity in the system file manager, selected.

Explorer and Finder take a command (app.platform.desktop); Linux desktops take the freedesktop
FileManager1.ShowItems D-Bus call, and where no file manager answers it the folder is opened.
The D-Bus call may take a moment or time out, so it runs off the UI thread.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from pathlib import Path

from app.platform.desktop import reveal_command

log = logging.getLogger(__name__)


def _show_items_command(path: str) -> list[str] | None:
    """The D-Bus call asking the desktop's file manager to show `path` selected (freedesktop)."""
    uri = Path(os.path.abspath(path)).as_uri()  # percent-encoded, so no quote can break out
    if shutil.which("gdbus"):
        return [
            "gdbus",
            "call",
            "--session",
            "--dest",
            "org.freedesktop.FileManager1",
            "--object-path",
            "/org/freedesktop/FileManager1",
            "--method",
            "org.freedesktop.FileManager1.ShowItems",
            f"['{uri}']",
            "",
        ]
    if shutil.which("dbus-send"):
        return [
            "dbus-send",
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.FileManager1",
            "/org/freedesktop/FileManager1",
            "org.freedesktop.FileManager1.ShowItems",
            f"array:string:{uri}",
            "string:",
        ]
    return None


def reveal_in_file_manager(path: str) -> None:
    """Show `path` selected in the system file manager (its folder when selecting is not possible)."""
    native = reveal_command(path)    # Explorer (Windows), Finder (macOS)
    if native is not None:
        subprocess.Popen(native)
        return
    folder = path if os.path.isdir(path) else os.path.dirname(path)
    command = _show_items_command(path)

    def run() -> None:  # off the GUI thread: D-Bus may take a moment or time out
        if command is not None:
            try:
                if subprocess.run(command, capture_output=True, timeout=5).returncode == 0:
                    return
            except (OSError, subprocess.TimeoutExpired):
                pass
        if shutil.which("xdg-open"):
            subprocess.Popen(["xdg-open", folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            log.warning("no file manager to show %s", path)

    threading.Thread(target=run, name="reveal", daemon=True).start()
