"""Folder modification times across a run and its undo.

Moving a file into or out of a folder changes the folder's modification time, and so do
creating and removing folders. ``FolderTimes`` reads, before a run touches anything, the
time of each folder an operation will change (the executor keeps it in the journal as
``dir_times``); ``restore_folder_times`` sets those times again once an undo has put every
file and folder back, so an undone run leaves the tree as it found it.
"""

from __future__ import annotations

import os
import stat

from app.core.ops.journal_record import JournalRecord
from app.core.ops.plan import Operation, OpKind


class FolderTimes:
    """The modification times of the folders an operation changes, read before the run starts
    (its source's folder, and the nearest existing folder above its destination)."""

    def __init__(self) -> None:
        self.seen: dict[str, int | None] = {}
        self.lists: dict[tuple[str, str | None, bool], list[list]] = {}   # most operations share folders

    def _time(self, folder: str) -> int | None:
        if folder not in self.seen:
            try:
                st = os.lstat(folder)
                self.seen[folder] = st.st_mtime_ns if stat.S_ISDIR(st.st_mode) else None
            except OSError:
                self.seen[folder] = None
        return self.seen[folder]

    def of(self, op: Operation) -> list[list]:
        """[[folder, mtime_ns], ...] for the folders `op` changes (a list the caller must not change)."""
        is_dir = op.kind in (OpKind.RMDIR, OpKind.MKDIR)
        key = (op.src if is_dir else os.path.dirname(op.src), os.path.dirname(op.dst) if op.dst else None,
               is_dir)
        found = self.lists.get(key)
        if found is None:
            found = self.lists[key] = self._compute(op, is_dir)
        return found

    def _compute(self, op: Operation, is_dir: bool) -> list[list]:
        folders = [os.path.dirname(op.src)]
        if is_dir:
            folders.append(op.src)
        if op.dst:
            folder = os.path.dirname(op.dst)
            while folder and self._time(folder) is None and os.path.dirname(folder) != folder:
                folder = os.path.dirname(folder)
            folders.append(folder)
        out = []
        for folder in dict.fromkeys(folders):
            ns = self._time(folder) if folder else None
            if ns is not None:
                out.append([folder, ns])
        return out


def restore_folder_times(records: list[JournalRecord], undone: set[int]) -> int:
    """Put back the folder times noted before the run (``dir_times`` in each record's extra)
    for the records in `undone` (their seq numbers); returns how many folders were reset.
    A folder that no longer exists, or that the user cannot change, is left as it is."""
    times: dict[str, int] = {}
    for rec in records:
        if rec.seq in undone:
            for folder, ns in rec.extra.get("dir_times", ()):
                times.setdefault(folder, ns)
    reset = 0
    for folder, ns in times.items():
        try:
            st = os.lstat(folder)
            if st.st_mtime_ns != ns:
                os.utime(folder, ns=(st.st_atime_ns, ns))
                reset += 1
        except OSError:
            continue
    return reset
