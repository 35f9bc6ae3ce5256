"""Start at login: an XDG autostart .desktop file (Linux and other freedesktop systems), the
per-user Run registry key (Windows) or a LaunchAgent plist (macOS).

No Qt here: the settings view calls ``set_enabled()`` / ``is_enabled()``. The app is started with
``--minimized`` so it comes up in the tray. Each platform's entry is produced as exact text by a
pure function (tested on every system); only the final write differs per platform.
"""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from pathlib import Path

APP_NAME = "FileOrganizer Pro"
DESKTOP_ID = "fileorganizer-pro"  # also the icon name the Linux package installs
LAUNCH_AGENT_LABEL = "com.fileorganizerpro.app"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
MINIMIZED_FLAG = "--minimized"


def launch_command() -> list[str]:
    """The argv that starts the desktop app minimized to the tray."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the executable is the app
        return [sys.executable, MINIMIZED_FLAG]
    return [sys.executable, "-m", "app", MINIMIZED_FLAG]


# --- Linux / freedesktop ------------------------------------------------------------------------


def _desktop_exec_arg(arg: str) -> str:
    """Quote one argument for a .desktop Exec key (Desktop Entry Specification, "The Exec key")."""
    reserved = set(" \t\n\"'\\><~|&;$*?#()`")
    if arg and not (set(arg) & reserved):
        return arg.replace("%", "%%")
    quoted = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return '"' + quoted.replace("%", "%%") + '"'


def desktop_exec_line(argv: list[str]) -> str:
    """The Exec value for `argv`, escaped for both the Exec rules and the string-value rules."""
    line = " ".join(_desktop_exec_arg(a) for a in argv)
    # The file format's own escape layer: a backslash in any string value is written as \\.
    return line.replace("\\", "\\\\")


def desktop_entry(argv: list[str]) -> str:
    """The whole autostart .desktop file."""
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={APP_NAME}\n"
        "Comment=Watch folders and keep them tidy\n"
        f"Exec={desktop_exec_line(argv)}\n"
        f"Icon={DESKTOP_ID}\n"
        "Terminal=false\n"
        "Categories=Utility;FileTools;\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def xdg_autostart_path() -> Path:
    """$XDG_CONFIG_HOME/autostart/fileorganizer-pro.desktop (default ~/.config)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "autostart" / f"{DESKTOP_ID}.desktop"


# --- macOS --------------------------------------------------------------------------------------


def launch_agent_plist(argv: list[str]) -> bytes:
    """The LaunchAgent property list (XML) that runs `argv` when the user logs in."""
    return plistlib.dumps(
        {
            "Label": LAUNCH_AGENT_LABEL,
            "ProgramArguments": list(argv),
            "RunAtLoad": True,
            "ProcessType": "Interactive",
            "LimitLoadToSessionType": "Aqua",
        },
        fmt=plistlib.FMT_XML,
        sort_keys=False,
    )


def launch_agent_path() -> Path:
    """~/Library/LaunchAgents/com.fileorganizerpro.app.plist"""
    return Path(os.path.expanduser("~")) / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"


# --- Windows ------------------------------------------------------------------------------------


def windows_run_value(argv: list[str]) -> str:
    """The REG_SZ data of the Run value: a command line with Windows (MSVCRT) quoting."""
    return subprocess.list2cmdline(argv)


def windows_reg_file(argv: list[str]) -> str:
    """The same entry in .reg export format (what `reg export` shows; also documentation)."""

    def reg_str(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return (
        "Windows Registry Editor Version 5.00\r\n\r\n"
        f"[HKEY_CURRENT_USER\\{RUN_KEY}]\r\n"
        f"{reg_str(APP_NAME)}={reg_str(windows_run_value(argv))}\r\n"
    )


class _WinRegistry:
    """The HKCU Run key through winreg (Windows only)."""

    def __init__(self) -> None:
        import winreg  # noqa: PLC0415 (Windows only)

        self.winreg = winreg

    def get(self, name: str) -> str | None:
        w = self.winreg
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, RUN_KEY, 0, w.KEY_READ) as key:
                return str(w.QueryValueEx(key, name)[0])
        except OSError:
            return None

    def set(self, name: str, value: str) -> None:
        w = self.winreg
        with w.CreateKeyEx(w.HKEY_CURRENT_USER, RUN_KEY, 0, w.KEY_SET_VALUE) as key:
            w.SetValueEx(key, name, 0, w.REG_SZ, value)

    def delete(self, name: str) -> None:
        w = self.winreg
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, RUN_KEY, 0, w.KEY_SET_VALUE) as key:
                w.DeleteValue(key, name)
        except FileNotFoundError:
            pass


# --- the switch the settings view uses ----------------------------------------------------------


def _file_target(platform: str) -> tuple[Path, bytes]:
    argv = launch_command()
    if platform == "darwin":
        return launch_agent_path(), launch_agent_plist(argv)
    return xdg_autostart_path(), desktop_entry(argv).encode("utf-8")


def is_enabled(platform: str = sys.platform, registry=None) -> bool:
    """True when the app is set to start at login for this user."""
    if platform == "win32":
        return (registry or _WinRegistry()).get(APP_NAME) is not None
    return _file_target(platform)[0].exists()


def set_enabled(enabled: bool, platform: str = sys.platform, registry=None) -> Path | str:
    """Turn start-at-login on or off; returns where the entry lives (file path or registry value)."""
    if platform == "win32":
        reg = registry or _WinRegistry()
        if enabled:
            reg.set(APP_NAME, windows_run_value(launch_command()))
        else:
            reg.delete(APP_NAME)
        return f"HKEY_CURRENT_USER\\{RUN_KEY}\\{APP_NAME}"
    path, content = _file_target(platform)
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".new")
        tmp.write_bytes(content)
        os.replace(tmp, path)
    else:
        path.unlink(missing_ok=True)
    return path
