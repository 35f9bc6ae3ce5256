"""Settings' watcher card (start at login, Watched folders…) uses the window's one job manager.

With a private manager of its own, its reads and writes ran beside the window's jobs instead of
among them: the status area never saw them, and shutting the window's manager down left them
running. Driven like a person: open Settings, read the summary, click Watched folders…, switch a
folder off in the dialog, close it with Escape.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.jobs import watched_folders as watched
from tests.gui.journey import choose_folder, click, shortcut

pytestmark = pytest.mark.gui


def test_the_watcher_card_and_its_dialog_run_in_the_windows_job_manager(
    controller, window, qtbot, tmp_path, wait_idle
):
    inbox = tmp_path / "Downloads"
    inbox.mkdir()
    jobs = controller.session.jobs
    started: list[str] = []
    jobs.started.connect(started.append)

    shortcut(qtbot, window, Qt.Key.Key_6)  # Ctrl+6: Settings
    qtbot.waitUntil(lambda: window.current_view() == "settings", timeout=5000)
    card = window.views["settings"].watcher
    assert card.writes.jobs is jobs
    qtbot.waitUntil(lambda: card.summary.text() == "No folders are watched", timeout=10_000)

    click(qtbot, card.button)  # Watched folders…
    dialog = card.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.writes.jobs is jobs
    qtbot.waitUntil(lambda: dialog.writes.idle, timeout=10_000)  # the settle time, the folders
    assert "watched-folders" in started

    started.clear()
    choose_folder(qtbot, str(inbox))
    click(qtbot, dialog.add_button)  # Add folder…
    qtbot.waitUntil(lambda: card.summary.text() == "Watching 1 folder", timeout=10_000)
    assert "watched-folders" in started and "watched-summary" in started
    assert [f.path for f in watched.folders(controller.db, enabled_only=True)] == [str(inbox)]

    started.clear()
    dialog.table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)  # the folder's on/off switch
    qtbot.waitUntil(lambda: card.summary.text() == "No folders are watched", timeout=10_000)
    assert "watched-folders" in started and "watched-summary" in started
    assert watched.folders(controller.db, enabled_only=True) == []

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: card.dialog is None, timeout=5000)
    wait_idle()
