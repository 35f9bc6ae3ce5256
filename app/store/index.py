"""The scanning index: write one scan's folders and files, read duplicate candidates.

Hot paths use the plain sqlite3 connection (``Database.raw()``) and
``executemany``, one transaction per batch. A rescan compares each folder's
stored rows with what the walk saw and writes only the differences; stored
hashes survive while (size, mtime_ns, inode) are unchanged. Folders not seen
by a scan of their root (vanished, now excluded or unreadable) are removed
with their files.
"""

# SQL here is built only from fixed fragments and "?" placeholders; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.store.codec import from_db, to_db

Classify = Callable[[str], tuple[str, str]]      # name -> (extension, category)

_INSERT_FILE = ("INSERT INTO files (dir_id, name, size, mtime_ns, inode, dev, nlink, ext, category, "
                "is_link, scan_gen) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
_INSERT_HASHED = ("INSERT INTO files (dir_id, name, size, mtime_ns, inode, dev, nlink, ext, category, "
                  "is_link, scan_gen, partial_hash, full_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
_UPDATE_CONTENT = ("UPDATE files SET size=?, mtime_ns=?, inode=?, dev=?, nlink=?, is_link=?, category=?, "
                   "partial_hash=NULL, full_hash=NULL, scan_gen=? WHERE id=?")
_INSERT_TRIGGER = "files_insert_unsign"    # see schema: a row change outside a scan unsigns its folder
_BULK_ROWS = 2000                          # from this many new rows in a batch, insert without that trigger
_UPDATE_META = "UPDATE files SET dev=?, nlink=?, is_link=?, scan_gen=? WHERE id=?"
_REBUILT_INDEXES = ("ix_files_full_hash", "ix_files_size")     # see _drop_indexes_of_empty_files


class HashSource(Protocol):
    """Hashes of a scan's new files, computed elsewhere while the walk ran (see ``IndexWriter.flush``).

    Rows are ``(partial, full or None, category or None, path, seq)``: seq numbers the
    files in the order the scan listed them (``add_dir`` with a blob), from 0.
    """

    def walk_over(self) -> None:
        """Nothing more will be listed."""

    def known(self) -> list[tuple]:
        """The rows hashed so far (waits until the hashing has caught up with the walk)."""

    def later(self, on_rows: Callable[[list[tuple]], None]) -> None:
        """Pass the rows hashed since ``known`` to `on_rows` as they come (they supersede
        earlier ones); returns when the hashing is done."""


def _background_checkpoint(conn: sqlite3.Connection) -> threading.Thread:
    """A thread running a passive WAL checkpoint of `conn`'s database on a connection of its own
    (join it before anything forks)."""
    path = conn.execute("PRAGMA database_list").fetchone()[2]

    def run() -> None:
        try:
            other = sqlite3.connect(path, timeout=0)
            try:
                other.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                other.close()
        except sqlite3.Error:
            pass                # only an optimization: the next commit or close checkpoints anyway

    thread = threading.Thread(target=run if path else lambda: None, name="wal-checkpoint", daemon=True)
    thread.start()
    return thread


@dataclass
class ScanCounts:
    """What one scan changed in the index."""

    files: int = 0          # regular files seen
    links: int = 0          # symbolic links seen
    dirs: int = 0
    bytes: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0


def listing_blob(records: Sequence[Any]) -> bytes:
    """A folder's records pickled as plain tuples (what its signature digests; also sent to helpers)."""
    if records and records[0].__class__ is not tuple:        # FileRecords (a walk without plain=True)
        records = [tuple(r) for r in records]
    return pickle.dumps(records, 5)


def listing_signature(records: Sequence[Any], blob: bytes | None = None) -> bytes:
    """A digest of a folder's listing (every field of every record, in walk order)."""
    return hashlib.blake2b(listing_blob(records) if blob is None else blob, digest_size=16).digest()


def _prefix_len(dir_path: str) -> int:
    return len(dir_path) if dir_path.endswith(os.sep) else len(dir_path) + 1


def join_path(dir_path: str, name: str) -> str:
    """dir + separator + name, without doubling the separator of a filesystem root."""
    return dir_path + name if dir_path.endswith(os.sep) else dir_path + os.sep + name


def _is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root if root.endswith(os.sep) else root + os.sep)


def indexed_within(conn: sqlite3.Connection, roots: Iterable[str]) -> bool:
    """True when a folder equal to or inside one of `roots` is in the index (or any stored as bytes)."""
    if conn.execute("SELECT 1 FROM dirs WHERE path >= x'' LIMIT 1").fetchone():   # BLOBs sort last
        return True
    sep = os.sep
    for root in roots:
        root = os.path.abspath(root)
        lo = root if root.endswith(sep) else root + sep
        hi = lo[:-1] + chr(ord(sep) + 1)
        if isinstance(to_db(root), bytes) or conn.execute(
                "SELECT 1 FROM dirs WHERE path=? OR (path>=? AND path<?) LIMIT 1", (root, lo, hi)).fetchone():
            return True
    return False


def root_ids_within(conn: sqlite3.Connection, roots: Iterable[str]) -> list[int]:
    """Ids of indexed roots equal to or inside any of `roots` (absolute paths)."""
    wanted = [os.path.abspath(r) for r in roots]
    ids = []
    for rid, value in conn.execute("SELECT id, path FROM roots"):
        path = from_db(value)
        if any(_is_within(path, r) for r in wanted):
            ids.append(rid)
    return ids


@dataclass
class IndexWriter:
    """Writes the results of one scan of one root into the index."""

    conn: sqlite3.Connection
    root: str
    classify: Classify
    batch_size: int = 20000
    counts: ScanCounts = field(default_factory=ScanCounts)

    def __post_init__(self) -> None:
        self.modified = False       # a file row, folder or root changed (add_dir, _dir_id, finish)
        cur = self.conn.cursor()
        key = to_db(self.root)
        row = cur.execute("SELECT id, scan_gen FROM roots WHERE path=?", (key,)).fetchone()
        if row is None:
            cur.execute("INSERT INTO roots (path, added_at, scan_gen) VALUES (?,?,0)", (key, time.time()))
            self.root_id, last_gen = cur.lastrowid, 0
            self.modified = True
        else:
            self.root_id, last_gen = row
        # generations are global, so a folder moving between nested roots stays comparable
        top = cur.execute("SELECT max(scan_gen) FROM roots").fetchone()[0] or 0
        self.gen = max(top, last_gen) + 1
        cur.execute("UPDATE roots SET scan_gen=? WHERE id=?", (self.gen, self.root_id))
        self.owned = root_ids_within(self.conn, [self.root])
        self._dirs: dict[str | bytes, int] = {}
        self._signatures: dict[int, bytes | None] = {}
        marks = ",".join("?" * len(self.owned))
        for did, dpath, sig in cur.execute(
                f"SELECT id, path, signature FROM dirs WHERE root_id IN ({marks})", self.owned):
            self._dirs[dpath] = did
            self._signatures[did] = sig
        self._inserts: list[tuple] = []
        self._content: list[tuple] = []
        self._meta: list[tuple] = []
        self._deletes: list[tuple[int]] = []
        self._seen_dirs: list[tuple[int, int, bytes | None, int]] = []
        self._partial_dirs: list[tuple[int, int]] = []
        self._pending = 0
        self.errors: list[tuple[str, str]] = []
        self._listed = 0            # files listed with a blob before self._inserts[0] (their seq)
        self._in_order = True       # every file listed with a blob is a new row, in listing order

    def _dir_id(self, path: str, key: str | bytes) -> tuple[int, bool]:
        did = self._dirs.get(key)
        if did is not None:
            return did, False
        row = self.conn.execute("SELECT id, signature FROM dirs WHERE path=?", (key,)).fetchone()
        if row is not None:                   # indexed under another root: take it over
            self.modified = True
            did = row[0]
            self._dirs[key] = did
            self._signatures[did] = row[1]
            return did, False
        parent = self._dirs.get(to_db(os.path.dirname(path)))
        cur = self.conn.execute("INSERT INTO dirs (root_id, parent_id, path, scan_gen) VALUES (?,?,?,?)",
                                (self.root_id, parent, key, self.gen))
        did = cur.lastrowid
        self._dirs[key] = did
        return did, True

    def add_dir(self, path: str, records: Sequence[Any], complete: bool = True,
                blob: bytes | None = None) -> None:
        """Record one folder as the walk saw it (records: FileRecord-like tuples).

        With complete=False (the listing broke off) files missing from `records`
        are kept rather than treated as vanished. `blob`: ``listing_blob(records)``
        when the caller has it already.
        """
        key = to_db(path)
        did, is_new = self._dir_id(path, key)
        if blob is not None and not is_new:
            self._in_order = False
        if complete:
            sig = listing_signature(records, blob)
            if not is_new and sig == self._signatures.get(did):
                # same listing as last time: every row is already right
                links = sum(1 for r in records if r[6])
                self._known(did, sig, len(records) - links, links, sum(r[1] for r in records if not r[6]))
                return
            self._seen_dirs.append((self.root_id, self.gen, sig, did))
        else:           # a partial look (a file root): mark it seen, do not take it over
            self._partial_dirs.append((self.gen, did))
        self.modified = True
        counts = self.counts
        counts.dirs += 1
        cut = _prefix_len(path)
        gen = self.gen
        classify = self.classify
        if is_new:
            inserts = self._inserts
            for r in records:
                name = r[0][cut:]
                ext, cat = classify(name)
                inserts.append((did, to_db(name), r[1], r[2], r[3], r[4], r[5], ext, cat, r[6], gen))
                if r[6]:
                    counts.links += 1
                else:
                    counts.files += 1
                    counts.bytes += r[1]
            counts.new += len(records)
            self._pending += len(records)
        else:
            self._merge(did, records, cut, complete)
        if self._pending >= self.batch_size:
            self.flush()

    def stored_dir_paths(self) -> Iterable[str | bytes]:
        """Paths of the folders this root had in the index when the scan started (as stored)."""
        return self._dirs.keys()

    def signature_of(self, path: str) -> bytes | None:
        """The stored listing signature of a folder of this root (None: unknown or unsigned)."""
        did = self._dirs.get(to_db(path))
        return None if did is None else self._signatures.get(did)

    def add_known(self, path: str, sig: bytes, files: int, links: int, nbytes: int) -> bool:
        """Record a folder whose listing (another process walked it) has the stored signature `sig`.

        Returns False, recording nothing, when the stored signature is not `sig`: the caller
        then passes the records to ``add_dir``.
        """
        did = self._dirs.get(to_db(path))
        if did is None or self._signatures.get(did) != sig:
            return False
        self._known(did, sig, files, links, nbytes)
        return True

    def _known(self, did: int, sig: bytes, files: int, links: int, nbytes: int) -> None:
        self._seen_dirs.append((self.root_id, self.gen, sig, did))
        counts = self.counts
        counts.dirs += 1
        counts.files += files
        counts.links += links
        counts.bytes += nbytes
        counts.unchanged += files + links
        self._pending += 1
        if self._pending >= self.batch_size:
            self.flush()

    def _merge(self, did: int, records: Sequence[Any], cut: int, complete: bool) -> None:
        stored = {name: rest for name, *rest in self.conn.execute(
            "SELECT name, id, size, mtime_ns, inode, dev, nlink, is_link FROM files WHERE dir_id=?", (did,))}
        counts, gen, classify = self.counts, self.gen, self.classify
        for r in records:
            name = to_db(r[0][cut:])
            old = stored.pop(name, None)
            if r[6]:
                counts.links += 1
            else:
                counts.files += 1
                counts.bytes += r[1]
            if old is None:
                ext, cat = classify(r[0][cut:])
                self._inserts.append((did, name, r[1], r[2], r[3], r[4], r[5], ext, cat, r[6], gen))
                counts.new += 1
            elif old[1] != r[1] or old[2] != r[2] or old[3] != r[3] or bool(old[6]) != r[6]:
                cat = classify(r[0][cut:])[1]
                self._content.append((r[1], r[2], r[3], r[4], r[5], r[6], cat, gen, old[0]))
                counts.changed += 1
            elif old[4] != r[4] or old[5] != r[5]:
                self._meta.append((r[4], r[5], r[6], gen, old[0]))
                counts.unchanged += 1
            else:
                counts.unchanged += 1
        if complete and stored:
            self._deletes.extend((v[0],) for v in stored.values())
            counts.removed += len(stored)
        self._pending += len(records) + 1

    def flush(self, hashes: HashSource | None = None, commit: bool = True) -> None:
        """Write the buffered rows and commit (one transaction per batch; with commit=False the
        caller commits).

        With `hashes`, new files whose size another new file shares are inserted last,
        with the hashes known by then, while the rest are still being hashed; the others
        are inserted first. Hashes found later are written once they all are.
        """
        cur = self.conn.cursor()
        if self._deletes:
            cur.executemany("DELETE FROM files WHERE id=?", self._deletes)
        if self._content:
            cur.executemany(_UPDATE_CONTENT, self._content)
        if self._meta:
            cur.executemany(_UPDATE_META, self._meta)
        if hashes is not None and self._inserts:
            self._insert_with_hashes(cur, hashes)
        else:
            self._insert(cur, self._inserts, _INSERT_FILE)
        self._listed += len(self._inserts)
        if self._seen_dirs:
            cur.executemany("UPDATE dirs SET root_id=?, scan_gen=?, signature=? WHERE id=?",
                            self._seen_dirs)
        if self._partial_dirs:
            cur.executemany("UPDATE dirs SET scan_gen=? WHERE id=?", self._partial_dirs)
        if commit:
            self.conn.commit()
        self._inserts, self._content, self._meta, self._deletes = [], [], [], []
        self._seen_dirs, self._partial_dirs = [], []
        self._pending = 0

    def _insert_with_hashes(self, cur: sqlite3.Cursor, source: HashSource) -> None:
        source.walk_over()
        inserts = self._inserts
        counts = Counter([r[2] for r in inserts if not r[9]])
        once = {size for size, n in counts.items() if n == 1}
        once.add(0)
        # files of a size no other file has (or empty, or links) are never hashed: written first
        shared = [i for i, r in enumerate(inserts) if not r[9] and r[2] not in once]
        taken = set(shared)
        rebuild = self._drop_indexes_of_empty_files(cur)
        self._insert(cur, [r for i, r in enumerate(inserts) if i not in taken], _INSERT_FILE)
        unhashed = dict.fromkeys(shared)            # index in _inserts -> None (an ordered set)
        by_path: list[tuple] = []
        self._write_hashed(cur, source.known(), unhashed, by_path)
        for sql in rebuild:
            cur.execute(sql)
        self.conn.commit()                          # the bulk of the writing, while the helper finishes
        # copying it into the database file (~0.05 s per 100,000 files, else in the last commit)
        # overlaps the wait for the last hashes: SQLite runs without the GIL
        checkpoint = _background_checkpoint(self.conn)
        try:
            source.later(lambda rows: self._write_hashed(cur, rows, unhashed, by_path))
        finally:
            checkpoint.join()
        self._insert(cur, [(*inserts[i], None, None) for i in unhashed], _INSERT_HASHED)
        updates = []
        for partial, full, cat, path, *_ in by_path:     # files an earlier batch wrote
            d, _, name = path.rpartition(os.sep)
            did = self._dirs.get(to_db(d or os.sep))
            if did is not None:
                updates.append((partial, full, cat, did, to_db(name)))
        self._update_hashes(cur, updates)

    def _drop_indexes_of_empty_files(self, cur: sqlite3.Cursor) -> list[str]:
        """In a database with no file row yet, drop the indexes that cost most per inserted row
        (random positions: ~2 us a row for the hash index) and return their DDL: building them
        afterwards, from sorted keys, is several times cheaper. Called inside the transaction
        that rebuilds them, so no commit ever sees the table without them."""
        if cur.execute("SELECT 1 FROM files LIMIT 1").fetchone() is not None:
            return []
        marks = ",".join("?" * len(_REBUILT_INDEXES))
        ddl = [sql for (sql,) in cur.execute(
            f"SELECT sql FROM sqlite_master WHERE type='index' AND name IN ({marks})", _REBUILT_INDEXES)]
        if not self.conn.in_transaction:
            cur.execute("BEGIN IMMEDIATE")          # DDL outside a transaction would commit on its own
        for name in _REBUILT_INDEXES:
            cur.execute(f"DROP INDEX IF EXISTS {name}")
        return ddl

    def _write_hashed(self, cur: sqlite3.Cursor, rows: list[tuple], unhashed: dict[int, None],
                      by_path: list[tuple]) -> None:
        """Write the hashes of held new files: those in `unhashed` inserted with them, the others
        (inserted already) updated; rows of files an earlier batch wrote go to `by_path`."""
        by_row: dict[int, tuple] = {}
        self._place(rows, by_row, by_path)
        inserts, new, updates = self._inserts, [], []
        for i in sorted(by_row):                    # in listing order: the (dir_id, name) index in order
            h = by_row[i]
            r = inserts[i]
            if i in unhashed:
                del unhashed[i]
                new.append((*r[:8], h[2] or r[8], r[9], r[10], h[0], h[1]))
            else:
                updates.append((h[0], h[1], h[2], r[0], r[1]))
        self._insert(cur, new, _INSERT_HASHED)
        self._update_hashes(cur, updates)

    @staticmethod
    def _update_hashes(cur: sqlite3.Cursor, updates: list[tuple]) -> None:
        """Save (partial, full or None to keep, category or None to keep, dir_id, name) rows."""
        if updates:
            updates.sort(key=lambda u: u[3])         # folder by folder: the (dir_id, name) index in order
            cur.executemany("UPDATE files SET partial_hash=?, full_hash=coalesce(?, full_hash), "
                            "category=coalesce(?, category) WHERE dir_id=? AND name=?", updates)

    def _place(self, rows: list[tuple], by_row: dict[int, tuple], by_path: list[tuple]) -> None:
        """Sort hash rows into those of held new files (by their index in ``_inserts``; a later
        row of a file supersedes, keeping the category when it brings none) and the others."""
        base, held = self._listed, len(self._inserts)
        for row in rows:
            i = row[4] - base
            if not self._in_order or not 0 <= i < held:
                by_path.append(row)
                continue
            if row[2] is None and i in by_row:       # a full-hash row after the partial one
                row = (row[0], row[1], by_row[i][2])
            by_row[i] = row

    def _insert(self, cur: sqlite3.Cursor, rows: list[tuple], sql: str) -> None:
        """Insert new file rows; many without the per-row unsign trigger (dropped and recreated in
        this transaction): it would null the signature of each row's folder, but a folder listed
        in full gets its new signature in this same flush; only the others are unsigned here.
        """
        if len(rows) < _BULK_ROWS:
            if rows:
                cur.executemany(sql, rows)
            return
        row = cur.execute("SELECT sql FROM sqlite_master WHERE type='trigger' AND name=?",
                          (_INSERT_TRIGGER,)).fetchone()
        if row is None:
            self._insert_many(cur, rows, sql)
            return
        if not self.conn.in_transaction:
            cur.execute("BEGIN IMMEDIATE")      # DDL outside a transaction would commit on its own
        cur.execute(f"DROP TRIGGER {_INSERT_TRIGGER}")
        self._insert_many(cur, rows, sql)
        signed = {d[3] for d in self._seen_dirs}
        cur.executemany("UPDATE dirs SET signature=NULL WHERE id=? AND signature IS NOT NULL",
                        [(did,) for did in {r[0] for r in rows} - signed])
        cur.execute(row[0])

    def _insert_many(self, cur: sqlite3.Cursor, rows: list[tuple], sql: str) -> None:
        """executemany of new file rows: the usual ones (device of the first row, one link, not a
        symlink) with those values and the generation written into the statement. Binding costs
        about 0.1 us a value, a quarter of writing such a row (measured)."""
        dev, gen = int(rows[0][5]), int(self.gen)
        if not -2**63 <= dev < 2**63:           # as a literal it would turn into a REAL
            cur.executemany(sql, rows)
            return
        if sql is _INSERT_HASHED:
            usual = [(r[0], r[1], r[2], r[3], r[4], r[7], r[8], r[11], r[12]) for r in rows
                     if r[5] == dev and r[6] == 1 and not r[9]]
            columns, marks = ", partial_hash, full_hash", ",?,?"
        else:
            usual = [(r[0], r[1], r[2], r[3], r[4], r[7], r[8]) for r in rows
                     if r[5] == dev and r[6] == 1 and not r[9]]
            columns, marks = "", ""
        cur.executemany(f"INSERT INTO files (dir_id, name, size, mtime_ns, inode, ext, category, dev, nlink, "
                        f"is_link, scan_gen{columns}) VALUES (?,?,?,?,?,?,?,{dev},1,0,{gen}{marks})", usual)
        if len(usual) < len(rows):
            cur.executemany(sql, [r for r in rows if not (r[5] == dev and r[6] == 1 and not r[9])])

    def finish(self, errors: Iterable[tuple[str, str]] = (), hashes: HashSource | None = None) -> ScanCounts:
        """Flush (see ``flush`` for `hashes`), drop folders of this root the scan did not see,
        store the errors, all in one last transaction."""
        self.flush(hashes, commit=False)
        cur = self.conn.cursor()
        marks = ",".join("?" * len(self.owned))
        stale = f"SELECT id FROM dirs WHERE root_id IN ({marks}) AND scan_gen < ?"
        args = (*self.owned, self.gen)
        removed = cur.execute(f"SELECT count(*) FROM files WHERE dir_id IN ({stale})", args).fetchone()[0]
        self.counts.removed += removed
        cur.execute(f"DELETE FROM files WHERE dir_id IN ({stale})", args)
        if cur.execute(f"DELETE FROM dirs WHERE id IN ({stale})", args).rowcount or removed:
            self.modified = True
        now = time.time()
        cur.execute("DELETE FROM scan_errors WHERE root_id=?", (self.root_id,))
        cur.executemany("INSERT INTO scan_errors (root_id, path, reason, at) VALUES (?,?,?,?)",
                        [(self.root_id, to_db(p), reason, now) for p, reason in errors])
        cur.execute("UPDATE roots SET last_scan_at=? WHERE id=?", (now, self.root_id))
        self.conn.commit()
        return self.counts


# the reading side, re-exported: callers use ``index.<name>`` for both
from app.store.index_query import (  # noqa: E402
    candidate_totals,
    count_files,
    dir_paths,
    hash_writer_by_path,
    iter_size_groups,
    store_hashes,
    stored_duplicates,
)

__all__ = ["HashSource", "IndexWriter", "ScanCounts", "candidate_totals", "count_files", "dir_paths",
           "hash_writer_by_path", "indexed_within", "iter_size_groups", "join_path", "listing_blob",
           "listing_signature", "root_ids_within", "store_hashes", "stored_duplicates"]
