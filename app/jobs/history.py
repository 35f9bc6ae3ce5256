"""History for the window: the journal's entries and records read through a job, and the one
rule for counting what a run did, so "Done: N" and "Undone: N" speak of the same things.

The views and the `history` command never open the store themselves (gui -> jobs -> store,
cli -> jobs); these run in workers. ``HistoryEntry`` is the shape of one entry.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.core.ops.journal_record import JournalRecord
from app.store.db import Database
from app.store.journal import HistoryEntry, JournalStore

__all__ = ["FOLDER_KINDS", "HistoryEntry", "entries", "entry", "files_done", "last_undoable", "records"]

FOLDER_KINDS = frozenset({"mkdir", "rmdir"})  # bookkeeping of a run, not files the user sees


def entries(db: Database, source: str = "", limit: int = 500) -> list:
    """The newest history entries first, of one source ("duplicates", "organizer", ...) or all."""
    found = JournalStore(db).entries(limit=limit)
    return [e for e in found if not source or e.source == source]


def entry(db: Database, entry_id: int) -> HistoryEntry | None:
    """One history entry by its number, or None when there is none."""
    return JournalStore(db).entry(entry_id)


def records(db: Database, entry_id: int) -> list[JournalRecord]:
    """The operations of one entry, in the order they ran."""
    return JournalStore(db).records(entry_id)


def last_undoable(db: Database):
    """The newest entry with something left to undo, or None."""
    return JournalStore(db).last_undoable()


def files_done(records: Iterable[JournalRecord]) -> int:
    """Files a run changed: done operations, leaving out the folders it made or removed."""
    return sum(1 for r in records if r.state == "done" and str(r.op.kind) not in FOLDER_KINDS)
