"""Undo a history entry: reverse its done operations, last first, through the executor."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.ops.execute import DONE, ExecResult
from app.core.ops.folder_times import restore_folder_times
from app.core.ops.reverse import undo_plan
from app.core.progress import Progress
from app.jobs.refresh import execute_plan
from app.store.db import Database
from app.store.journal import HistoryEntry, JournalStore


class NothingToUndo(LookupError):
    """Nothing was undone, and why. `missing` is True when the entry or operation asked for
    does not exist (a wrong number: a usage error), False when it exists but has nothing
    left to undo (already undone, failed, or not undoable)."""

    def __init__(self, message: str, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


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
        if entry_id is not None:
            raise NothingToUndo(f"there is no history entry #{entry_id} (see `fileorganizer history`)",
                                missing=True)
        raise NothingToUndo("there is nothing to undo")
    if entry.status == "running":
        raise NothingToUndo(f"entry #{entry.id} is still running")
    every = store.records(entry.id)
    if only is not None:
        known = {r.seq for r in every}
        if absent := sorted(only - known):
            has = f"operations 0 to {len(every) - 1:,}" if len(every) > 1 else \
                "only operation 0" if every else "no operations"
            raise NothingToUndo(f"entry #{entry.id} has no operation {_numbers(absent, 'or')} (it has "
                                f"{has}; see `fileorganizer history {entry.id}`)", missing=True)
    chosen = [r for r in every if only is None or r.seq in only]
    records = [r for r in chosen if r.state == DONE]
    if not records:
        raise NothingToUndo(_why_nothing(entry.id, chosen, only is not None))
    plan, extras, not_undoable = undo_plan(records, title=f"Undo #{entry.id} {entry.title}".strip())
    run = execute_plan(db, plan, store, progress, undo_of=entry.id, extras=extras)
    undone = {r.extra["undoes"] for r in run.records if r.state == DONE and "undoes" in r.extra}
    restore_folder_times(records, undone)      # after every file and folder is back
    return UndoResult(store.entry(entry.id) or entry, run, not_undoable)


def _numbers(seqs: list[int], word: str = "and") -> str:
    """[3] -> '3'; [3, 4, 5] -> '3, 4 and 5'."""
    return ", ".join(f"{n:,}" for n in seqs[:-1]) + (f" {word} " if len(seqs) > 1 else "") + f"{seqs[-1]:,}"


def _why_nothing(entry_id: int, chosen: list, by_op: bool) -> str:
    """What is true when none of the chosen operations is done: already undone, or never done."""
    states = {r.state for r in chosen}
    plural = "s" if by_op and len(chosen) > 1 else ""
    what = (f"operation{plural} {_numbers([r.seq for r in chosen])} of entry #{entry_id}" if by_op
            else f"entry #{entry_id}")
    if states == {"undone"}:
        return f"{what} {'were' if plural else 'was' if by_op else 'is'} already undone"
    if "undone" in states:
        return f"{what}: every operation that was done is already undone"
    return f"{what}: nothing was done, so there is nothing to undo"
