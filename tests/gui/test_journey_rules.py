"""Journey through the rule editor: create a rule, see problems in the editor's words, save."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from app.gui.views.rule_editor import RuleEditor
from tests.gui.journey import click, shortcut, type_into

pytestmark = pytest.mark.gui


def test_create_a_rule_with_a_condition_an_invalid_template_then_save(window, qtbot, wait_idle):
    shortcut(qtbot, window, Qt.Key.Key_2)
    wait_idle()
    panel = window.views["organizer"].rules_panel
    notes: dict[str, str] = {}

    def in_the_editor() -> None:
        editor = QApplication.activeModalWidget()
        if not isinstance(editor, RuleEditor):
            QTimer.singleShot(20, in_the_editor)
            return
        try:
            steps(editor)
        except Exception as exc:  # close the modal editor, or exec() never returns
            notes["failed"] = repr(exc)
            editor.reject()

    def steps(editor) -> None:
        type_into(qtbot, editor.name, "Invoices", clear=True)
        add = next(b for b in editor.findChildren(QPushButton) if b.text() == "Add condition")
        click(qtbot, add)
        qtbot.waitUntil(lambda: editor.error.text().startswith("⚠"), timeout=5000)
        notes["empty condition"] = editor.error.text()
        notes["heading"] = editor.cond_title.text()
        type_into(qtbot, editor.rows[0].value, "pdf")
        type_into(qtbot, editor.to, "Invoices/{nope}", clear=True)
        qtbot.waitUntil(lambda: "Then" in editor.error.text() or "nope" in editor.error.text(), timeout=5000)
        notes["bad template"] = editor.error.text()
        notes["ok enabled"] = str(editor.ok.isEnabled())
        type_into(qtbot, editor.to, "Invoices/{year}", clear=True)
        qtbot.waitUntil(lambda: editor.error.text() == "", timeout=5000)
        click(qtbot, editor.ok)

    QTimer.singleShot(0, in_the_editor)
    click(qtbot, panel.add_btn)
    wait_idle()
    assert "failed" not in notes, notes
    assert notes["empty condition"].startswith("⚠ Condition 1"), notes
    assert "conditions[" not in notes["empty condition"] and "actions[" not in notes["bad template"]
    assert notes["heading"] == "Conditions"  # not "(none: every file)" once one was added
    assert notes["bad template"].startswith("⚠ Then (the destination)"), notes
    assert notes["ok enabled"] == "False"
    assert [panel.list.item(i).text() for i in range(panel.list.count())] == ["Invoices"]
    assert [c.type for c in panel.rules[0].conditions] == ["extension"]
