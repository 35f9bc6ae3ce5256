"""Revealing a file from the tray's recent activity: the freedesktop FileManager1.ShowItems call."""

from __future__ import annotations

import shutil

import pytest

from app.gui import tray_reveal as tray


@pytest.mark.skipif(not (shutil.which("gdbus") or shutil.which("dbus-send")), reason="no D-Bus client")
def test_show_items_command_names_the_file_as_a_uri(tmp_path):
    target = tmp_path / "a dir" / "report #1's.pdf"
    command = tray._show_items_command(str(target))
    uri = (tmp_path / "a dir").as_uri() + "/report%20%231%27s.pdf"
    if command[0] == "gdbus":
        assert command[-4:] == ["--method", "org.freedesktop.FileManager1.ShowItems", f"['{uri}']", ""]
    else:
        assert command[-2:] == [f"array:string:{uri}", "string:"]
    assert "org.freedesktop.FileManager1" in " ".join(command)
