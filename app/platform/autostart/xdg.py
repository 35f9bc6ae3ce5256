"""Linux and other freedesktop systems: $XDG_CONFIG_HOME/autostart/<id>.desktop
(XDG Autostart and Desktop Entry specifications)."""

from __future__ import annotations

import os
from pathlib import Path

from app.platform.autostart.names import APP_NAME

DESKTOP_ID = "fileorganizer-pro"  # also the icon name the Linux package installs


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
