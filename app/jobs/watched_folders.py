"""Watched folders as the window and the command line edit them: the list, one folder's
settings, its on/off switch, removal, and how long a file must settle before it is organized.

The tray and the Watched folders dialog reach the watched_folders table only through here
(gui -> jobs -> store). Every function is one short transaction, so the dialog runs the
writes in a worker instead of on the UI thread. ``WatchedFolder`` is the shape they edit.
"""

from __future__ import annotations

from app.store import watched
from app.store.db import Database
from app.store.watched import WatchedFolder

__all__ = ["WatchedFolder", "folders", "remove", "save", "set_enabled", "set_settle_seconds",
           "settle_seconds"]


def folders(db: Database, enabled_only: bool = False) -> list[WatchedFolder]:
    """Every watched folder (or only the switched-on ones), in the order they were added."""
    return watched.list_folders(db, enabled_only=enabled_only)


def save(db: Database, folder: WatchedFolder) -> WatchedFolder:
    """Store a new folder, or the changed settings of the one with its path; returns it with its id."""
    return watched.add_folder(db, folder)


def set_enabled(db: Database, folder_id: int, enabled: bool) -> None:
    """The folder's on/off switch."""
    watched.set_enabled(db, folder_id, enabled)


def remove(db: Database, folder_id: int) -> None:
    """Stop watching a folder (files it organized stay where they are)."""
    watched.remove_folder(db, folder_id)


def settle_seconds(db: Database) -> float:
    """How long a file must stay unchanged before the watcher acts on it."""
    return watched.settle_seconds(db)


def set_settle_seconds(db: Database, seconds: float) -> None:
    watched.set_settle_seconds(db, seconds)
