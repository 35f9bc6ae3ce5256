"""Crash recovery, run at every start of the app and of every `fileorganizer` command.

Finds history entries left *running* by a process that died (its run lock is free),
decides each unconfirmed operation from the disk (``core.ops.recover``), stores the
outcome and closes the entry. Entries still in flight in another process are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.core.ops.journal_record import DONE, PLANNED, SKIPPED
from app.core.progress import Progress
from app.store.journal import JournalStore

if TYPE_CHECKING:
    from app.store.db import Database


@dataclass(slots=True)
class RecoveryResult:
    """What recovery found and did."""

    entries: list[int] = field(default_factory=list)
    completed: int = 0          # unconfirmed operations found done (or finished now)
    rolled_back: int = 0        # unconfirmed operations found not done (temporary files removed)
    problems: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        if not self.entries:
            return ""
        ids = ", ".join(f"#{i}" for i in self.entries)
        text = (f"Recovered interrupted run {ids}: {self.completed} operation(s) completed, "
                f"{self.rolled_back} not done.")
        return text + (f" {len(self.problems)} need attention (see `fileorganizer history`)."
                       if self.problems else "")


def recover(db: Database, progress: Progress | None = None) -> RecoveryResult:
    """Finish or roll back every crashed run; cheap (one query) when there is none."""
    result = RecoveryResult()
    store = JournalStore(db)
    running = store.running()
    if not running:
        return result
    from app.core.ops.recover import recover_record  # the disk checks: only with a run to recover

    progress = progress or Progress()
    for entry_id in running:
        if not store.claim_crashed(entry_id):
            continue
        records = store.records(entry_id, states=(PLANNED,))
        progress.stage("recover", total=len(records))
        for rec in records:
            recover_record(rec)
            if rec.state == DONE:
                result.completed += 1
            else:
                result.rolled_back += 1
                if rec.state != SKIPPED:
                    result.problems.append((rec.op.src, rec.error or rec.state))
            progress.advance()
        store.mark(entry_id, records)
        store.finish(entry_id)
        result.entries.append(entry_id)
    return result


def recover_at_start() -> str:
    """Open the app database, recover crashed runs, return a one-line summary ('' if none).

    Without a database there is nothing to recover (a first start): none is created here.
    """
    from app import paths
    from app.store.db import open_database

    if not paths.database_path().exists():
        return ""
    db = open_database()
    try:
        return recover(db).summary()
    finally:
        db.close()
