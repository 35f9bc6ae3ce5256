"""A job that finishes after its view (or the whole window) was closed and deleted must not call
into the deleted C++ objects: its results are dropped, and the long-lived session's signals no
longer reach the dead view. Real jobs on a real folder; the view is deleted while the job is still
registered as running, so its result is always delivered after the deletion."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent

pytestmark = pytest.mark.gui


@pytest.fixture
def session(qapp, app_home, tmp_path, monkeypatch):
    """A session (database, prefs, jobs) that outlives the views made on it, as in the app."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))  # the trash goes here
    from app.gui.session import Session
    from app.store.db import open_database

    db = open_database()
    s = Session(db)
    yield s
    s.jobs.shutdown()
    qapp.processEvents()
    db.close()


def delete_now(widget) -> None:
    """Close and delete ``widget`` the way Qt does after a window closes (deleteLater)."""
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(widget)


def finish_jobs(qtbot, session) -> None:
    qtbot.waitUntil(lambda: not session.jobs.running(), timeout=60_000)
    qtbot.wait(20)


def scanned(qtbot, session, folder) -> None:
    session.add_folders([str(folder)], scan=True)
    finish_jobs(qtbot, session)
    assert session.duplicates


def poke_session(session) -> None:
    """Every signal of the session a view listens to, as the app emits them later on."""
    session.folders_changed.emit()
    session.index_changed.emit()
    session.history_changed.emit()
    session.duplicates_ready.emit((session.duplicates or [], None))
    session.jobs.busy_changed.emit(False)
    session.jobs.finished.emit("scan")


def test_closing_the_window_during_a_scan(qtbot, session, dup_folder):
    from app.gui.main_window import MainWindow

    window = MainWindow(session)
    window.show()
    session.add_folders([str(dup_folder)], scan=True)
    with qtbot.captureExceptions() as exceptions:
        delete_now(window)
        assert session.jobs.is_running("scan")  # its result has not been delivered yet
        finish_jobs(qtbot, session)
        poke_session(session)
    assert exceptions == []
    assert session.duplicates  # the session itself got the scan's result


def _duplicates_trash(session, monkeypatch, qtbot):
    import app.gui.views.duplicates as dup_view

    monkeypatch.setattr(dup_view, "confirm_action", lambda *a, **k: True)
    view = dup_view.DuplicatesView(session)
    view.set_result((session.duplicates, None))  # nothing checked until asked
    view.auto_select()  # checks the copies in a "select" job
    finish_jobs(qtbot, session)
    assert view.model.marked
    return view, lambda: view.act("trash"), dup_view.ACT


def _duplicates_select(session, monkeypatch, qtbot):
    from app.gui.views.duplicates import DuplicatesView

    view = DuplicatesView(session)
    view.model.set_groups(session.duplicates)
    view.apply_filter()
    return view, view.auto_select, "select"


def _organizer_preview(session, monkeypatch, qtbot):
    from app.gui.views.organizer import PREVIEW, OrganizerView

    view = OrganizerView(session)
    view.source.setCurrentText(session.folders()[0])
    view.rule_source.setCurrentIndex(view.rule_source.findData("by-category"))
    return view, view.run_preview, PREVIEW


def _reports_export(session, monkeypatch, qtbot):
    from app.gui.views.reports import REPORT, ReportsView

    view = ReportsView(session)
    view.path.setText(session.folders()[0] + ".report.html")
    return view, view.export, REPORT


def _dashboard_load(session, monkeypatch, qtbot):
    from app.gui.views.dashboard import DashboardView

    view = DashboardView(session)
    return view, view.reload, "dashboard"


def _history_load(session, monkeypatch, qtbot):
    from app.gui.views.history import HistoryView

    view = HistoryView(session)
    return view, view.reload, "history"


@pytest.mark.parametrize(
    "make",
    [
        _duplicates_trash,
        _duplicates_select,
        _organizer_preview,
        _reports_export,
        _dashboard_load,
        _history_load,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_deleting_a_view_while_its_job_runs(make, qtbot, session, dup_folder, monkeypatch):
    scanned(qtbot, session, dup_folder)
    view, start_job, kind = make(session, monkeypatch, qtbot)
    view.show()
    with qtbot.captureExceptions() as exceptions:
        start_job()
        assert session.jobs.is_running(kind)
        delete_now(view)
        finish_jobs(qtbot, session)
        poke_session(session)
    assert exceptions == []


def test_results_still_reach_a_live_view(qtbot, session, dup_folder, monkeypatch):
    """The guard drops results only for deleted receivers: a live view gets its result."""
    scanned(qtbot, session, dup_folder)
    view, start_job, _kind = _reports_export(session, monkeypatch, qtbot)
    start_job()
    finish_jobs(qtbot, session)
    assert view.last_path and view.last_path.endswith(".report.html")
    delete_now(view)


def test_closures_name_their_owner(qtbot, session, dup_folder):
    """A closure or partial is skipped once the QObject named as its owner (or bound in it) is gone."""
    import functools

    from PySide6.QtWidgets import QLabel

    from app.jobs.scan import scan

    label, other = QLabel(), QLabel()
    seen = []

    def show(result):
        seen.append(result)
        label.setText(str(result.files))

    with qtbot.captureExceptions() as exceptions:
        session.jobs.start("a", lambda p: scan(session.db, [str(dup_folder)], progress=p),
                           on_result=show, owner=label)
        session.jobs.start("b", lambda p: 1, on_result=functools.partial(other.setText))
        delete_now(label)
        delete_now(other)
        finish_jobs(qtbot, session)
    assert exceptions == [] and seen == []
