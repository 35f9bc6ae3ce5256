"""Running a plan, after which the index follows at once (``store.index_refresh``).

The duplicate finder's actions, the organizer's Apply, the watcher and Undo all run their plans
through ``execute_plan``: the executor, then the index brought up to date with what it did, so
the Dashboard, the reports and the next duplicate search count what is on disk now rather than
what the last scan saw. A trashed file's new place
(the system trash) is not looked at: it is not part of any scanned folder, even when the trash
sits below one.
"""

from __future__ import annotations

from app.core.ops.execute import DONE, ExecResult, execute
from app.core.ops.journal_record import Journal
from app.core.ops.plan import OpKind, Plan
from app.core.progress import Progress
from app.jobs.scan import classifier
from app.store import index_refresh
from app.store.db import Database

_LINKS = (OpKind.HARDLINK, OpKind.SYMLINK, OpKind.UNLINK)      # `keep` gains or loses a link


def execute_plan(db: Database, plan: Plan, journal: Journal, progress: Progress | None = None,
                 **options) -> ExecResult:
    """``core.ops.execute.execute(plan, journal, progress, **options)``, then ``refresh_after``."""
    result = execute(plan, journal, progress, **options)
    refresh_after(db, result)
    return result


def touched_paths(result: ExecResult) -> list[str]:
    """The paths the done operations of `result` changed, each once."""
    paths: list[str] = []
    for record in result.records:
        if record.state != DONE:
            continue
        op = record.op
        paths.append(op.src)
        if op.dst and op.kind != OpKind.TRASH:
            paths.append(op.dst)
        if op.keep and op.kind in _LINKS:
            paths.append(op.keep)
    return list(dict.fromkeys(paths))


def refresh_after(db: Database, result: ExecResult) -> int:
    """Bring the index's rows of the files `result` touched up to date; returns the rows changed."""
    paths = touched_paths(result)
    if not paths:
        return 0
    conn = db.raw()
    try:        # new rows are classified by this database's categories
        return index_refresh.refresh_files(conn, paths, classifier(db))
    finally:
        conn.close()
