"""Starting the app: single instance hand-over, crash dialog, the `gui` command, page shortcuts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


def test_second_start_hands_its_folders_to_the_running_app(qapp, app_home, tmp_path, qtbot):
    from app.gui.single_instance import InstanceServer

    server = InstanceServer()
    assert server.listen()
    received = []
    server.activated.connect(received.append)
    folder = tmp_path / "Pictures"
    folder.mkdir()
    env = {
        **os.environ,
        "FILEORGANIZER_HOME": str(app_home),
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", str(folder)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        qtbot.waitUntil(lambda: bool(received), timeout=20000)
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20000)
    finally:
        if proc.poll() is None:
            proc.kill()
        server.close()
    assert received == [[str(folder)]]
    assert proc.returncode == 0  # the second start exits instead of opening a window


def test_running_app_raises_its_window_and_scans_handed_over_folders(controller, dup_folder, wait_idle):
    controller.window.hide()
    controller.on_second_start([str(dup_folder)])
    assert controller.window.isVisible()
    assert controller.session.folders() == [str(dup_folder)]
    wait_idle()


def test_uncaught_error_shows_a_dialog_with_the_log_file(
    controller, qtbot, monkeypatch, app_home, uncaught_errors
):
    shown = []
    monkeypatch.setattr(
        QMessageBox,
        "exec",
        lambda box: shown.append((box.text(), box.informativeText(), box.detailedText())) or 0,
    )
    controller.crash.dialogs_enabled = True
    try:
        raise RuntimeError("something broke")
    except RuntimeError as exc:
        controller.crash._hook(type(exc), exc, exc.__traceback__)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    text, info, details = shown[0]
    assert "something broke" in text
    assert str(app_home / "logs" / "fileorganizer.log") in info
    assert "Traceback" in details
    assert "something broke" in (app_home / "logs" / "fileorganizer.log").read_text()
    assert len(uncaught_errors) == 1  # raised on purpose: the fixture must not fail this test
    uncaught_errors.clear()


def test_gui_command_rejects_a_missing_folder(run_cli, tmp_path):
    proc = run_cli("gui", str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert "not a folder" in proc.stderr


def test_duplicates_page_shortcuts(window, controller, dup_folder, wait_idle, qtbot):
    controller.session.add_folders([str(dup_folder)], scan=True)
    wait_idle()
    window.show_view("duplicates")
    view = window.views["duplicates"]
    view.model.set_marks(set(), view.model.kept)
    window.activateWindow()
    qtbot.keyClick(
        window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    wait_idle()
    assert len(view.model.marked) == 3
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.search.hasFocus()
