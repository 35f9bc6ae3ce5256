"""Dropping a folder that is no longer scanned from the index: its files, folders, root and scan
errors, so totals, duplicates and reports stop counting them. Nothing on disk is touched.

Folders still scanned are respected both ways: forgetting a folder inside another scanned folder
drops nothing (its files are still covered), and a scanned folder inside the forgotten one keeps
its rows (they move to a root of their own when they were indexed as part of the forgotten one).
Everything happens in one transaction: a cancelled or failed run changes nothing.
"""

# SQL here is built only from fixed fragments and "?" placeholders; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from app.store.codec import from_db, to_db
from app.store.index_query import is_within

BATCH = 500  # folders per DELETE: keeps statements short and lets a cancel land quickly


@dataclass
class Forgotten:
    """What was dropped from the index."""

    files: int = 0
    folders: int = 0
    roots: int = 0


def _root_for(cur: sqlite3.Cursor, folder: str, gen: int) -> int:
    row = cur.execute("SELECT id FROM roots WHERE path=?", (to_db(folder),)).fetchone()
    if row is not None:
        return row[0]
    cur.execute(
        "INSERT INTO roots (path, added_at, last_scan_at, scan_gen) VALUES (?,?,?,?)",
        (to_db(folder), time.time(), time.time(), gen),
    )
    return cur.lastrowid


def forget_folders(
    conn: sqlite3.Connection,
    folders: Iterable[str],
    keep: Iterable[str] = (),
    on_batch: Callable[[int], None] | None = None,
) -> Forgotten:
    """Drop ``folders`` (absolute paths) from the index, sparing what lies in the ``keep`` folders.

    ``on_batch(files_dropped)`` is called after each batch of folders; it may raise to stop
    (the transaction is then rolled back).
    """
    keep = [os.path.abspath(k) for k in keep]
    gone_folders = [
        f for f in (os.path.abspath(f) for f in folders) if not any(is_within(f, k) for k in keep)
    ]
    out = Forgotten()
    if not gone_folders:
        return out
    cur = conn.cursor()
    try:
        rows = cur.execute("SELECT id, path, scan_gen FROM roots").fetchall()
        roots = [(rid, from_db(p), gen) for rid, p, gen in rows]
        gone_roots = {
            rid for rid, path, _gen in roots
            if any(is_within(path, f) for f in gone_folders) and not any(is_within(path, k) for k in keep)
        }
        if not gone_roots:
            return out
        marks = ",".join("?" * len(gone_roots))
        rows = cur.execute(f"SELECT id, path FROM dirs WHERE root_id IN ({marks})", tuple(gone_roots))
        dirs = [(did, from_db(p)) for did, p in rows.fetchall()]
        top_gen = max((gen for _r, _p, gen in roots), default=0)
        drop: list[int] = []
        for did, path in dirs:
            home = next((k for k in keep if is_within(path, k)), None)
            if home is None:
                drop.append(did)
            else:  # a scanned folder inside the forgotten one: its rows stay, under its own root
                cur.execute("UPDATE dirs SET root_id=? WHERE id=?", (_root_for(cur, home, top_gen), did))
        for start in range(0, len(drop), BATCH):
            batch = drop[start : start + BATCH]
            bmarks = ",".join("?" * len(batch))
            cur.execute(f"DELETE FROM files WHERE dir_id IN ({bmarks})", batch)
            dropped = cur.rowcount
            cur.execute(f"DELETE FROM dirs WHERE id IN ({bmarks})", batch)
            out.files += dropped
            out.folders += len(batch)
            if on_batch is not None:
                on_batch(dropped)
        cur.execute(f"DELETE FROM scan_errors WHERE root_id IN ({marks})", tuple(gone_roots))
        cur.execute(f"DELETE FROM roots WHERE id IN ({marks})", tuple(gone_roots))
        out.roots = len(gone_roots)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return out


def forget_count(conn: sqlite3.Connection, folders: Iterable[str]) -> int:
    """How many indexed files lie in ``folders`` (for a progress total)."""
    wanted = [os.path.abspath(f) for f in folders]
    roots = conn.execute("SELECT id, path FROM roots").fetchall()
    ids = [rid for rid, p in roots if any(is_within(from_db(p), f) for f in wanted)]
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    return conn.execute(
        f"SELECT count(*) FROM files WHERE dir_id IN (SELECT id FROM dirs WHERE root_id IN ({marks}))", ids
    ).fetchone()[0]
