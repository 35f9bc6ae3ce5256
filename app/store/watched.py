"""Watched folders (the watched_folders table) and the watcher's settings.

A folder's ``rules`` column holds JSON: ``[]`` for the user's enabled organizer rules, a list
of rule uuids for those rules only, ``{"preset": "by-category"}`` for a ready-made preset, or
``{"rules": [...]}`` for rule bodies given inline (e.g. read from a rules file).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update

from app.store.codec import from_db, to_db
from app.store.db import Database
from app.store.schema import watched_folders as wf

SETTLE_KEY = "watch.settle_seconds"
PAUSED_KEY = "watch.paused"
DEFAULT_SETTLE = 3.0


@dataclass(slots=True)
class WatchedFolder:
    """One watched folder and what to do with files that arrive in it."""

    path: str
    rules: Any = field(default_factory=list)     # see the module docstring
    dest: str | None = None                      # destination root; None: the folder itself
    enabled: bool = True
    recursive: bool = False
    id: int | None = None
    last_seen_at: float | None = None

    @property
    def key(self) -> str:
        """The name the core watcher knows this folder by."""
        return str(self.id) if self.id is not None else self.path

    @property
    def target(self) -> str:
        return self.dest or self.path


def _row(r) -> WatchedFolder:
    return WatchedFolder(path=from_db(r.path), rules=json.loads(r.rules or "[]"),
                         dest=from_db(r.dest) if r.dest is not None else None, enabled=bool(r.enabled),
                         recursive=bool(r.recursive), id=r.id, last_seen_at=r.last_seen_at)


def list_folders(db: Database, enabled_only: bool = False) -> list[WatchedFolder]:
    """All watched folders, in the order they were added."""
    query = select(wf).order_by(wf.c.id)
    if enabled_only:
        query = query.where(wf.c.enabled.is_(True))
    with db.engine.connect() as conn:
        return [_row(r) for r in conn.execute(query)]


def get_folder(db: Database, folder_id: int) -> WatchedFolder | None:
    with db.engine.connect() as conn:
        r = conn.execute(select(wf).where(wf.c.id == folder_id)).first()
    return _row(r) if r else None


def add_folder(db: Database, folder: WatchedFolder) -> WatchedFolder:
    """Store a new watched folder (or update the one with the same path); returns it with its id."""
    path = os.path.abspath(os.path.expanduser(folder.path))
    values = dict(rules=json.dumps(folder.rules), enabled=folder.enabled, recursive=folder.recursive,
                  dest=to_db(os.path.abspath(os.path.expanduser(folder.dest))) if folder.dest else None)
    with db.engine.begin() as conn:
        existing = conn.execute(select(wf.c.id).where(wf.c.path == to_db(path))).scalar()
        if existing is None:
            existing = conn.execute(insert(wf).values(path=to_db(path), **values)).inserted_primary_key[0]
        else:
            conn.execute(update(wf).where(wf.c.id == existing).values(**values))
    return get_folder(db, existing)


def set_enabled(db: Database, folder_id: int, enabled: bool) -> None:
    """The folder's on/off switch."""
    with db.engine.begin() as conn:
        conn.execute(update(wf).where(wf.c.id == folder_id).values(enabled=enabled))


def remove_folder(db: Database, folder_id: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(delete(wf).where(wf.c.id == folder_id))


def mark_seen(db: Database, folder_id: int, when: float | None = None) -> None:
    """Remember when the folder was last present (shown when it is missing)."""
    with db.engine.begin() as conn:
        conn.execute(update(wf).where(wf.c.id == folder_id).values(last_seen_at=when or time.time()))


def settle_seconds(db: Database) -> float:
    """How long a file must stay unchanged before the watcher acts on it."""
    try:
        return max(0.1, float(db.get_setting(SETTLE_KEY, DEFAULT_SETTLE)))
    except (TypeError, ValueError):
        return DEFAULT_SETTLE


def set_settle_seconds(db: Database, seconds: float) -> None:
    db.set_setting(SETTLE_KEY, float(seconds))


def not_placed_by_us(db: Database, paths: list[str]) -> list[str]:
    """`paths` minus the files a watcher run or an undo put exactly there and nobody changed since.

    This keeps the watcher from organizing its own results again (also after a restart, in the
    catch-up scan) and from re-organizing files the user just brought back with Undo.
    """
    if not paths:
        return []
    placed: dict[str, set[tuple[int, int]]] = {}
    conn = db.raw()
    try:
        for i in range(0, len(paths), 500):
            chunk = [to_db(p) for p in paths[i:i + 500]]
            rows = conn.execute(
                "SELECT j.dst, j.expect FROM journal j JOIN history h ON h.id = j.history_id "  # noqa: S608
                "WHERE h.source IN ('watcher', 'undo') AND j.state = 'done' AND j.expect IS NOT NULL "
                f"AND j.dst IN ({','.join('?' * len(chunk))})", chunk).fetchall()
            for dst, expect in rows:
                state = json.loads(expect)
                placed.setdefault(from_db(dst), set()).add((state["size"], state["mtime_ns"]))
    finally:
        conn.close()
    keep = []
    for path in paths:
        if path in placed:
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if (st.st_size, st.st_mtime_ns) in placed[path]:
                continue
        keep.append(path)
    return keep


@dataclass(slots=True)
class Activity:
    """One thing the watcher did, for the tray's recent-activity list."""

    entry_id: int
    at: float
    kind: str
    src: str
    dst: str | None
    state: str


def recent_activity(db: Database, limit: int = 10) -> list[Activity]:
    """The watcher's latest operations, newest first (from the journal, so it survives restarts)."""
    conn = db.raw()
    try:
        rows = conn.execute(
            "SELECT h.id, COALESCE(h.finished_at, h.started_at), j.kind, j.src, j.dst, j.state "
            "FROM journal j JOIN history h ON h.id = j.history_id WHERE h.source = 'watcher' "
            "AND j.kind != 'mkdir' ORDER BY j.id DESC LIMIT ?", (limit,)).fetchall()
    finally:
        conn.close()
    return [Activity(r[0], r[1], r[2], from_db(r[3]), from_db(r[4]) if r[4] is not None else None, r[5])
            for r in rows]
