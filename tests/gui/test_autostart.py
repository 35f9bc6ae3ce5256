"""Start at login: the XDG .desktop file for real (validated, launched by GLib), the Windows Run
value and the macOS LaunchAgent plist as exact text."""

from __future__ import annotations

import json
import os
import plistlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.gui import autostart

ODD_DIR = "dir with space $HOME 'q' \"dq\" back\\slash 100% #x"


@pytest.fixture
def xdg(tmp_path, monkeypatch):
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    return config


def test_launch_command_starts_the_app_minimized():
    argv = autostart.launch_command()
    assert argv[0] == sys.executable and argv[-1] == "--minimized"
    assert argv[1:3] == ["-m", "app"]


def test_desktop_file_is_written_and_removed(xdg):
    assert not autostart.is_enabled("linux")
    where = autostart.set_enabled(True, "linux")
    assert where == xdg / "autostart" / "fileorganizer-pro.desktop"
    assert autostart.is_enabled("linux")
    text = where.read_text()
    assert text.startswith("[Desktop Entry]\nType=Application\nName=FileOrganizer Pro\n")
    assert "X-GNOME-Autostart-enabled=true\n" in text
    autostart.set_enabled(False, "linux")
    assert not where.exists() and not autostart.is_enabled("linux")
    autostart.set_enabled(False, "linux")  # turning off twice is fine


def test_exec_quoting_follows_the_desktop_entry_spec():
    assert autostart.desktop_exec_line(["/usr/bin/python3", "-m", "app"]) == "/usr/bin/python3 -m app"
    assert autostart.desktop_exec_line(["/opt/My App/run", "50%"]) == '"/opt/My App/run" 50%%'
    # $ ` " \ are backslash-escaped inside quotes; then every backslash is doubled by the
    # string-value escape layer: a literal backslash becomes four.
    assert autostart.desktop_exec_line(['a"b$c`d\\e']) == '"a\\\\"b\\\\$c\\\\`d\\\\\\\\e"'


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils not installed")
def test_desktop_file_validates(xdg):
    path = autostart.set_enabled(True, "linux")
    proc = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == ""


@pytest.mark.skipif(
    not (shutil.which("gtk-launch") and shutil.which("xvfb-run")), reason="needs gtk-launch and xvfb-run"
)
def test_desktop_file_launches_the_exact_command(tmp_path, xdg, monkeypatch):
    """GLib parses our Exec line and starts the program with exactly the intended argv."""
    folder = tmp_path / ODD_DIR
    folder.mkdir()
    out = tmp_path / "argv.json"
    script = folder / "fake app.py"
    script.write_text(f"import json, sys\njson.dump(sys.argv[1:], open({str(out)!r}, 'w'))\n")
    argv = [sys.executable, str(script), "--minimized", "50%", "it's"]
    monkeypatch.setattr(autostart, "launch_command", lambda: argv)
    path = autostart.set_enabled(True, "linux")
    apps = tmp_path / "data" / "applications"  # gtk-launch looks entries up by id there
    apps.mkdir(parents=True)
    shutil.copy(path, apps / "fo-autostart-test.desktop")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    proc = subprocess.run(
        ["xvfb-run", "-a", "gtk-launch", "fo-autostart-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    deadline = time.monotonic() + 20
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert json.loads(out.read_text()) == argv[2:]


def test_windows_run_value_and_reg_text():
    argv = [r"C:\Program Files\FileOrganizer Pro\FileOrganizer Pro.exe", "--minimized"]
    value = autostart.windows_run_value(argv)
    assert value == r'"C:\Program Files\FileOrganizer Pro\FileOrganizer Pro.exe" --minimized'
    assert autostart.windows_reg_file(argv) == (
        "Windows Registry Editor Version 5.00\r\n\r\n"
        "[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run]\r\n"
        '"FileOrganizer Pro"="\\"C:\\\\Program Files\\\\FileOrganizer Pro\\\\FileOrganizer Pro.exe\\" '
        '--minimized"\r\n'
    )


class DictRegistry:
    """The Run key as a dict: the same get/set/delete the winreg wrapper offers."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name):
        return self.values.get(name)

    def set(self, name, value):
        self.values[name] = value

    def delete(self, name):
        self.values.pop(name, None)


def test_windows_switch_writes_the_run_value(monkeypatch):
    reg = DictRegistry()
    monkeypatch.setattr(autostart, "launch_command", lambda: [r"C:\Apps\FO\fo.exe", "--minimized"])
    assert not autostart.is_enabled("win32", reg)
    where = autostart.set_enabled(True, "win32", reg)
    assert where == r"HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run\FileOrganizer Pro"
    assert reg.values == {"FileOrganizer Pro": r"C:\Apps\FO\fo.exe --minimized"}
    assert autostart.is_enabled("win32", reg)
    autostart.set_enabled(False, "win32", reg)
    assert reg.values == {} and not autostart.is_enabled("win32", reg)


def test_launch_agent_plist_text(tmp_path, monkeypatch):
    argv = ["/Applications/FileOrganizer Pro.app/Contents/MacOS/FileOrganizer Pro", "--minimized"]
    assert autostart.launch_agent_plist(argv).decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
        '<plist version="1.0">\n'
        "<dict>\n"
        "\t<key>Label</key>\n"
        "\t<string>com.fileorganizerpro.app</string>\n"
        "\t<key>ProgramArguments</key>\n"
        "\t<array>\n"
        "\t\t<string>/Applications/FileOrganizer Pro.app/Contents/MacOS/FileOrganizer Pro</string>\n"
        "\t\t<string>--minimized</string>\n"
        "\t</array>\n"
        "\t<key>RunAtLoad</key>\n"
        "\t<true/>\n"
        "\t<key>ProcessType</key>\n"
        "\t<string>Interactive</string>\n"
        "\t<key>LimitLoadToSessionType</key>\n"
        "\t<string>Aqua</string>\n"
        "</dict>\n"
        "</plist>\n"
    )


def test_macos_switch_writes_the_launch_agent(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(
        autostart, "launch_command", lambda: ["/Applications/FO.app/Contents/MacOS/FO", "--minimized"]
    )
    path = autostart.set_enabled(True, "darwin")
    assert path == Path(tmp_path) / "Library" / "LaunchAgents" / "com.fileorganizerpro.app.plist"
    data = plistlib.loads(path.read_bytes())
    assert data["ProgramArguments"] == ["/Applications/FO.app/Contents/MacOS/FO", "--minimized"]
    assert data["RunAtLoad"] is True and autostart.is_enabled("darwin")
    autostart.set_enabled(False, "darwin")
    assert not path.exists()
