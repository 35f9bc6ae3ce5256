"""Settings > Categories with pytest-qt: add, edit and delete custom categories in the real window,
inline validation, and the custom names on the dashboard and in the duplicates filter."""

from __future__ import annotations

import sqlite3

import pytest

from app.core.scan.categories import category_for


def stored(controller) -> dict[str, str]:
    with sqlite3.connect(controller.db.path) as conn:
        return dict(conn.execute("SELECT name, category FROM files").fetchall())


def names(editor) -> list[str]:
    group = editor.custom_group
    return [group.child(i).text(0) for i in range(group.childCount()) if group.child(i).data(0, 0x0100)]


@pytest.fixture
def editor(window, wait_idle):
    window.show_view("settings")
    wait_idle()
    return window.views["settings"].categories


def test_lists_built_in_categories_and_no_custom_ones_yet(editor):
    group = editor.builtin_group
    assert [group.child(i).text(0) for i in range(group.childCount())] == [
        "Documents", "Images", "Audio", "Video", "Archives", "Code", "Installers", "Other"]
    assert ".pdf" in group.child(0).text(1)
    assert names(editor) == []
    assert not editor.edit_btn.isEnabled() and not editor.delete_btn.isEnabled()
    editor.select("images")                      # built-in ones cannot be changed
    assert not editor.edit_btn.isEnabled() and "cannot be changed" in editor.edit_btn.toolTip()


def test_add_validates_inline_then_saves_and_reclassifies(editor, controller, dup_folder, wait_idle, window,
                                                          qtbot):
    controller.session.add_folders([str(dup_folder)], scan=True)
    wait_idle()
    editor.add_btn.click()
    assert editor.form.isVisible() and not editor.save_btn.isEnabled()
    assert editor.error.isHidden()                 # nothing typed yet: no reproach
    qtbot.keyClicks(editor.name_edit, "Images")
    qtbot.keyClicks(editor.ext_edit, "bin")
    assert editor.error.isVisible()
    assert editor.error.text() == "'Images' is a built-in category; choose another name."
    assert not editor.save_btn.isEnabled()
    editor.name_edit.setText("Blobs")
    editor.ext_edit.setText("bin, dat x")
    assert "'x' is not an extension" not in editor.error.text()   # spaces separate extensions
    editor.ext_edit.setText("bin, da/t")
    assert "'da/t' is not an extension" in editor.error.text()
    editor.ext_edit.setText("BIN, .dat")
    assert editor.error.isHidden() and editor.save_btn.isEnabled()
    assert editor.hint.text() == "Takes .bin, .dat from Other."
    editor.save_btn.click()
    wait_idle()
    assert not editor.form.isVisible()
    assert names(editor) == ["Blobs"]
    assert "Added “Blobs”. 3 indexed files are now in their new category." in editor.status.text()
    assert stored(controller)["a copy.bin"] == "Blobs"
    assert category_for("x.dat") == "Blobs"

    # the dashboard shows the name as written; the duplicates filter offers it and filters by it
    window.show_view("dashboard")
    wait_idle()
    dash = window.views["dashboard"]
    qtbot.waitUntil(lambda: "Blobs" in {b.label for b in dash.cat_chart.bars}, timeout=10000)
    from app.core.report.style import category_color

    colors = {b.key: b.colors for b in dash.cat_chart.bars}
    assert colors["Blobs"] == category_color("Blobs") and colors["images"] == category_color("images")
    window.show_view("duplicates")
    dupes = window.views["duplicates"]
    box = dupes.cat_box
    assert box.itemText(box.count() - 1) == "Blobs"
    box.setCurrentIndex(box.count() - 1)
    assert len(dupes.model.visible) == 1
    assert dupes.model.groups[dupes.model.visible[0]].files[0].path.endswith(".bin")

    # a clash with an existing custom category, as typed
    editor.add_btn.click()
    editor.name_edit.setText("blobs")
    editor.ext_edit.setText("raw2")
    assert editor.error.text() == "There is already a category named 'Blobs'."
    editor.name_edit.setText("More")
    editor.ext_edit.setText("dat")
    assert editor.error.text().startswith(".dat already belongs to 'Blobs'")
    editor.cancel_btn.click()
    assert not editor.form.isVisible()


def test_edit_and_delete(editor, controller, dup_folder, wait_idle, monkeypatch):
    controller.session.add_folders([str(dup_folder)], scan=True)
    wait_idle()
    editor.start_add()
    editor.name_edit.setText("Text files")
    editor.ext_edit.setText("txt")
    editor.save()
    wait_idle()
    assert stored(controller)["b.txt"] == "Text files"

    assert editor.select("Text files")
    assert editor.edit_btn.isEnabled()
    editor.edit_btn.click()
    assert editor.name_edit.text() == "Text files" and editor.ext_edit.text() == "txt"
    assert editor.error.isHidden() and editor.save_btn.isEnabled()   # its own name and extension
    editor.name_edit.setText("Notes")
    editor.ext_edit.setText("jpg")
    assert editor.hint.text() == "Takes .jpg from Images. Gives .txt back to Documents."
    editor.save_btn.click()
    wait_idle()
    assert names(editor) == ["Notes"]
    cats = stored(controller)
    assert cats["b.txt"] == "documents" and cats["unique.jpg"] == "Notes"

    asked = []
    monkeypatch.setattr(editor, "confirm_delete", lambda row: asked.append(row.name) or True)
    assert editor.select("Notes")
    editor.delete_btn.click()
    wait_idle()
    assert asked == ["Notes"] and names(editor) == []
    assert stored(controller)["unique.jpg"] == "images"
    assert "Deleted “Notes”" in editor.status.text()


def test_rule_editor_example_uses_a_custom_category(window, qtbot, tmp_path, wait_idle):
    from app.core.scan.categories import use_custom
    from app.gui.views.rule_editor import RuleEditor

    wait_idle()                      # the Settings view's first load activates this database's map
    use_custom({".epub": "E-books", ".mobi": "E-books"})
    rule = {"name": "Books", "conditions": [{"type": "category", "categories": ["e-books"]}],
            "actions": [{"type": "move", "to": "{category}"}]}
    editor = RuleEditor(window, rule, dest=str(tmp_path / "Out"), sample_root=str(tmp_path / "In"))
    qtbot.addWidget(editor)
    editor.update_example()
    assert editor.ok.isEnabled()
    assert str(tmp_path / "Out" / "E-books" / "Holiday 2024.epub") in editor.example.text()
