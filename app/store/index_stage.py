"""Folders nobody indexed yet: a walking worker writes their rows, the scan's writer copies them in.

On a first scan of a tree (no folder at or below its root is in the index) there is no stored
row to compare a listing with: every row is new. Then a worker walking a piece of the tree
(``walk_into_stage``) writes the rows itself, into a staging database of its own (a file in the
scan's temporary folder, no journal, no index), and the scan's writer copies them into the index
with ``INSERT ... SELECT`` (``copy_staged``), whole folders of about BATCH_ROWS rows per short
transaction.

Why: otherwise the worker pickles every record, the scan's process unpickles it, builds the row
in Python and binds its twelve values to the statement. At a million files that kept the scan's
process busy for about 17 s while the workers walked in about 5 s of CPU, and this one process
was the whole first scan's bottleneck. ``INSERT ... SELECT`` copies a row in about 2 us of
SQLite's own code; the row building moves to the workers, which run side by side.

A folder another writer added meanwhile (the window refreshing a watched folder while the first
scan runs) would clash with the copy: its chunk goes through ``IndexWriter.add_dir`` instead,
which merges it with the stored rows.
"""

# SQL here is built only from fixed fragments and "?" placeholders; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from app.core.progress import Progress
from app.core.scan.categories import cached_classifier, use_custom
from app.core.scan.walk import SubtreeWalk, listing_signature, walk_dirs, walk_subtrees
from app.store.codec import from_db, to_db
from app.store.index import BATCH_ROWS, IndexWriter, join_path

_STAGE_TABLES = (
    # k numbers the folders from 1 in walk order; files/bytes are NULL for a listing that broke off
    "CREATE TABLE d (k INTEGER PRIMARY KEY, path, signature, files, bytes)",
    "CREATE TABLE f (dk, name, size, mtime_ns, inode, dev, nlink, ext, category, is_link, ctime_ns)",
)
_FILE_COLUMNS = "name, size, mtime_ns, inode, dev, nlink, ext, category, is_link"


class StagedWalk(NamedTuple):
    """What ``walk_into_stage`` saw and where it wrote it."""

    stage: str                                  # the staging database file
    # (first k, last k, first f rowid, last f rowid, files and links, bytes): whole folders
    chunks: list[tuple[int, int, int, int, int, int]]
    folders: int
    files: int                                  # regular files
    links: int
    nbytes: int
    records: list[list[tuple]]                  # each folder's records, when asked for
    errors: list[tuple[str, str]]
    listed: set[tuple[int, int]]                # (dev, inode) of every folder listed
    leftover: list[tuple[str, int, int]]        # (path, dev, inode) of the folders not reached


def walk_into_stage(paths: Sequence[str], exclude: Sequence[str], include_hidden: bool,
                    max_files: int | None, stage_dir: str, custom: Mapping[str, str],
                    with_records: bool) -> StagedWalk | SubtreeWalk:
    """Walk subtrees nobody indexed yet (as ``core.scan.walk.walk_subtrees`` does) and write
    their folders and rows into a new staging database in `stage_dir`.

    `custom`: the custom categories (extension -> name) the rows are classified by. With
    `with_records`, each folder's records also come back (for the duplicate finder's early
    hashing). A module-level function of plain values, so that a worker process can run it.
    When the staging file cannot be written (the temporary folder is full or gone), the piece
    is walked again the ordinary way and its records go back to the scan instead.
    """
    try:
        return _walk_to_file(paths, exclude, include_hidden, max_files, stage_dir, custom, with_records)
    except (OSError, sqlite3.Error):
        return walk_subtrees(paths, exclude, include_hidden, {}, max_files)


def _walk_to_file(paths: Sequence[str], exclude: Sequence[str], include_hidden: bool,
                  max_files: int | None, stage_dir: str, custom: Mapping[str, str],
                  with_records: bool) -> StagedWalk:
    use_custom(dict(custom))
    classify_name = cached_classifier()
    fd, stage = tempfile.mkstemp(suffix=".db", dir=stage_dir)
    os.close(fd)
    errors: list[tuple[str, str]] = []
    listed: set[tuple[int, int]] = set()
    leftover: list[tuple[str, int, int]] = []
    records: list[list[tuple]] = []
    sizes: list[tuple[int, int]] = []           # each folder's (rows, bytes), in k order
    files = links = nbytes = 0
    try:
        conn = sqlite3.connect(stage, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            for ddl in _STAGE_TABLES:
                conn.execute(ddl)
            conn.execute("BEGIN")
            for k, listing in enumerate(walk_dirs(
                    paths, exclude=exclude, include_hidden=include_hidden, subtrees=True, seen=listed,
                    on_error=lambda p, r: errors.append((p, r)), max_files=max_files, leftover=leftover,
                    plain=True), 1):
                found, path = listing.files, listing.path
                regular = len(found) - listing.links
                files, links, nbytes = files + regular, links + listing.links, nbytes + listing.nbytes
                sizes.append((len(found), listing.nbytes))
                if listing.complete:
                    row = (k, to_db(path), listing_signature(found), regular, listing.nbytes)
                else:
                    row = (k, to_db(path), None, None, None)
                conn.execute("INSERT INTO d VALUES (?,?,?,?,?)", row)
                cut = len(path) if path.endswith(os.sep) else len(path) + 1
                rows = []
                for p, size, mtime_ns, inode, dev, nlink, is_link, ctime_ns in found:
                    name = p[cut:]
                    ext, category = classify_name(name)
                    rows.append((k, to_db(name), size, mtime_ns, inode, dev, nlink, ext, category, is_link,
                                 ctime_ns))
                conn.executemany("INSERT INTO f VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
                if with_records:
                    records.append(found)
            conn.execute("COMMIT")
        finally:
            conn.close()
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(stage)
        raise
    return StagedWalk(stage, _chunks(sizes), len(sizes), files, links, nbytes, records, errors, listed,
                      leftover)


def _chunks(sizes: list[tuple[int, int]]) -> list[tuple[int, int, int, int, int, int]]:
    """Whole folders of about BATCH_ROWS rows each, from each folder's (rows, bytes): (first k,
    last k, first f rowid, last f rowid, rows, bytes)."""
    chunks = []
    first_k = first_row = row = 1
    chunk_bytes = 0
    for k, (rows, folder_bytes) in enumerate(sizes, 1):
        row += rows
        chunk_bytes += folder_bytes
        if row - first_row >= BATCH_ROWS or k == len(sizes):
            chunks.append((first_k, k, first_row, row - 1, row - first_row, chunk_bytes))
            first_k, first_row, chunk_bytes = k + 1, row, 0
    return chunks


def copy_staged(writer: IndexWriter, staged: StagedWalk, progress: Progress) -> None:
    """Copy a staged piece into the index for `writer`'s scan, then remove the staging file.
    Raises Cancelled between two chunks when `progress` was cancelled (the chunks copied stay)."""
    conn = writer.conn
    if conn.in_transaction:
        conn.commit()
    conn.execute("ATTACH DATABASE ? AS stage", (staged.stage,))
    merged = 0      # rows that went through the writer's comparison instead (counted there)
    try:
        for *chunk, entries, nbytes in staged.chunks:
            progress.check()
            with writer.transaction() as cur:
                copied = _copy_chunk(cur, writer, *chunk)
            if not copied:
                merged += _merge_chunk(conn, writer, *chunk)
            progress.advance(entries, nbytes)
    finally:
        if conn.in_transaction:
            conn.commit()
        conn.execute("DETACH DATABASE stage")
        with contextlib.suppress(OSError):
            os.remove(staged.stage)
    counts = writer.counts
    counts.dirs += staged.folders
    counts.files += staged.files
    counts.links += staged.links
    counts.bytes += staged.nbytes
    counts.new += staged.files + staged.links - merged
    writer.modified = True


def _copy_chunk(cur: sqlite3.Cursor, writer: IndexWriter, k_lo: int, k_hi: int, f_lo: int,
                f_hi: int) -> bool:
    """Copy folders k_lo..k_hi and their rows in one transaction; False (nothing written) when one
    of the folders is in the index already."""
    if cur.execute("SELECT 1 FROM stage.d JOIN dirs USING (path) WHERE k BETWEEN ? AND ? LIMIT 1",
                   (k_lo, k_hi)).fetchone():
        return False
    # the folders get the ids after the largest one, in order: a file row's folder is base + its k
    base = cur.execute("SELECT coalesce(max(id), 0) FROM dirs").fetchone()[0] - k_lo + 1
    cur.execute("INSERT INTO dirs (id, root_id, path, scan_gen, signature, files, bytes) "
                "SELECT ? + k, ?, path, ?, signature, files, bytes FROM stage.d WHERE k BETWEEN ? AND ?",
                (base, writer.root_id, writer.gen, k_lo, k_hi))
    cur.execute(f"INSERT OR IGNORE INTO files (dir_id, {_FILE_COLUMNS}, scan_gen, ctime_ns) "
                f"SELECT ? + dk, {_FILE_COLUMNS}, ?, ctime_ns FROM stage.f WHERE rowid BETWEEN ? AND ?",
                (base, writer.gen, f_lo, f_hi))
    return True


def _merge_chunk(conn: sqlite3.Connection, writer: IndexWriter, k_lo: int, k_hi: int, f_lo: int,
                 f_hi: int) -> int:
    """The folders k_lo..k_hi through the writer's own comparison with the stored rows; returns
    how many rows it compared. Their new, changed and unchanged rows are counted there; the
    folders, files and bytes are left to ``copy_staged``, which adds the whole piece's."""
    rows: dict[int, list[tuple]] = {}
    for k, name, size, mtime_ns, inode, dev, nlink, is_link, ctime_ns in conn.execute(
            "SELECT dk, name, size, mtime_ns, inode, dev, nlink, is_link, ctime_ns FROM stage.f "
            "WHERE rowid BETWEEN ? AND ?", (f_lo, f_hi)):
        rows.setdefault(k, []).append((name, size, mtime_ns, inode, dev, nlink, bool(is_link), ctime_ns))
    folders = conn.execute("SELECT k, path, signature, files, bytes FROM stage.d WHERE k BETWEEN ? AND ?",
                           (k_lo, k_hi)).fetchall()
    conn.commit()
    c = writer.counts
    before = c.dirs, c.files, c.links, c.bytes
    for k, key, sig, _files, _bytes in folders:
        path = from_db(key)
        found = [(join_path(path, from_db(name)), *rest) for name, *rest in rows.get(k, ())]
        writer.add_dir(path, found, sig is not None, sig)
    writer.flush()
    c.dirs, c.files, c.links, c.bytes = before
    return sum(len(found) for found in rows.values())
