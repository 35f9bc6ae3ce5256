"""Undo a history entry: reverse its done operations, last first, through the executor."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.execute import DONE, ExecResult, execute
from app.core.folder_times import restore_folder_times
from app.core.progress import Progress
from app.core.reverse import undo_plan
from app.store.db import Database
from app.store.journal import HistoryEntry, JournalStore


class NothingToUndo(LookupError):
    """No such entry, or nothing in it left to undo."""


@dataclass(slots=True)
class UndoResult:
    """Outcome of an undo: the entry undone, the executor's result, and what could not be undone."""

    entry: HistoryEntry
    run: ExecResult
    not_undoable: list[tuple[str, str]] = field(default_factory=list)

    @property
    def problems(self) -> list[tuple[str, str]]:
        """(path, reason) for every operation that was not undone."""
        return self.not_undoable + self.run.problems


def undo(db: Database, entry_id: int | None = None, progress: Progress | None = None,
         only: set[int] | None = None) -> UndoResult:
    """Undo entry `entry_id` (default: the newest entry with something left to undo).

    `only`: undo just these operations of the entry (their ``seq`` numbers), e.g. a
    selection in the History view; the others stay as they are.

    Undo is journaled like any run (source "undo"); it never overwrites a file that
    appeared since and reports per file what it could not undo.
    """
    store = JournalStore(db)
    entry = store.entry(entry_id) if entry_id is not None else store.last_undoable()
    if entry is None:
        raise NothingToUndo("no such history entry" if entry_id is not None else "nothing to undo")
    if entry.status == "running":
        raise NothingToUndo(f"entry #{entry.id} is still running")
    records = [r for r in store.records(entry.id, states=("done",)) if only is None or r.seq in only]
    if not records:
        raise NothingToUndo(f"entry #{entry.id} has nothing left to undo")
    plan, extras, not_undoable = undo_plan(records, title=f"Undo #{entry.id} {entry.title}".strip())
    run = execute(plan, store, progress, undo_of=entry.id, extras=extras)
    undone = {r.extra["undoes"] for r in run.records if r.state == DONE and "undoes" in r.extra}
    restore_folder_times(records, undone)      # after every file and folder is back
    return UndoResult(store.entry(entry.id) or entry, run, not_undoable)
