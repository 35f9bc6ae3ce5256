"""A scanned folder deleted from disk: the app says it is gone and offers to forget it."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from tests.gui.journey import choose_folder, click, shortcut, wait_for

pytestmark = pytest.mark.gui


def test_a_deleted_folder_is_named_and_forgotten_on_request(window, tmp_path, qtbot, wait_idle):
    keep, gone = tmp_path / "Keep", tmp_path / "Old stuff"
    for folder, n in ((keep, 3), (gone, 4)):
        folder.mkdir()
        for i in range(n):
            (folder / f"f{i}.txt").write_text(f"{folder.name} {i}")
    for folder in (keep, gone):
        choose_folder(qtbot, str(folder))
        click(qtbot, window.add_btn)
        wait_for(qtbot, lambda f=folder: str(f) in window.session.folders())
        wait_idle()
    shortcut(qtbot, window, Qt.Key.Key_1)
    dash = window.views["dashboard"]
    wait_for(qtbot, lambda: dash.card_files.value.text() == "7")
    assert dash.gone_banner.isHidden()

    shutil.rmtree(gone)
    shortcut(qtbot, window, Qt.Key.Key_F5, Qt.KeyboardModifier.NoModifier)
    wait_idle()
    assert dash.gone_banner.isVisible()
    assert f"{gone} is gone from disk" in dash.gone_banner.text.text()
    assert f"Not scanned, gone from disk: {gone}." in window.status_area.detail.text()
    items = [dash.folder_list.list.item(i).text() for i in range(dash.folder_list.list.count())]
    assert f"{gone}  (gone from disk)" in items

    click(qtbot, dash.gone_banner.action)  # Forget it
    wait_idle()
    assert window.session.folders() == [str(keep)]
    assert dash.gone_banner.isHidden()
    wait_for(qtbot, lambda: dash.card_files.value.text() == "3")
