"""Journey through the rule editor: create a rule, see problems in the editor's words, save."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from app.gui.views.rule_editor import RuleEditor
from tests.gui.journey import answer_next_dialog, choose_folder, click, click_row, shortcut, type_into

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


def _open_editor_then(qtbot, steps, notes: dict) -> None:
    """Run ``steps(editor)`` in the next rule editor that opens (closing it on a failure)."""

    def in_the_editor() -> None:
        editor = QApplication.activeModalWidget()
        if not isinstance(editor, RuleEditor):
            QTimer.singleShot(20, in_the_editor)
            return
        try:
            steps(editor)
        except Exception as exc:
            notes["failed"] = repr(exc)
            editor.reject()

    QTimer.singleShot(0, in_the_editor)


def test_a_rule_keeps_its_symlinks_setting_and_the_editor_sets_it(controller, window, qtbot, wait_idle):
    from app.core.organize.rules import rule_from_dict
    from app.jobs import rule_list

    rule_list.save_rule(controller.db, rule_from_dict(
        {"name": "Links too", "conditions": [{"type": "extension", "extensions": [".lnk"]}],
         "actions": [{"type": "move", "to": "links"}], "symlinks": True}))
    shortcut(qtbot, window, Qt.Key.Key_2)
    wait_idle()
    panel = window.views["organizer"].rules_panel
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=5000)
    notes: dict = {}

    def rename_only(editor) -> None:
        notes["shown checked"] = editor.symlinks.isChecked()
        type_into(qtbot, editor.name, "Links, renamed", clear=True)
        qtbot.waitUntil(lambda: editor.ok.isEnabled(), timeout=5000)
        click(qtbot, editor.ok)

    _open_editor_then(qtbot, rename_only, notes)
    click_row(qtbot, panel.list, 0, double=True)
    wait_idle()
    assert "failed" not in notes, notes
    assert notes["shown checked"] is True
    saved = rule_list.list_rules(controller.db)
    assert [(r.name, r.symlinks) for r in saved] == [("Links, renamed", True)]  # kept on saving

    def uncheck(editor) -> None:
        click(qtbot, editor.symlinks)
        click(qtbot, editor.ok)

    qtbot.waitUntil(lambda: panel.list.item(0).text().startswith("Links, renamed"), timeout=5000)
    _open_editor_then(qtbot, uncheck, notes)
    click_row(qtbot, panel.list, 0, double=True)
    wait_idle()
    assert "failed" not in notes, notes
    assert [r.symlinks for r in rule_list.list_rules(controller.db)] == [False]


def test_importing_rules_of_saved_names_asks_then_replaces_them(
    controller, window, qtbot, wait_idle, tmp_path
):
    from app.core.organize.rules import rule_from_dict
    from app.core.organize.rules_io import save_rules
    from app.jobs import rule_list

    def rule(name: str, to: str):
        return rule_from_dict({"name": name, "conditions": [{"type": "extension", "extensions": [".pdf"]}],
                               "actions": [{"type": "move", "to": to}]})

    rule_list.save_rule(controller.db, rule("Invoices", "Old place"))
    rule_list.save_rule(controller.db, rule("Photos", "Pictures"))
    file = tmp_path / "shared rules.toml"
    save_rules(str(file), [rule("invoices ", "New place"), rule("Receipts", "Receipts")])
    shortcut(qtbot, window, Qt.Key.Key_2)
    wait_idle()
    panel = window.views["organizer"].rules_panel
    qtbot.waitUntil(lambda: panel.list.count() == 2, timeout=5000)

    seen: list = []
    choose_folder(qtbot, str(file))  # the open-file dialog: type the path, Enter
    QTimer.singleShot(0, lambda: answer_next_dialog(qtbot, "cancel", seen))
    click(qtbot, panel.import_btn)
    wait_idle()
    assert "shared rules.toml has 2 rules; “invoices” has the name of a saved rule." in seen[0], seen
    assert sorted(r.name for r in rule_list.list_rules(controller.db)) == ["Invoices", "Photos"]

    seen.clear()
    choose_folder(qtbot, str(file))
    QTimer.singleShot(0, lambda: answer_next_dialog(qtbot, "Import and replace", seen))
    click(qtbot, panel.import_btn)
    wait_idle()
    qtbot.waitUntil(lambda: panel.list.count() == 3, timeout=5000)
    saved = {r.name: r.actions[0].options["to"] for r in rule_list.list_rules(controller.db)}
    assert saved == {"invoices": "New place", "Photos": "Pictures", "Receipts": "Receipts"}
    banner = window.views["organizer"].banner
    assert "Imported 2 rules" in banner.text.text() and "replace" in banner.text.text()
