"""The Watched folders dialog (offscreen): folders, their rules and switch, settle time, start at login."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.gui.watch_dialog import WatchDialog
from app.store import watched


def test_add_switch_rules_settle_and_login(qtbot, db, tmp_path):
    changes: list[int] = []
    dialog = WatchDialog(db, on_changed=lambda: changes.append(1))
    qtbot.addWidget(dialog)
    inbox = tmp_path / "Downloads"
    inbox.mkdir()
    folder = dialog.add_folder(str(inbox))
    assert [f.path for f in watched.list_folders(db)] == [str(inbox)]
    assert folder.rules == {"preset": "by-category"} and changes

    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == str(inbox)
    dialog.table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)  # the on/off switch
    assert watched.list_folders(db, enabled_only=True) == []
    dialog.table.item(0, 0).setCheckState(Qt.CheckState.Checked)
    assert len(watched.list_folders(db, enabled_only=True)) == 1

    box = dialog.table.cellWidget(0, 2)
    box.setCurrentIndex(box.findData({"preset": "by-extension"}))
    assert watched.list_folders(db)[0].rules == {"preset": "by-extension"}
    dialog.table.item(0, 4).setCheckState(Qt.CheckState.Checked)
    assert watched.list_folders(db)[0].recursive is True

    dialog.settle.setValue(7.5)
    dialog.settle.editingFinished.emit()
    assert watched.settle_seconds(db) == 7.5

    autostart_file = tmp_path / "xdg" / "autostart" / "fileorganizer-pro.desktop"
    assert not dialog.login.isChecked()
    dialog.login.setChecked(True)
    assert autostart_file.exists()
    dialog.login.setChecked(False)
    assert not autostart_file.exists()


def test_missing_folder_is_marked(qtbot, db, tmp_path):
    dialog = WatchDialog(db)
    qtbot.addWidget(dialog)
    dialog.add_folder(str(tmp_path / "unplugged"))
    assert dialog.table.item(0, 1).text().endswith("(not found)")


def test_the_rules_box_shows_its_whole_choice(controller, qtbot, tmp_path):
    dialog = WatchDialog(controller.db)  # with the app's style sheet, as people see it
    qtbot.addWidget(dialog)
    inbox = tmp_path / "Downloads"
    inbox.mkdir()
    dialog.add_folder(str(inbox))
    dialog.resize(700, 400)
    dialog.show()
    qtbot.waitExposed(dialog)
    box = dialog.table.cellWidget(0, 2)
    assert box.currentText() == "By category"
    assert box.width() >= box.sizeHint().width()  # not cut to "By ca"
