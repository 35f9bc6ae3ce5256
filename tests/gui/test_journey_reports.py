"""Journey through Reports: type a file name, change the format, Ctrl+E from the field, export
again (asked before replacing, listed once)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.gui.journey import answer_next_dialog, choose_folder, click, shortcut, type_into, wait_for

pytestmark = pytest.mark.gui


def test_typed_name_kept_ctrl_e_from_the_field_and_replace_asks(
    window, dup_folder, tmp_path, qtbot, wait_idle
):
    choose_folder(qtbot, str(dup_folder))
    click(qtbot, window.add_btn)
    wait_for(qtbot, lambda: window.session.folders() == [str(dup_folder)])
    wait_idle()
    shortcut(qtbot, window, Qt.Key.Key_4)
    view = window.views["reports"]
    target = tmp_path / "my space.html"
    type_into(qtbot, view.path, str(target), clear=True)
    csv_radio = next(b for b in view.format_group.buttons() if b.property("format") == "csv")
    click(qtbot, csv_radio)
    assert view.path.text() == str(tmp_path / "my space.csv")  # the typed name stays
    click(qtbot, view.format_group.button(0))  # back to HTML
    assert view.path.text() == str(target)

    view.path.setFocus()
    shortcut(qtbot, window, Qt.Key.Key_E)  # the field has the focus
    wait_idle()
    assert target.exists() and view.exports.rowCount() == 1
    first = target.stat().st_mtime_ns

    seen: list[list[str]] = []
    answer_next_dialog(qtbot, "No", seen)
    shortcut(qtbot, window, Qt.Key.Key_E)
    wait_idle()
    assert any("my space.html exists already" in t for t in seen[0])
    assert target.stat().st_mtime_ns == first and view.exports.rowCount() == 1

    answer_next_dialog(qtbot, "Yes")
    shortcut(qtbot, window, Qt.Key.Key_E)
    wait_idle()
    assert view.exports.rowCount() == 1  # replaced, listed once
    assert view.banner.text.text() == f"Report saved to {target}"
