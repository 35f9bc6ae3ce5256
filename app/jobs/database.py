"""The database the window and the command line work on, opened here for them.

The layers above jobs never import the store (DESIGN.md: gui -> jobs -> store, cli -> jobs):
they open the app's one database through this module and hand it to the jobs they run.
``Database`` is the name they may use in type hints.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.store.db import Database, open_database

__all__ = ["Database", "open_database", "opened"]


@contextmanager
def opened(path: Path | None = None) -> Iterator[Database]:
    """The app's database (or the one at ``path``) for one command, closed however it ends."""
    db = open_database(path)
    try:
        yield db
    finally:
        db.close()
