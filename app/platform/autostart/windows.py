"""Windows: a value under HKEY_CURRENT_USER's Run key (winreg, imported only when used)."""

from __future__ import annotations

import subprocess

from app.platform.autostart.names import APP_NAME

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


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


class WinRegistry:
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
