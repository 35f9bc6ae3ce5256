"""The jobs entry points the window and the command line use instead of the store: the database,
the watched folders, one history entry and the Dashboard's activity."""

from __future__ import annotations

from app.jobs import history, watched_folders
from app.jobs.dashboard import load_dashboard
from app.jobs.database import opened
from app.jobs.undo import NothingToUndo, undo


def test_watched_folders_round_trip(app_home, tmp_path):
    inbox = tmp_path / "Downloads"
    inbox.mkdir()
    with opened() as db:
        saved = watched_folders.save(db, watched_folders.WatchedFolder(str(inbox), {"preset": "by-category"}))
        assert saved.id is not None and saved.enabled
        watched_folders.set_enabled(db, saved.id, False)
        watched_folders.set_settle_seconds(db, 4.5)
    with opened() as db:                    # stored, not just kept in the object
        assert [f.path for f in watched_folders.folders(db)] == [str(inbox)]
        assert watched_folders.folders(db, enabled_only=True) == []
        assert watched_folders.settle_seconds(db) == 4.5
        watched_folders.remove(db, saved.id)
        assert watched_folders.folders(db) == []


def test_history_entry_and_dashboard_activity(app_home, tmp_path):
    from app.core.organize.presets import PRESETS
    from app.jobs.organize import apply, preview

    folder = tmp_path / "mess"
    folder.mkdir()
    (folder / "a.txt").write_text("a")
    with opened() as db:
        assert history.entry(db, 1) is None
        pv = preview(db, [str(folder)], PRESETS["by-extension"].build(), dest=str(folder))
        run = apply(db, pv)
        entry = history.entry(db, run.entry_id)
        assert isinstance(entry, history.HistoryEntry) and entry.done_count == 1
        assert [e.id for e in load_dashboard(db, []).activity] == [run.entry_id]
        undo(db, run.entry_id)
        try:
            undo(db, run.entry_id)
        except NothingToUndo as exc:
            assert "already undone" in str(exc)
    assert (folder / "a.txt").exists()
