"""Start at login: the app's own command, handed to ``app.platform.autostart``, which writes the
XDG .desktop file (Linux), the LaunchAgent plist (macOS) or the Run registry value (Windows).

No Qt here: the watch dialog calls ``set_enabled()`` / ``is_enabled()``. The app is started with
``--minimized`` so it comes up in the tray. The entry formats are re-exported for the packaging
tests (the Windows installer writes the same Run value).
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.platform import autostart as _os_autostart
from app.platform.autostart import (  # noqa: F401 (re-exported)
    APP_NAME,
    DESKTOP_ID,
    LAUNCH_AGENT_LABEL,
    RUN_KEY,
    desktop_entry,
    desktop_exec_line,
    launch_agent_path,
    launch_agent_plist,
    windows_reg_file,
    windows_run_value,
    xdg_autostart_path,
)

MINIMIZED_FLAG = "--minimized"


def launch_command() -> list[str]:
    """The argv that starts the desktop app minimized to the tray."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the executable is the app
        return [sys.executable, MINIMIZED_FLAG]
    return [sys.executable, "-m", "app", MINIMIZED_FLAG]


def is_enabled(platform: str = sys.platform, registry=None) -> bool:
    """True when the app is set to start at login for this user."""
    return _os_autostart.is_enabled(platform, registry)


def set_enabled(enabled: bool, platform: str = sys.platform, registry=None) -> Path | str:
    """Turn start-at-login on or off; returns where the entry lives (file path or registry value)."""
    return _os_autostart.set_enabled(enabled, launch_command(), platform, registry)
