"""Forget job: drop folders the user no longer scans from the index (files, folders, roots and
scan errors), so the dashboard, duplicates and reports stop counting them. Nothing on disk changes."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from app.core.progress import Progress
from app.store.db import Database
from app.store.forget import Forgotten, forget_count, forget_folders


@dataclass
class ForgetResult:
    """The folders forgotten and what that dropped from the index."""

    folders: list[str]
    dropped: Forgotten = field(default_factory=Forgotten)


def forget(db: Database, folders: list[str], *, keep: list[str], progress: Progress) -> ForgetResult:
    """Drop ``folders`` from the index, sparing what lies inside the still-scanned ``keep`` folders.

    Raises Cancelled when progress.cancel() was called; the index is then unchanged.
    """
    result = ForgetResult([os.path.abspath(f) for f in folders])
    raw = db.raw()
    conn = raw.driver_connection
    try:
        progress.stage("forget", total=forget_count(conn, result.folders) or None)
        progress.check()

        def on_batch(files: int) -> None:
            progress.advance(files)
            progress.check()

        result.dropped = forget_folders(conn, result.folders, keep, on_batch=on_batch)
    finally:
        raw.close()
    return result
