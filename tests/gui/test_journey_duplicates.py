"""Journeys through the Duplicates page, driven by keys and clicks like a person would."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer

from app.gui.models.duplicates import NAME
from tests.gui.journey import (
    CTRL,
    SHIFT,
    answer_next_dialog,
    choose_folder,
    click,
    click_check,
    pick,
    shortcut,
    type_into,
    wait_for,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def dupes(window, dup_folder, wait_idle, qtbot):
    """Add the folder with the Add folder… button, let it scan, open Duplicates with Ctrl+3."""
    choose_folder(qtbot, str(dup_folder))
    click(qtbot, window.add_btn)
    wait_for(qtbot, lambda: window.session.folders() == [str(dup_folder)])
    wait_idle()
    shortcut(qtbot, window, Qt.Key.Key_3)
    wait_idle()
    view = window.views["duplicates"]
    assert window.current_view() == "duplicates"
    assert view.model.group_count() == 2
    return view


def test_typing_in_the_filter_filters_and_clearing_shows_everything(dupes, window, qtbot):
    view = dupes
    shortcut(qtbot, window, Qt.Key.Key_F)
    assert view.search.hasFocus()
    qtbot.keyClicks(view.search, "b.txt")
    wait_for(qtbot, lambda: view.model.group_count() == 1)
    assert "1 of 2 groups" in view.summary.text()
    type_into(qtbot, view.search, "", clear=True)
    wait_for(qtbot, lambda: view.model.group_count() == 2)
    assert "of 2 groups" not in view.summary.text()


def test_size_category_and_folder_filters(dupes, dup_folder, qtbot):
    view = dupes
    pick(qtbot, view.cat_box, "documents")
    assert view.model.group_count() == 1  # b.txt
    pick(qtbot, view.cat_box, "")
    pick(qtbot, view.size_box, view.size_box.itemData(1))  # the smallest minimum above "any"
    assert view.model.group_count() == 0  # 40,000 and 11,000 bytes are both below it
    pick(qtbot, view.size_box, 0)
    pick(qtbot, view.folder_box, str(dup_folder))
    assert view.model.group_count() == 2


def file_row(view, path) -> int:
    model = view.model
    return next(r for r in range(model.rowCount()) if (f := model.file_at(r)) and f.path == str(path))


def test_nothing_checked_until_asked_hidden_checks_left_alone_then_all_trashed(
    dupes, window, dup_folder, qtbot, wait_idle
):
    view = dupes
    assert view.model.marked == set() and "checked" not in view.summary.text()
    assert not view.trash_btn.isEnabled()

    click_check(qtbot, view.tree, file_row(view, dup_folder / "sub" / "a copy.bin"), NAME)
    assert "1 checked" in view.summary.text() and view.trash_btn.isEnabled()

    shortcut(qtbot, window, Qt.Key.Key_F)
    qtbot.keyClicks(view.search, "b.txt")
    wait_for(qtbot, lambda: view.model.group_count() == 1)
    assert "1 more checked in hidden groups" in view.summary.text()
    assert not view.trash_btn.isEnabled()  # nothing checked that can be seen
    shortcut(qtbot, window, Qt.Key.Key_A, CTRL | SHIFT)  # auto-select in what is shown
    wait_idle()
    assert view.model.marked == {str(dup_folder / "sub" / "a copy.bin"), str(dup_folder / "sub" / "b.txt")}
    assert "1 checked" in view.summary.text()

    seen: list[list[str]] = []
    answer_next_dialog(qtbot, "accept", seen)
    click(qtbot, view.trash_btn)
    wait_idle()
    assert any(t == "Move 1 file to the trash?" for t in seen[0])
    assert "Left alone: 1 file checked in groups the filters hide." in seen[0]
    assert not (dup_folder / "sub" / "b.txt").exists()
    assert (dup_folder / "sub" / "a copy.bin").exists()  # hidden: not touched
    assert view.banner.text.text().startswith("1 file moved to the trash")

    type_into(qtbot, view.search, "", clear=True)
    wait_for(qtbot, lambda: view.model.group_count() == 1)  # a.bin is left
    shortcut(qtbot, window, Qt.Key.Key_A, CTRL | SHIFT)
    wait_idle()
    assert "2 checked" in view.summary.text()
    answer_next_dialog(qtbot, "accept")
    click(qtbot, view.trash_btn)
    wait_idle()
    assert view.model.group_count() == 0 and view.model.marked == set()
    assert "checked" not in view.summary.text()
    assert not view.trash_btn.isEnabled()
    assert view.pages.currentWidget() is view.empty
    assert view.empty.title.text() == "No duplicates left in the scanned folders"
    assert "Add a folder" not in view.empty.text.text()
    assert window.status_area.detail.text().startswith("2 files moved to the trash, ")   # not the scan's line

    # the Dashboard counts what is on disk now, without a scan: no copies left, fewer files
    shortcut(qtbot, window, Qt.Key.Key_1)
    dash = window.views["dashboard"]
    on_disk = sum(len(files) for _d, _s, files in os.walk(dup_folder))
    wait_for(qtbot, lambda: dash.card_files.value.text() == f"{on_disk:,}")
    assert dash.card_dupes.hint.text() == "No duplicates found"


def test_a_hard_link_of_the_kept_file_is_never_checked(window, dup_folder, qtbot, wait_idle):
    os.link(dup_folder / "a.bin", dup_folder / "a link.bin")  # the oldest copy: the one kept
    choose_folder(qtbot, str(dup_folder))
    click(qtbot, window.add_btn)
    wait_for(qtbot, lambda: window.session.folders() == [str(dup_folder)])
    wait_idle()
    shortcut(qtbot, window, Qt.Key.Key_3)
    view = window.views["duplicates"]
    header = view.model.data(view.model.index(view.model.group_row(0), NAME))
    assert "3 copies, 4 names" in header
    shortcut(qtbot, window, Qt.Key.Key_A, CTRL | SHIFT)
    wait_idle()
    assert str(dup_folder / "a link.bin") not in view.model.marked
    assert "3 checked" in view.summary.text()  # 2 copies of a.bin, 1 of b.txt
    answer_next_dialog(qtbot, "accept")
    click(qtbot, view.trash_btn)
    wait_idle()
    assert view.banner.text.text().startswith("3 files moved to the trash")
    assert (dup_folder / "a link.bin").exists() and (dup_folder / "a.bin").exists()


def test_del_trashes_the_checked_copies_wherever_the_focus_is_but_edits_text_in_the_filter(
    dupes, window, dup_folder, qtbot, wait_idle
):
    view = dupes
    window.nav.setFocus()  # the sidebar has the focus, not the list
    shortcut(qtbot, window, Qt.Key.Key_A, CTRL | SHIFT)
    wait_idle()
    shortcut(qtbot, window, Qt.Key.Key_F)
    qtbot.keyClicks(view.search, "xy")
    qtbot.keyClick(view.search, Qt.Key.Key_Home)
    qtbot.keyClick(view.search, Qt.Key.Key_Delete)  # Del in the filter deletes a character
    assert view.search.text() == "y"
    type_into(qtbot, view.search, "", clear=True)
    wait_for(qtbot, lambda: view.model.group_count() == 2)
    window.nav.setFocus()
    seen: list[list[str]] = []
    answer_next_dialog(qtbot, "accept", seen)
    shortcut(qtbot, window, Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier)
    wait_idle()
    assert "Move 3 files to the trash?" in seen[0]
    assert not (dup_folder / "sub" / "b.txt").exists()


@pytest.mark.parametrize("any_owner", [False, True], ids=["same-access-only", "any-owner"])
def test_hard_links_skip_copies_of_other_permissions_unless_the_user_allows_it(
    dupes, window, dup_folder, qtbot, wait_idle, any_owner
):
    """The confirmation offers the CLI's --allow-different-owners: unchecked, a copy whose
    permissions differ from the kept file's stays a separate file; checked, it is linked too."""
    from app.gui.confirm import ConfirmDialog

    other = dup_folder / "other" / "a.bin"
    os.chmod(other, 0o600)
    os.chmod(dup_folder / "a.bin", 0o644)
    os.chmod(dup_folder / "sub" / "a copy.bin", 0o644)
    shortcut(qtbot, window, Qt.Key.Key_A, CTRL | SHIFT)
    wait_for(qtbot, lambda: dupes.link_btn.isEnabled())
    shown: dict = {}

    def answer() -> None:
        from PySide6.QtWidgets import QApplication, QDialogButtonBox

        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ConfirmDialog):
            QTimer.singleShot(20, answer)
            return
        shown["option"] = dialog.any_owner.isVisible() and not dialog.any_owner.isChecked()
        if any_owner:
            box = dialog.any_owner  # on its indicator, as a person clicks a check box
            qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
        click(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))

    QTimer.singleShot(0, answer)
    click(qtbot, dupes.link_btn)
    wait_idle()
    assert shown == {"option": True}
    kept = os.stat(dup_folder / "a.bin")
    assert os.stat(dup_folder / "sub" / "a copy.bin").st_ino == kept.st_ino
    assert (os.stat(other).st_ino == kept.st_ino) is any_owner
    assert ("skipped" in dupes.banner.text.text()) is not any_owner
