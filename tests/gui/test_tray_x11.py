"""The tray for real on an X server with a tray host. Run by test_tray.py in a subprocess with
QT_QPA_PLATFORM=xcb and DISPLAY set (Xvfb + trayer); skipped in the normal offscreen run."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMainWindow, QSystemTrayIcon

from app.gui import tray as tray_mod
from app.store import watched
from app.store.db import open_database
from app.store.watched import WatchedFolder

UNDER_X = "FO_TRAY_TEST" in os.environ and os.environ.get("QT_QPA_PLATFORM") == "xcb"
pytestmark = pytest.mark.skipif(not UNDER_X, reason="run by tests/gui/test_tray.py under Xvfb")

SETTLE = 0.3


def pump(qapp, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        qapp.processEvents()
        time.sleep(0.02)


def wait_for(qapp, cond, timeout: float = 15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        qapp.processEvents()
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


class Window(QMainWindow):
    """Stands in for the main window: hides instead of closing when hide_on_close is set."""

    def __init__(self) -> None:
        super().__init__()
        self.hide_on_close = False
        self.views: list[str] = []

    def show_view(self, key: str) -> None:
        self.views.append(key)

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.hide_on_close:
            event.ignore()
            self.hide()


@pytest.fixture
def setup(qapp, app_home, tmp_path):
    if "FO_NO_TRAY" not in os.environ:  # the tray host may still be starting
        wait_for(qapp, QSystemTrayIcon.isSystemTrayAvailable, 10)
    db = open_database()
    watched.set_settle_seconds(db, SETTLE)
    inbox, dest = tmp_path / "Downloads", tmp_path / "Sorted"
    inbox.mkdir()
    watched.add_folder(db, WatchedFolder(str(inbox), {"preset": "by-extension"}, str(dest)))
    window = Window()
    window.show()
    calls: dict[str, list] = {"show": [], "quit": [], "notify": []}

    def show_window():
        calls["show"].append(1)
        window.show()

    def show_history():
        show_window()
        window.show_view("history")

    tray = tray_mod.Tray(
        db,
        window=window,
        show_window=show_window,
        show_history=show_history,
        quit_app=lambda: calls["quit"].append(1),
        notify=calls["notify"].append,
    )
    yield tray, window, inbox, dest, calls
    tray.hide()
    window.hide_on_close = False
    window.close()
    # delete the Qt objects now, not whenever Python's GC gets to them (mid-way through a later test)
    tray.menu.deleteLater()
    window.deleteLater()
    tray.deleteLater()
    pump(qapp, 0.1)
    gc.collect()
    db.close()


def open_menu(qapp, tray) -> None:
    g = tray.icon.geometry()
    tray.menu.popup(QPoint(max(0, g.right() - 250), g.bottom() + 2))
    assert wait_for(qapp, tray.menu.isVisible, 5)
    pump(qapp, 0.3)


def test_icon_is_in_the_tray(qapp, setup):
    tray, *_ = setup
    assert QSystemTrayIcon.isSystemTrayAvailable() and tray.available
    assert wait_for(qapp, lambda: tray.icon.geometry().width() > 0, 5)
    assert tray.icon.isVisible()
    assert "watching 1 folder" in tray.icon.toolTip()


def test_menu_activity_reveal_notification_and_undo(qapp, setup, monkeypatch):
    tray, window, inbox, dest, calls = setup
    revealed: list[str] = []
    monkeypatch.setattr(tray_mod, "reveal_in_file_manager", revealed.append)
    for name in ("report.pdf", "photo.jpg", "notes.txt"):
        (inbox / name).write_text(name)
    assert wait_for(qapp, lambda: tree(dest) == ["jpg/photo.jpg", "pdf/report.pdf", "txt/notes.txt"])
    assert wait_for(qapp, lambda: any("Organized 3 files" in text for _, text in tray.messages))

    open_menu(qapp, tray)  # built as it opens: the new activity is there
    shot = os.environ.get("FO_TRAY_SHOT")
    if shot:
        assert qapp.primaryScreen().grabWindow(0).save(shot)
    actions = tray.actions_by_text()
    for text in (
        "Open FileOrganizer Pro",
        "Pause watching",
        "Scan now",
        "Recent activity",
        "Undo last",
        "Quit",
        "Moved report.pdf → pdf",
        "Moved photo.jpg → jpg",
        "Moved notes.txt → txt",
    ):
        assert text in actions, (text, list(actions))
    assert actions["Undo last"].isEnabled()
    actions["Moved report.pdf → pdf"].trigger()
    assert revealed == [str(dest / "pdf" / "report.pdf")]
    tray.menu.hide()

    # the balloon (no notification daemon here): clicking it opens History
    balloons = [
        w
        for w in QApplication.topLevelWidgets()
        if w.metaObject().className() == "QBalloonTip" and w.isVisible()
    ]
    if balloons:
        QTest.mouseClick(balloons[0], Qt.MouseButton.LeftButton)
    else:  # a notification daemon shows it: simulate its click signal
        tray.icon.messageClicked.emit()
    assert wait_for(qapp, lambda: window.views == ["history"], 5)

    open_menu(qapp, tray)
    tray.actions_by_text()["Undo last"].trigger()
    tray.menu.hide()
    assert wait_for(qapp, lambda: any(text.startswith("Undid 3") for _, text in tray.messages)), tray.messages
    assert tree(inbox) == ["notes.txt", "photo.jpg", "report.pdf"]
    pump(qapp, SETTLE * 5)
    assert tree(inbox) == ["notes.txt", "photo.jpg", "report.pdf"]  # not re-organized


def test_pause_resume_and_scan_from_the_menu(qapp, setup):
    tray, window, inbox, dest, calls = setup
    open_menu(qapp, tray)
    tray.actions_by_text()["Pause watching"].trigger()
    tray.menu.hide()
    assert tray.service.paused and "paused" in tray.icon.toolTip()
    (inbox / "later.txt").write_text("x")
    pump(qapp, SETTLE * 5)
    assert tree(inbox) == ["later.txt"]
    open_menu(qapp, tray)
    actions = tray.actions_by_text()
    assert "Resume watching" in actions and not actions["Scan now"].isEnabled()
    actions["Resume watching"].trigger()
    tray.menu.hide()
    assert wait_for(qapp, lambda: tree(dest) == ["txt/later.txt"])
    open_menu(qapp, tray)
    tray.actions_by_text()["Scan now"].trigger()
    tray.actions_by_text()["Open FileOrganizer Pro"].trigger()
    tray.menu.hide()
    assert calls["show"] == [1]


def test_closing_the_window_keeps_watching_and_says_so_once(qapp, setup):
    tray, window, inbox, dest, calls = setup
    assert window.hide_on_close
    window.close()
    pump(qapp, 0.2)
    assert not window.isVisible()
    hints = [t for t, _ in tray.messages if "still running" in t]
    assert len(hints) == 1
    (inbox / "while-hidden.pdf").write_text("x")
    assert wait_for(qapp, lambda: tree(dest) == ["pdf/while-hidden.pdf"])
    window.show()
    window.close()
    pump(qapp, 0.2)
    assert len([t for t, _ in tray.messages if "still running" in t]) == 1
    open_menu(qapp, tray)
    tray.actions_by_text()["Quit"].trigger()
    assert calls["quit"] == [1]


@pytest.mark.skipif("FO_NO_TRAY" not in os.environ, reason="runs on a display without a tray host")
def test_no_tray_says_so_and_keeps_working(qapp, setup):
    tray, window, inbox, dest, calls = setup
    assert not QSystemTrayIcon.isSystemTrayAvailable() and not tray.available and tray.icon is None
    assert any("no system tray" in text for text in calls["notify"])
    assert not window.hide_on_close  # closing the window quits as usual
    (inbox / "a.txt").write_text("a")
    assert wait_for(qapp, lambda: tree(dest) == ["txt/a.txt"])
    assert wait_for(qapp, lambda: any("Organized 1 file" in text for text in calls["notify"]))


def test_the_app_puts_up_its_tray_and_settings_reach_it(qapp, app_home, tmp_path, monkeypatch):
    """The real application object: create_tray hook, History on click, close to tray, Settings."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    wait_for(qapp, QSystemTrayIcon.isSystemTrayAvailable, 10)
    db = open_database()
    watched.set_settle_seconds(db, SETTLE)
    inbox, dest = tmp_path / "Downloads", tmp_path / "Sorted"
    inbox.mkdir()
    folder = watched.add_folder(db, WatchedFolder(str(inbox), {"preset": "by-extension"}, str(dest)))
    db.close()
    from app.gui.application import Controller
    ctl = Controller(qapp, [], single_instance=False)
    ctl.crash.dialogs_enabled = False
    try:
        ctl.window.show()
        tray = ctl.tray
        assert isinstance(tray, tray_mod.Tray) and tray.available and tray.icon.isVisible()
        assert QApplication.instance().property("fo_tray") is tray
        assert ctl.window.hide_on_close
        (inbox / "a.txt").write_text("a")
        assert wait_for(qapp, lambda: tree(dest) == ["txt/a.txt"])
        assert wait_for(qapp, lambda: any("Organized 1 file" in t for _, t in tray.messages))
        tray.icon.messageClicked.emit()
        assert ctl.window.current_view() == "history" and ctl.window.isVisible()
        ctl.window.close()
        pump(qapp, 0.2)
        assert not ctl.window.isVisible()
        assert any("still running" in t for t, _ in tray.messages)
        tray.open_window()
        assert wait_for(qapp, ctl.window.isVisible, 5)

        settings = ctl.window.views["settings"].watcher
        assert wait_for(qapp, lambda: settings.summary.text() == "Watching 1 folder", 5)
        dialog = settings.open_dialog()
        assert wait_for(qapp, lambda: dialog.table.rowCount() == 1, 5)   # read in a worker
        dialog.table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)    # switch the folder off
        assert wait_for(qapp, lambda: tray.service.folders() == [], 5)    # stored in a worker
        assert not ctl.window.hide_on_close
        assert wait_for(qapp, lambda: settings.summary.text() == "No folders are watched", 5)
        settings.login.setChecked(True)
        assert (tmp_path / "xdg-config" / "autostart" / "fileorganizer-pro.desktop").exists()
        dialog.close()
        assert folder.id is not None
    finally:
        ctl.window.hide_on_close = False
        ctl.shutdown()
        ctl.window.deleteLater()
        pump(qapp, 0.1)
        gc.collect()


def test_closing_the_watched_folders_dialog_with_the_window_hidden_keeps_the_app(
    qapp, app_home, tmp_path, monkeypatch
):
    """The real Controller in the real event loop: hide the window to the tray, open Watched
    folders… from the tray menu, close the dialog with Escape. The app must keep running (it
    quit here before: the dialog was the last visible window)."""
    from PySide6.QtCore import QTimer

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    wait_for(qapp, QSystemTrayIcon.isSystemTrayAvailable, 10)
    db = open_database()
    inbox = tmp_path / "Downloads"
    inbox.mkdir()
    watched.add_folder(db, WatchedFolder(str(inbox), {"preset": "by-extension"}, str(tmp_path / "S")))
    db.close()
    from app.gui.application import Controller

    ctl = Controller(qapp, [], single_instance=False)
    ctl.crash.dialogs_enabled = False
    steps: list[str] = []
    try:
        ctl.window.show()
        tray = ctl.tray
        assert tray.available and ctl.window.hide_on_close

        def hide_and_open() -> None:
            ctl.window.close()  # to the tray
            steps.append("hidden" if not ctl.window.isVisible() else "still shown")
            tray.build_menu()
            tray.actions_by_text()["Watched folders…"].trigger()
            steps.append("dialog" if tray.dialog.isVisible() else "no dialog")

        def close_dialog() -> None:
            QTest.keyClick(tray.dialog, Qt.Key.Key_Escape)
            steps.append("closed" if getattr(tray, "dialog", None) is None else "dialog stayed")

        def still_running() -> None:
            steps.append("alive")
            qapp.quit()

        QTimer.singleShot(100, hide_and_open)
        QTimer.singleShot(600, close_dialog)
        QTimer.singleShot(2000, still_running)
        QTimer.singleShot(8000, qapp.quit)  # never hang the run
        qapp.exec()
        assert steps == ["hidden", "dialog", "closed", "alive"]
        assert tray.icon.isVisible() and not tray.service.paused and tray.service.folders()
    finally:
        ctl.window.hide_on_close = False
        ctl.shutdown()
        ctl.window.deleteLater()
        pump(qapp, 0.1)
        gc.collect()
