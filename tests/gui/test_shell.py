"""The window shell: title, navigation, remembered state, drops, folders, shortcuts, worker."""

from __future__ import annotations

import os
import threading
import time

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QAbstractButton, QApplication

pytestmark = pytest.mark.gui


def drop_urls(widget, paths) -> bool:
    """Drag-enter then drop file URLs on `widget`, as a file manager does; True if accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(
        QPoint(200, 200),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)  # Qt delivers a drop only after an accepted enter
    if not enter.isAccepted():
        return False
    event = QDropEvent(
        QPointF(QPoint(200, 200)),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def test_title_views_and_sidebar(window):
    assert window.windowTitle() == "FileOrganizer Pro"
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels == ["Dashboard", "Organizer", "Duplicates", "Reports", "History", "Settings"]
    for key in ("organizer", "duplicates", "reports", "history", "settings", "dashboard"):
        window.show_view(key)
        assert window.views[key].isVisibleTo(window.stack.currentWidget())


def test_every_button_has_an_accessible_name(window):
    for key in window.views:
        window.show_view(key)
    nameless = [
        b
        for b in window.findChildren(QAbstractButton)
        if b.isVisibleTo(window) and not (b.accessibleName() or b.text() or b.toolTip())
    ]
    assert nameless == []


def test_geometry_and_last_view_are_remembered(controller, app_home, qapp):
    window = controller.window
    window.resize(1000, 701)  # the offscreen screen is 800x800: restoring clamps to it horizontally
    window.show_view("history")
    window.save_state()
    assert (app_home / "config" / "window.ini").exists()
    from app.gui.main_window import MainWindow

    again = MainWindow(controller.session)
    try:
        assert again.current_view() == "history"
        assert again.size().height() == 701
    finally:
        again.deleteLater()


def test_drop_folder_adds_and_scans(window, controller, dup_folder, wait_idle, qtbot):
    assert drop_urls(window, [dup_folder])
    assert controller.session.folders() == [str(dup_folder)]
    wait_idle()
    dash = window.views["dashboard"]
    qtbot.waitUntil(lambda: dash.card_files.value.text() == "6", timeout=60_000)
    assert window.current_view() == "dashboard"
    assert dash.card_dupes.value.text() != "0 B"
    assert "3 extra copies in 2 groups" in dash.card_dupes.hint.text()
    assert dash.files_model.rowCount() == 6


def test_drop_files_tells_where_they_are(window, controller, dup_folder):
    drop_urls(window, [dup_folder / "sub" / "b.txt"])
    assert controller.session.folders() == []  # a file is not a folder to scan
    assert str(dup_folder / "sub") in window.status_area.detail.text()


def test_remove_folder(window, controller, dup_folder, tmp_path, wait_idle):
    other = tmp_path / "Other"
    other.mkdir()
    controller.session.add_folders([str(dup_folder), str(other)], scan=False)
    settings = window.views["settings"]
    window.show_view("settings")
    lst = settings.folder_list.list
    assert lst.count() == 2
    lst.setCurrentRow(1)
    settings.folder_list.remove.click()
    assert controller.session.folders() == [str(dup_folder)]
    assert lst.count() == 1
    assert dup_folder.exists() and other.exists()  # nothing on disk is touched


def test_add_folder_button_uses_dialog(window, controller, dup_folder, monkeypatch, wait_idle):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(dup_folder)))
    window.add_btn.click()
    assert controller.session.folders() == [str(dup_folder)]
    wait_idle()


def test_cancel_a_running_scan(window, controller, make_corpus, wait_idle, qtbot):
    root, _manifest = make_corpus(files=2000, seed=7, total_mb=8)
    controller.session.add_folders([str(root)], scan=False)
    gate = threading.Event()
    import app.jobs.duplicates as dup_module

    real_scan = dup_module.scan

    def slow_scan(db, roots, *, progress, **kw):
        # let the scan start, then hold it until the test pressed Cancel
        progress.stage("scan")
        gate.wait(60)
        return real_scan(db, roots, progress=progress, **kw)

    dup_module.scan = slow_scan
    try:
        cancelled = []
        controller.session.jobs.cancelled.connect(cancelled.append)
        assert controller.session.start_scan()
        qtbot.waitUntil(lambda: window.status_area.cancel.isVisible(), timeout=60_000)
        qtbot.keyClick(window, Qt.Key.Key_Escape)
        gate.set()
        wait_idle()
    finally:
        dup_module.scan = real_scan
    assert cancelled == ["scan"]
    assert "cancelled" in window.status_area.detail.text().lower()
    assert controller.session.duplicates is None


def test_worker_runs_off_the_ui_thread_and_reports_progress(controller, qtbot):
    jobs = controller.session.jobs
    seen, results, threads = [], [], []

    def job(progress):
        threads.append(threading.current_thread())
        progress.stage("count", total=50)
        for _ in range(50):
            progress.check()
            progress.advance()
            time.sleep(0.005)
        return "done"

    jobs.start("test", job, on_result=results.append, on_progress=seen.append)
    assert jobs.start("test", job) is None  # one job of a kind at a time
    qtbot.waitUntil(lambda: results == ["done"], timeout=60_000)
    assert threads[0] is not threading.main_thread()
    assert seen and all(s.stage == "count" for s in seen)
    assert len(seen) < 50  # throttled


def test_job_error_reaches_the_ui(controller, qtbot):
    errors = []
    controller.session.jobs.start("boom", lambda p: 1 / 0, on_error=lambda m, tb: errors.append((m, tb)))
    qtbot.waitUntil(lambda: bool(errors), timeout=60_000)
    assert "division by zero" in errors[0][0]
    assert "ZeroDivisionError" in errors[0][1]


def test_shutdown_cancels_and_waits(controller):
    started = threading.Event()
    finished = []

    def job(progress):
        started.set()
        while True:
            progress.check()
            time.sleep(0.01)

    controller.session.jobs.start("forever", job, on_cancelled=lambda: finished.append(True))
    assert started.wait(5)
    assert controller.session.jobs.shutdown(timeout_ms=5000)
    assert (
        controller.session.jobs.worker("forever") is None
        or controller.session.jobs.worker("forever").done.is_set()
    )


def test_shortcuts_switch_views(window, qtbot):
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view() == "history"
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view() == "duplicates"


def test_theme_follows_the_setting(controller, window):
    from app.gui import theme

    controller.theme.set_preference("dark")
    assert theme.current() == "dark"
    assert controller.app.palette().window().color().lightness() < 80
    controller.theme.set_preference("light")
    assert theme.current() == "light"


def test_dashboard_filters_by_category_and_folder(window, controller, dup_folder, wait_idle, qtbot):
    controller.session.add_folders([str(dup_folder)], scan=True)
    wait_idle()
    dash = window.views["dashboard"]
    cats = {b.key for b in dash.cat_chart.bars}
    assert {"documents", "images"} <= cats
    row = [b.key for b in dash.cat_chart.bars].index("images")
    qtbot.mouseClick(
        dash.cat_chart,
        Qt.MouseButton.LeftButton,
        pos=QPoint(20, 2 + row * dash.cat_chart.ROW + dash.cat_chart.ROW // 2),
    )
    wait_idle()
    assert [os.path.basename(r[0]) for r in dash.files_model.rows] == ["unique.jpg"]
    assert dash.clear_filter.isVisible()
    dash.clear_filter.click()
    wait_idle()
    assert dash.files_model.rowCount() == 6
    folder_row = next(i for i, r in enumerate(dash.folders_model.rows) if r[0] == str(dup_folder / "sub"))
    dash._on_folder(dash.folders_model.index(folder_row, 0))
    wait_idle()
    assert sorted(os.path.basename(r[0]) for r in dash.files_model.rows) == ["a copy.bin", "b.txt"]


def test_theme_setting_in_settings_view(window, controller):
    from app.gui import theme

    settings = window.views["settings"]
    settings.theme_box.setCurrentIndex(settings.theme_box.findData("dark"))
    assert theme.current() == "dark"
    assert controller.session.prefs.get("theme") == "dark"
    settings.theme_box.setCurrentIndex(settings.theme_box.findData("light"))
    assert theme.current() == "light"


def test_rescans_known_folders_at_start(qapp, app_home, dup_folder, qtbot):
    from app.gui.application import Controller
    from app.gui.prefs import Prefs
    from app.store.db import open_database

    db = open_database()
    Prefs(db).set("folders", [str(dup_folder)])
    db.close()
    ctl = Controller(qapp, [], single_instance=False)
    ctl.crash.dialogs_enabled = False
    try:
        qtbot.waitUntil(lambda: ctl.session.duplicates is not None, timeout=60_000)
        assert len(ctl.session.duplicates) == 2
    finally:
        ctl.session.jobs.shutdown()
        ctl.window.close()
        ctl.window.deleteLater()
        ctl.db.close()


def test_follows_the_system_color_scheme(controller, monkeypatch):
    """The offscreen platform cannot switch its scheme: stand in for the system and its signal."""
    from PySide6.QtGui import QGuiApplication

    from app.gui import theme

    controller.theme.set_preference("system")
    hints = QGuiApplication.styleHints()
    monkeypatch.setattr(theme, "system_is_dark", lambda: True)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.current() == "dark"
    monkeypatch.setattr(theme, "system_is_dark", lambda: False)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert theme.current() == "light"
    controller.theme.set_preference("dark")  # an explicit choice wins over the system
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert theme.current() == "dark"
    controller.theme.set_preference("light")


def test_a_leftover_theme_does_not_follow_the_system(controller, qapp, monkeypatch):
    """A theme of an earlier window that was never closed stays connected to the system's
    signal; only the app's current theme may react, or it overwrites the look."""
    from PySide6.QtGui import QGuiApplication

    from app.gui import theme

    leftover = theme.Theme(qapp, "system")
    current = theme.Theme(qapp, "dark")
    try:
        monkeypatch.setattr(theme, "system_is_dark", lambda: False)
        QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert theme.current() == "dark"
    finally:
        leftover.close()
        current.close()
        qapp.setProperty("fo_theme_obj", controller.theme)
        controller.theme.apply()


def test_quiet_jobs_stay_out_of_the_status_area(controller, window, qtbot):
    done = []
    controller.session.jobs.start("peek", lambda p: time.sleep(0.2), quiet=True, on_result=done.append)
    qtbot.wait(50)
    assert window.status_area.stage.text() == "Ready"
    assert not window.status_area.cancel.isVisible()
    qtbot.waitUntil(lambda: bool(done), timeout=60_000)


def test_a_view_first_opened_after_the_scan_shows_its_result(window, controller, dup_folder, qtbot,
                                                             wait_idle):
    """Views are built when first shown: the Duplicates list opened after a scan has its groups,
    with the sums the scan computed, and the start-up built none of the hidden views."""
    assert window.current_view() == "dashboard"
    assert [key for key in window.pages] == ["dashboard"]      # nothing else built before the paint
    assert drop_urls(window, [dup_folder])
    wait_idle()
    nav = window.nav
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton,
                     pos=nav.visualItemRect(nav.item(2)).center())   # "Duplicates"
    view = window.views["duplicates"]
    assert window.current_view() == "duplicates" and view.isVisible()
    assert view.model.group_count() == 2
    assert view.model.reclaim == [g.reclaimable for g in controller.session.duplicates]


def test_a_narrow_window_folds_the_sidebar_to_icons_and_back(window, qtbot):
    """Below 900 px the sidebar shows icons only (the names in tooltips and for screen readers),
    its sections still answer clicks, and a wider window brings the names back."""
    names = [window.nav.item(i).text() for i in range(window.nav.count())]
    wide = window.sidebar.width()
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.sidebar.width() < wide, timeout=5000)
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [""] * len(names)
    assert [window.nav.item(i).data(Qt.ItemDataRole.AccessibleTextRole)
            for i in range(window.nav.count())] == names
    assert window.add_btn.text() == "" and window.add_btn.accessibleName() == "Add folder…"
    nav = window.nav
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualItemRect(nav.item(4)).center())
    assert window.current_view() == "history"
    window.resize(1200, 780)
    qtbot.waitUntil(lambda: window.sidebar.width() == wide, timeout=5000)
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == names
    assert window.add_btn.text() == "Add folder…" and window.scan_btn.text() == "Scan now"
