"""Journeys through History: the newest run is selected, Ctrl+Z undoes with feedback, and
every other view shows the state after the undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.gui.models.duplicates import NAME
from tests.gui.journey import (
    CTRL,
    SHIFT,
    answer_next_dialog,
    choose_folder,
    click,
    click_check,
    shortcut,
    wait_for,
)

pytestmark = pytest.mark.gui


def file_row(view, path) -> int:
    model = view.model
    return next(r for r in range(model.rowCount()) if (f := model.file_at(r)) and f.path == str(path))


def selected_entry(hist):
    return hist.entries.row(hist.entries_view.currentIndex())


def test_newest_run_selected_ctrl_z_undoes_it_and_duplicates_show_it_back(
    window, dup_folder, qtbot, wait_idle
):
    choose_folder(qtbot, str(dup_folder))
    click(qtbot, window.add_btn)
    wait_for(qtbot, lambda: window.session.folders() == [str(dup_folder)])
    wait_idle()
    shortcut(qtbot, window, Qt.Key.Key_3)
    dupes = window.views["duplicates"]
    click_check(qtbot, dupes.tree, file_row(dupes, dup_folder / "sub" / "b.txt"), NAME)
    answer_next_dialog(qtbot, "accept")
    click(qtbot, dupes.trash_btn)
    wait_idle()

    shortcut(qtbot, window, Qt.Key.Key_5)
    wait_idle()
    hist = window.views["history"]
    wait_for(qtbot, lambda: hist.entries.rowCount() == 1)
    assert selected_entry(hist).title == "Moved 1 duplicate to the trash"

    shortcut(qtbot, window, Qt.Key.Key_3)  # a second run while History keeps its old selection
    shortcut(qtbot, window, Qt.Key.Key_A, CTRL | SHIFT)
    wait_idle()
    answer_next_dialog(qtbot, "accept")
    click(qtbot, dupes.trash_btn)
    wait_idle()
    assert dupes.banner.action.text() == "Undo"
    assert dupes.pages.currentWidget() is dupes.empty

    shortcut(qtbot, window, Qt.Key.Key_5)
    wait_idle()
    wait_for(qtbot, lambda: hist.entries.rowCount() == 2)
    assert selected_entry(hist).title == "Moved 2 duplicates to the trash"  # the newest

    shortcut(qtbot, window, Qt.Key.Key_Z)
    wait_for(qtbot, lambda: "Undone: 2 files put back." in hist.banner.text.text())
    wait_idle()
    assert (dup_folder / "sub" / "a copy.bin").exists() and (dup_folder / "other" / "a.bin").exists()
    assert selected_entry(hist).status == "undone"

    shortcut(qtbot, window, Qt.Key.Key_Z)  # again: it is undone already, and the page says so
    assert "cannot be undone" in hist.banner.text.text() and "undone already" in hist.banner.text.text()

    shortcut(qtbot, window, Qt.Key.Key_3)  # Duplicates shows the copies that came back
    wait_idle()
    assert dupes.model.group_count() == 1 and len(dupes.model.groups[0].files) == 3
    assert dupes.pages.currentWidget() is dupes.tree
    assert dupes.banner.action.isHidden()  # no stale Undo offer
    assert dupes.model.marked == set() and not dupes.trash_btn.isEnabled()
