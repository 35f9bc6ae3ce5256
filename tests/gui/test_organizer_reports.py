"""Organizer and Reports views on real folders: preset preview, apply, undo; rule editing; export."""

from __future__ import annotations

import json
import os

import pytest

pytestmark = pytest.mark.gui


@pytest.fixture
def messy(tmp_path):
    root = tmp_path / "Downloads"
    root.mkdir()
    for name, data in {
        "report.pdf": b"%PDF-1.4 report",
        "photo.jpg": b"\xff\xd8\xff photo",
        "song.mp3": b"ID3 song",
        "notes.txt": b"notes",
        "script.py": b"print(1)",
    }.items():
        (root / name).write_bytes(data)
    return root


def organizer(window, wait_idle):
    window.show_view("organizer")
    wait_idle()
    return window.views["organizer"]


def test_preview_and_apply_a_preset_then_undo(window, controller, messy, tmp_path, wait_idle, monkeypatch):
    import app.gui.views.organizer as org_view

    monkeypatch.setattr(org_view, "confirm_action", lambda *a, **k: True)
    view = organizer(window, wait_idle)
    dest = tmp_path / "Sorted"
    view.source.setCurrentText(str(messy))
    view.dest.setText(str(dest))
    view.rule_source.setCurrentIndex(view.rule_source.findData("by-category"))
    assert not view.apply_btn.isEnabled()
    view.preview_btn.click()
    wait_idle()
    rows = view.plan_model.rows
    assert len(rows) == 5
    targets = {os.path.basename(r[1]): r[2] for r in rows}
    assert targets["report.pdf"] == str(dest / "documents" / "report.pdf")
    assert targets["photo.jpg"] == str(dest / "images" / "photo.jpg")
    assert all((messy / n).exists() for n in targets)  # preview changes nothing
    assert view.apply_btn.isEnabled()

    view.apply_btn.click()
    wait_idle()
    assert (dest / "documents" / "report.pdf").read_bytes() == b"%PDF-1.4 report"
    assert not (messy / "report.pdf").exists()
    assert view.banner.text.text() == "Done: 5 files moved or renamed."
    assert view.undo_btn.isEnabled()

    view.undo_btn.click()
    wait_idle()
    assert (messy / "report.pdf").read_bytes() == b"%PDF-1.4 report"
    assert not (dest / "documents" / "report.pdf").exists()
    assert "Undone" in view.banner.text.text()


def test_conflicts_are_marked_in_the_preview(window, messy, tmp_path, wait_idle):
    view = organizer(window, wait_idle)
    dest = tmp_path / "Sorted"
    (dest / "documents").mkdir(parents=True)
    (dest / "documents" / "report.pdf").write_bytes(b"another report")
    view.source.setCurrentText(str(messy))
    view.dest.setText(str(dest))
    view.rule_source.setCurrentIndex(view.rule_source.findData("by-category"))
    view.preview_btn.click()
    wait_idle()
    marked = [r for r in view.plan_model.rows if r[4]]
    assert len(marked) == 1 and os.path.basename(marked[0][1]) == "report.pdf"
    assert marked[0][2].endswith("report (1).pdf")
    assert "1 with a note" in view.summary.text()


def test_presets_add_rules_that_can_be_reordered_disabled_and_deleted(
    window, controller, wait_idle, monkeypatch
):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from app.store import rules_repo

    view = organizer(window, wait_idle).rules_panel
    view.add_preset("downloads-cleanup")
    wait_idle()
    names = [view.list.item(i).text() for i in range(view.list.count())]
    assert len(names) == 3 and names[0].startswith("Old installers")
    view.list.setCurrentRow(0)
    view.move_rule(1)
    assert [r.name for r in rules_repo.list_rules(controller.db)][1] == names[0]
    view.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert len(rules_repo.list_rules(controller.db, enabled_only=True)) == 2
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    view.list.setCurrentRow(0)
    view.delete_rule()
    wait_idle()
    assert view.list.count() == 2


def test_rule_editor_validates_and_shows_a_live_example(window, qtbot, tmp_path):
    from app.gui.views.rule_editor import RuleEditor

    editor = RuleEditor(
        window,
        {"name": "", "conditions": [], "actions": [{"type": "move", "to": "{category}"}]},
        dest=str(tmp_path / "Out"),
        sample_root=str(tmp_path / "In"),
    )
    qtbot.addWidget(editor)
    assert not editor.ok.isEnabled()  # no name yet
    editor.name.setText("Invoices")
    editor._add_condition({"type": "extension", "extensions": [".pdf"]})
    editor.to.setText("{category}/{year}")
    editor.update_example()
    assert editor.ok.isEnabled()
    assert str(tmp_path / "Out" / "documents") in editor.example.text()
    assert "Report 2024.pdf" in editor.example.text()
    editor.to.setText("{nonsense}")
    editor.update_example()
    assert not editor.ok.isEnabled()
    assert editor.error.text().startswith("⚠ Then (the destination)")
    editor.to.setText("Invoices/{year}")
    editor.accept()
    assert editor.result_dict["conditions"] == [{"type": "extension", "extensions": ["pdf"]}]
    assert editor.result_dict["actions"] == [{"type": "move", "to": "Invoices/{year}"}]


def test_export_a_report_in_each_format(window, controller, dup_folder, tmp_path, wait_idle):
    controller.session.add_folders([str(dup_folder)], scan=True)
    wait_idle()
    window.show_view("reports")
    view = window.views["reports"]
    assert view.checked_folders() == [str(dup_folder)]
    for i, kind in enumerate(("html", "csv", "json")):
        view.format_group.button(i).setChecked(True)
        out = tmp_path / f"report.{kind}"
        view.path.setText(str(out))
        view.export_btn.click()
        wait_idle()
        assert out.exists() and out.stat().st_size > 0, kind
        assert view.last_path == str(out)
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["totals"]["files"] == 6
    assert "<html" in (tmp_path / "report.html").read_text().lower()
    assert view.exports.rowCount() == 3
    assert view.open_btn.isEnabled() and view.reveal_btn.isEnabled()
