"""Start at login, per OS: an XDG autostart .desktop file (Linux and other freedesktop
systems), a LaunchAgent plist (macOS), the per-user Run registry value (Windows).

The interface is two functions, ``is_enabled`` and ``set_enabled``; the caller says which argv
to start (``gui.autostart`` knows the app's own command). Each OS's entry is produced as exact
text by a pure function in its module (tested on every system); only the final write differs.
`platform` is a ``sys.platform`` value and `registry` stands in for the Windows registry, so
every branch can be exercised on any OS.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from app.platform.autostart.macos import LAUNCH_AGENT_LABEL, launch_agent_path, launch_agent_plist
from app.platform.autostart.names import APP_NAME
from app.platform.autostart.windows import RUN_KEY, WinRegistry, windows_reg_file, windows_run_value
from app.platform.autostart.xdg import DESKTOP_ID, desktop_entry, desktop_exec_line, xdg_autostart_path

__all__ = [
    "APP_NAME", "DESKTOP_ID", "LAUNCH_AGENT_LABEL", "RUN_KEY", "desktop_entry", "desktop_exec_line",
    "is_enabled", "launch_agent_path", "launch_agent_plist", "set_enabled", "windows_reg_file",
    "windows_run_value", "xdg_autostart_path",
]


def _file_target(platform: str, argv: list[str]) -> tuple[Path, bytes]:
    if platform == "darwin":
        return launch_agent_path(), launch_agent_plist(argv)
    return xdg_autostart_path(), desktop_entry(argv).encode("utf-8")


def is_enabled(platform: str = sys.platform, registry=None) -> bool:
    """True when an entry starts the app at login for this user."""
    if platform == "win32":
        return (registry or WinRegistry()).get(APP_NAME) is not None
    return (launch_agent_path() if platform == "darwin" else xdg_autostart_path()).exists()


def set_enabled(enabled: bool, argv: list[str], platform: str = sys.platform,
                registry=None) -> Path | str:
    """Make `argv` start at login (or stop it); returns where the entry lives (file path or
    registry value)."""
    if platform == "win32":
        reg = registry or WinRegistry()
        if enabled:
            reg.set(APP_NAME, windows_run_value(argv))
        else:
            reg.delete(APP_NAME)
        return f"HKEY_CURRENT_USER\\{RUN_KEY}\\{APP_NAME}"
    path, content = _file_target(platform, argv)
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".new")
        tmp.write_bytes(content)
        os.replace(tmp, path)
    else:
        path.unlink(missing_ok=True)
    return path
