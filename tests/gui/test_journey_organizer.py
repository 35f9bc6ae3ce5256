"""Journeys through the Organizer: presets and where they put files, preview, apply, undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.gui.journey import answer_next_dialog, click, pick, shortcut, type_into

pytestmark = pytest.mark.gui


@pytest.fixture
def messy(tmp_path):
    root = tmp_path / "Downloads"
    (root / "old").mkdir(parents=True)
    files = {
        "report.pdf": b"%PDF-1.4 report",
        "photo.jpg": b"\xff\xd8\xff photo",
        "notes.txt": b"notes",
        "up.png": b"\x89PNG\r\n\x1a\n one",
        "old/up.png": b"\x89PNG\r\n\x1a\n two",
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    return root


@pytest.fixture
def home(tmp_path, monkeypatch):
    """The user's home folder for this test (the Clean up Downloads preset points at it)."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


def open_organizer(qtbot, window, wait_idle):
    shortcut(qtbot, window, Qt.Key.Key_2)
    wait_idle()
    assert window.current_view() == "organizer"
    return window.views["organizer"]


def preview(qtbot, window, view, wait_idle) -> None:
    """Ctrl+P; a button's shortcut clicks it with a short animation, so give it that time."""
    shortcut(qtbot, window, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: view.preview is not None or view.banner.isVisible(), timeout=10_000)
    wait_idle()


def test_a_preset_destination_goes_with_the_preset_and_home_is_announced(
    window, messy, home, tmp_path, wait_idle, qtbot
):
    view = open_organizer(qtbot, window, wait_idle)
    type_into(qtbot, view.source.lineEdit(), str(messy), clear=True)
    pick(qtbot, view.rule_source, "downloads-cleanup")
    assert view.dest.text() == str(home)
    assert "home folder" in view.dest_note.text()

    pick(qtbot, view.rule_source, "by-extension")  # its destination: the folder organized
    assert view.dest.text() == ""
    assert f"inside {messy}" in view.dest_note.text() and "home" not in view.dest_note.text()
    preview(qtbot, window, view, wait_idle)
    rows = {view.plan_model.data(view.plan_model.index(r, 1)): r for r in range(view.plan_model.rowCount())}
    assert {"up.png", "old/up.png", "report.pdf"} <= set(rows)  # two up.png told apart
    assert view.plan_model.data(view.plan_model.index(rows["report.pdf"], 2)) == "pdf/"
    assert "6 changes" in view.summary.text()  # 5 moves, and the folder "old" they empty is removed

    # back to Clean up Downloads: the confirmation names the home folder and warns; say no
    pick(qtbot, view.rule_source, "downloads-cleanup")
    assert view.plan_pages.currentIndex() == 0  # the By extension preview is gone
    preview(qtbot, window, view, wait_idle)
    seen: list[list[str]] = []
    answer_next_dialog(qtbot, "reject", seen)
    click(qtbot, view.apply_btn)
    assert seen, "no confirmation was shown"
    assert any(t == f"Into: {home}" for t in seen[0])
    assert any("home folder" in t for t in seen[0])
    assert any(f"{messy}/report.pdf" in t and f"{home}/Documents/report.pdf" in t for t in seen[0])
    assert sorted(p.name for p in home.iterdir()) == []  # nothing moved

    # a folder the user types stays when another preset is chosen; apply, then undo
    sorted_dir = tmp_path / "Sorted"
    type_into(qtbot, view.dest, str(sorted_dir), clear=True)
    pick(qtbot, view.rule_source, "by-category")
    assert view.dest.text() == str(sorted_dir)
    assert view.dest_note.text() == f"Files go into {sorted_dir}."
    preview(qtbot, window, view, wait_idle)
    answer_next_dialog(qtbot, "accept")
    click(qtbot, view.apply_btn)
    wait_idle()
    assert (sorted_dir / "documents" / "report.pdf").exists() and not (messy / "report.pdf").exists()
    assert view.banner.text.text() == "Done: 5 files moved or renamed."
    click(qtbot, view.banner.action)
    wait_idle()
    assert (messy / "report.pdf").exists() and (messy / "old" / "up.png").exists()
    assert view.banner.text.text() == "Undone: 5 files put back."
