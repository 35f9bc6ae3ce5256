"""The tray's Undo last (offscreen: the icon cannot show, the watcher and its menu work): it
runs as the window's undo job and every view hears of it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_tray_undo_last_is_a_window_job_and_the_views_hear_it(controller, tmp_path, qtbot, wait_idle):
    from app.jobs import watched_folders as watched
    from app.jobs.watched_folders import WatchedFolder

    inbox, dest = tmp_path / "Downloads", tmp_path / "Sorted"
    inbox.mkdir()
    watched.set_settle_seconds(controller.db, 0.3)
    watched.save(controller.db, WatchedFolder(str(inbox), {"preset": "by-extension"}, str(dest)))
    tray = controller.tray
    tray.reload()
    (inbox / "a.txt").write_text("a")
    qtbot.waitUntil(lambda: (dest / "txt" / "a.txt").exists(), timeout=20_000)

    def undo_offered() -> bool:
        # The file lands before the watcher writes its history entry; as a person would, wait
        # until the menu offers Undo last (a disabled action's trigger() does nothing).
        tray.build_menu()
        return tray.actions_by_text()["Undo last"].isEnabled()

    qtbot.waitUntil(undo_offered, timeout=20_000)
    heard: list[str] = []
    controller.session.undone.connect(lambda _entry, text: heard.append(text))
    started: list[str] = []
    controller.session.jobs.started.connect(started.append)
    tray.actions_by_text()["Undo last"].trigger()
    qtbot.waitUntil(lambda: bool(heard), timeout=20_000)
    assert "undo" in started  # in the window's job manager, not on a thread of its own
    assert heard[0] == "Undid 1 file."
    assert (inbox / "a.txt").exists() and not (dest / "txt" / "a.txt").exists()
    assert ("Undo", "Undid 1 file.") in tray.messages
    wait_idle()
