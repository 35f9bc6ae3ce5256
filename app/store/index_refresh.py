"""The index's rows brought up to date for the files an action just changed, without a scan.

After the duplicate finder trashed, linked or moved copies, the organizer or the watcher moved
files, or an undo put them back, the Dashboard and the reports read the index: rows of files
that are gone would still count, and files that arrived in a scanned folder would not, until
the next scan. ``refresh_files`` looks at each path the action touched. A row goes when its
file is gone; it follows the file when the file changed (its stored hashes go when the file's
identity changed, as in a scan); it appears when a file now sits in a scanned folder, with the
folders made for it below a scanned one. Every folder so changed loses its listing signature
and its file totals (the files triggers do it, and this module for new rows), so the next scan
compares it file by file and the reports count its rows meanwhile.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable, Iterable

from app.store.codec import to_db
from app.store.index import (
    INSERT_FILE,
    STORED_STATE,
    UPDATE_CONTENT,
    UPDATE_META,
    hashes_hold,
    write_transaction,
)

Classify = Callable[[str], tuple[str, str]]      # name -> (extension, category)
_STORED = f"SELECT {STORED_STATE} FROM files WHERE dir_id=? AND name=?"  # noqa: S608 (fixed text)


BATCH = 500        # paths per write transaction: the window's own writes wait for one batch at most


def refresh_files(conn: sqlite3.Connection, paths: Iterable[str], classify: Classify) -> int:
    """Re-read each of `paths` (absolute) into the index; returns the rows added, changed or
    removed. Paths outside every scanned folder are left alone."""
    changed = 0
    unique = list(dict.fromkeys(paths))
    for start in range(0, len(unique), BATCH):
        # the files are looked at first: no write transaction waits on the disk (as in a scan)
        batch = [(path, _lstat(path)) for path in unique[start:start + BATCH]]
        with write_transaction(conn) as cur:
            folders: dict[str, tuple[int, int] | None] = {}
            for path, st in batch:
                parent, name = os.path.split(path)
                if parent not in folders:
                    folders[parent] = _folder(cur, parent)
                if folders[parent] is not None:
                    changed += _refresh(cur, name, st, *folders[parent], classify)
    return changed


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _refresh(cur: sqlite3.Cursor, name: str, st: os.stat_result | None, did: int, gen: int,
             classify: Classify) -> int:
    key = to_db(name)
    row = cur.execute(_STORED, (did, key)).fetchone()
    if st is None or not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
        if row is None:
            return 0
        cur.execute("DELETE FROM files WHERE id=?", (row[0],))
        return 1
    is_link = stat.S_ISLNK(st.st_mode)
    if row is None:
        ext, cat = classify(name)
        cur.execute(INSERT_FILE, (did, key, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, st.st_nlink,
                                  ext, cat, is_link, gen, st.st_ctime_ns))
        cur.execute("UPDATE dirs SET signature=NULL, files=NULL, bytes=NULL WHERE id=?", (did,))
        return 1
    fid, nlink = row[0], row[5]
    if not hashes_hold(row, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, is_link, st.st_ctime_ns):
        cur.execute(UPDATE_CONTENT, (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, st.st_nlink, is_link,
                                     classify(name)[1], st.st_ctime_ns, gen, fid))
        return 1
    if nlink != st.st_nlink:
        cur.execute(UPDATE_META, (st.st_dev, st.st_nlink, gen, fid))
        return 1
    return 0


def _folder(cur: sqlite3.Cursor, folder: str) -> tuple[int, int] | None:
    """(id, scan generation) of `folder` in the index; a folder below a scanned one that the
    index does not hold yet (an organizer destination) is added with its missing parents."""
    missing: list[str] = []
    path = folder
    while True:
        row = cur.execute("SELECT id, root_id, scan_gen FROM dirs WHERE path=?", (to_db(path),)).fetchone()
        if row is not None:
            break
        parent = os.path.dirname(path)
        if parent == path:
            return None                 # not below any scanned folder
        missing.append(path)
        path = parent
    did, root_id, gen = row
    for path in reversed(missing):
        if not os.path.isdir(path) or os.path.islink(path):
            return None
        did = cur.execute("INSERT INTO dirs (root_id, path, scan_gen) VALUES (?,?,?)",
                          (root_id, to_db(path), gen)).lastrowid
    return did, gen
