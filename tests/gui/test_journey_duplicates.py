"""Journeys through the Duplicates page, driven by keys and clicks like a person would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.gui.journey import choose_folder, click, pick, shortcut, type_into, wait_for

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
