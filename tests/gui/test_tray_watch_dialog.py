"""The Watched folders dialog (offscreen): folders, their rules and switch, settle time, start at
login. It reads and writes in a worker, so each step waits until the change is stored."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from app.gui.watch_dialog import WatchDialog
from app.jobs import watched_folders as watched


def stored(qtbot, dialog) -> None:
    """Wait until every read and write the dialog queued has run."""
    qtbot.waitUntil(lambda: dialog.writes.idle, timeout=10_000)


def test_add_switch_rules_settle_and_login(qtbot, db, tmp_path):
    changes: list[int] = []
    dialog = WatchDialog(db, on_changed=lambda: changes.append(1))
    qtbot.addWidget(dialog)
    stored(qtbot, dialog)
    assert dialog.settle.value() == 3.0   # the stored default, read in a worker
    inbox = tmp_path / "Downloads"
    inbox.mkdir()
    dialog.add_folder(str(inbox))
    stored(qtbot, dialog)
    [folder] = watched.folders(db)
    assert folder.path == str(inbox) and folder.rules == {"preset": "by-category"} and changes

    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == str(inbox)
    dialog.table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)  # the on/off switch
    stored(qtbot, dialog)
    assert watched.folders(db, enabled_only=True) == []
    dialog.table.item(0, 0).setCheckState(Qt.CheckState.Checked)
    stored(qtbot, dialog)
    assert len(watched.folders(db, enabled_only=True)) == 1

    box = dialog.table.cellWidget(0, 2)
    box.setCurrentIndex(box.findData({"preset": "by-extension"}))
    dialog.table.item(0, 4).setCheckState(Qt.CheckState.Checked)
    stored(qtbot, dialog)
    assert watched.folders(db)[0].rules == {"preset": "by-extension"}
    assert watched.folders(db)[0].recursive is True

    dialog.settle.setValue(7.5)
    dialog.settle.editingFinished.emit()
    stored(qtbot, dialog)
    assert watched.settle_seconds(db) == 7.5

    autostart_file = tmp_path / "xdg" / "autostart" / "fileorganizer-pro.desktop"
    assert not dialog.login.isChecked()
    dialog.login.setChecked(True)
    assert autostart_file.exists()
    dialog.login.setChecked(False)
    assert not autostart_file.exists()


def test_changes_are_stored_in_order_off_the_ui_thread(qtbot, db, tmp_path, monkeypatch):
    """Quick clicks queue up: each write runs in a worker, one after another, the last one wins."""
    inbox = tmp_path / "Downloads"
    inbox.mkdir()
    watched.save(db, watched.WatchedFolder(str(inbox), {"preset": "by-category"}))
    threads: list[bool] = []
    real = watched.set_enabled

    def recording(*args):
        threads.append(threading.current_thread() is threading.main_thread())
        real(*args)

    monkeypatch.setattr(watched, "set_enabled", recording)
    dialog = WatchDialog(db)
    qtbot.addWidget(dialog)
    stored(qtbot, dialog)
    switch = dialog.table.item(0, 0)
    for state in (Qt.CheckState.Unchecked, Qt.CheckState.Checked, Qt.CheckState.Unchecked):
        switch.setCheckState(state)
    stored(qtbot, dialog)
    assert threads == [False, False, False]
    assert watched.folders(db, enabled_only=True) == []


def test_missing_folder_is_marked(qtbot, db, tmp_path):
    dialog = WatchDialog(db)
    qtbot.addWidget(dialog)
    dialog.add_folder(str(tmp_path / "unplugged"))
    stored(qtbot, dialog)
    assert dialog.table.item(0, 1).text().endswith("(not found)")


def test_the_rules_box_shows_its_whole_choice(controller, qtbot, tmp_path):
    dialog = WatchDialog(controller.db, jobs=controller.session.jobs)  # the app's style, as people see it
    qtbot.addWidget(dialog)
    inbox = tmp_path / "Downloads"
    inbox.mkdir()
    dialog.add_folder(str(inbox))
    stored(qtbot, dialog)
    dialog.resize(700, 400)
    dialog.show()
    qtbot.waitExposed(dialog)
    box = dialog.table.cellWidget(0, 2)
    assert box.currentText() == "By category"
    assert box.width() >= box.sizeHint().width()  # not cut to "By ca"
