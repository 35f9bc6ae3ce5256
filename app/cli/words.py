"""Words the command line prints: counts with the right plural and thousands separators.

One place for it, so every command says "1 file", "2 files", "1,385 files" (never
"file(s)" or "1 files"), and run summaries count files and folders the same way for a
run and for its undo.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.core.units import count  # noqa: F401 - the commands' helper; reports use it too


def and_list(parts: Iterable[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    items = [p for p in parts if p]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_FOLDER_KINDS = ("mkdir", "rmdir")


def files_and_folders(records: Iterable, state: str = "done") -> str:
    """How many files and folders (removed, or created on the way) the journal records in
    `state` touched, so that a run and its undo give the same numbers:
    '4,218 files and 684 folders', '1 file', '0 files' (folders only when there are any)."""
    files = folders = 0
    for rec in records:
        if rec.state == state:
            if rec.op.kind.value in _FOLDER_KINDS:
                folders += 1
            else:
                files += 1
            folders += len(rec.extra.get("made_dirs", ()))    # created on the way (undo removes them)
    if not files and not folders:
        return "0 files"
    return and_list([count(files, "file") if files or not folders else "",
                     count(folders, "folder") if folders else ""])
