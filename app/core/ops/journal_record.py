"""What the journal holds: one record per operation, its states, and the store's protocol.

Apart from ``core.ops.execute`` (which runs the operations) so that reading the journal, as every
command does at start to look for crashed runs, does not load the executor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from app.core.ops.plan import Operation

PLANNED, DONE, FAILED, SKIPPED, UNDONE = "planned", "done", "failed", "skipped", "undone"


@dataclass(slots=True)
class JournalRecord:
    """One operation as the journal holds it."""

    seq: int
    op: Operation
    tmp: str | None = None          # temporary name used while acting (copies, links)
    state: str = PLANNED
    error: str | None = None
    extra: dict = field(default_factory=dict)   # trash slot, folders created, undo link...


class Journal(Protocol):
    """What the executor needs from the journal store (app.store.journal implements it)."""

    def begin(self, run_id: str, source: str, title: str, undo_of: int | None = None) -> int:
        """Create a running history entry; returns its id."""

    def record(self, entry_id: int, records: list[JournalRecord]) -> None:
        """Store all planned operations, committed to disk, before any of them runs."""

    def mark(self, entry_id: int, records: list[JournalRecord]) -> None:
        """Store the new state (done/failed/skipped), error and extra of these records."""

    def finish(self, entry_id: int) -> None:
        """Close the entry: counts, bytes and final status from its records."""
