"""`fileorganizer gui`."""

import sys

import pytest

from app.cli import main
from app.cli.commands import gui


def test_gui_command_of_an_installed_build_starts_the_desktop_executable(tmp_path, monkeypatch):
    """The bundled command line has no Qt start-up hook: `fileorganizer gui` hands over to the
    desktop executable beside it, with the folders made absolute."""
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    folder = tmp_path / "photos"
    folder.mkdir()
    calls = []

    def fake_execv(path, argv):
        calls.append((str(path), argv))
        raise SystemExit(0)

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(bundle / "fileorganizer"))
    monkeypatch.setattr(gui.os, "execv", fake_execv)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        main(["gui", "photos"])
    exe = str(bundle / (gui.GUI_EXECUTABLE + (".exe" if sys.platform == "win32" else "")))
    assert calls == [(exe, [exe, str(folder)])]
