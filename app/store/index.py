"""The scanning index: write one scan's folders and files in short transactions.

A scan hands ``IndexWriter`` each folder's listing as the walk finds it. The writer
compares the listing with what the index holds (reads only, no lock), buffers the
differences, and writes a batch of them in one short transaction (``BEGIN IMMEDIATE``
... ``COMMIT``): no write transaction stays open while the walk reads the disk, so
the window can always write within a few tens of milliseconds, and a cancelled scan
keeps every batch it committed.

A folder whose listing digest (``listing_signature``) equals the stored one has
unchanged rows and costs no write. A file's stored hashes survive while its size,
mtime_ns, ctime_ns, inode and device are unchanged (``ctime_ns`` catches content rewritten in
place with its old mtime put back, as copy and sync tools do). Folders of the root the
scan did not see (vanished, now excluded or unreadable) are removed at ``finish``.
"""

# SQL here is built only from fixed fragments and "?" placeholders; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from app.core.scan.walk import FileRecord, listing_signature
from app.store.codec import from_db, to_db
from app.store.index_query import YIELD_SECONDS, is_within, resolved

Classify = Callable[[str], tuple[str, str]]      # name -> (extension, category)

# INSERT OR IGNORE: a file listed twice in one scan (overlapping file roots) is one row
INSERT_FILE = ("INSERT OR IGNORE INTO files (dir_id, name, size, mtime_ns, inode, dev, nlink, ext, "
               "category, is_link, scan_gen, ctime_ns) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
UPDATE_CONTENT = ("UPDATE files SET size=?, mtime_ns=?, inode=?, dev=?, nlink=?, is_link=?, category=?, "
                  "ctime_ns=?, partial_hash=NULL, full_hash=NULL, scan_gen=? WHERE id=?")
UPDATE_META = "UPDATE files SET dev=?, nlink=?, scan_gen=? WHERE id=?"
# a file's stored state, as a scan (and store.index_refresh) compares it with the disk
STORED_STATE = "id, size, mtime_ns, inode, dev, nlink, is_link, ctime_ns"
BATCH_ROWS = 2500       # file rows per write transaction: ~25 ms of writing (up to ~80 ms on a busy machine)


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

    def add(self, other: ScanCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def join_path(dir_path: str, name: str) -> str:
    """dir + separator + name, without doubling the separator of a filesystem root."""
    return dir_path + name if dir_path.endswith(os.sep) else dir_path + os.sep + name


def indexed_within(conn: sqlite3.Connection, roots: Iterable[str]) -> bool:
    """True when a folder equal to or inside one of `roots` is in the index."""
    wanted = [os.path.abspath(r) for r in roots]
    paths = (from_db(p) for (p,) in conn.execute("SELECT path FROM dirs"))
    return any(is_within(p, r) for p in paths for r in wanted)


def root_ids_within(conn: sqlite3.Connection, roots: Iterable[str]) -> list[int]:
    """Ids of indexed roots equal to or inside any of `roots` (absolute paths)."""
    wanted = [os.path.abspath(r) for r in roots]
    return [rid for rid, value in conn.execute("SELECT id, path FROM roots")
            if any(is_within(from_db(value), r) for r in wanted)]


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Cursor]:
    """One short write transaction: the write lock from its first statement, commit at the end."""
    if conn.in_transaction:
        conn.commit()
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn.cursor()
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


@dataclass
class IndexWriter:
    """Writes the results of one scan of one root into the index, a batch at a time."""

    conn: sqlite3.Connection
    root: str
    classify: Classify
    batch_rows: int = BATCH_ROWS
    counts: ScanCounts = field(default_factory=ScanCounts)

    def __post_init__(self) -> None:
        self.modified = False       # a file row, folder or root changed
        self.write_seconds = 0.0    # spent in write transactions
        self.committed_at = 0.0     # time.monotonic() at the end of the last one
        key = to_db(self.root)
        with write_transaction(self.conn) as cur:
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
        for did, dpath, sig in self.conn.execute(
                f"SELECT id, path, signature FROM dirs WHERE root_id IN ({marks})", self.owned):
            self._dirs[dpath] = did
            self._signatures[did] = sig
        # nothing at or below the root is indexed: every row of this scan is new (store.index_stage)
        self.fresh = not self._dirs and not indexed_within(self.conn, [self.root])
        self._reset()

    def _reset(self) -> None:
        # new folders: (path key, signature or None, rows without their dir_id, (files, bytes))
        self._new_dirs: list[tuple[str | bytes, bytes | None, list[tuple], tuple[int, int]]] = []
        self._inserts: list[tuple] = []         # rows of new files in known folders
        self._content: list[tuple] = []
        self._meta: list[tuple] = []
        self._deletes: list[tuple[int]] = []
        # (root, gen, signature, files, bytes, id): folders seen whole, their totals written with them
        self._seen_dirs: list[tuple[int, int, bytes | None, int, int, int]] = []
        self._partial_dirs: list[tuple[int, int]] = []
        self._pending = 0

    def _known_dir(self, key: str | bytes) -> int | None:
        """The id of an indexed folder: of this root, or of another one (then taken over)."""
        did = self._dirs.get(key)
        if did is not None:
            return did
        row = self.conn.execute("SELECT id, signature FROM dirs WHERE path=?", (key,)).fetchone()
        if row is None:
            return None
        self.modified = True
        self._dirs[key] = row[0]
        self._signatures[row[0]] = row[1]
        return row[0]

    def known_signatures(self) -> dict[str, bytes]:
        """Path -> stored listing digest of this root's folders (for walkers in other processes)."""
        return {from_db(key): self._signatures[did] for key, did in self._dirs.items()
                if self._signatures.get(did) is not None}

    def add_known(self, path: str, sig: bytes, files: int, links: int, nbytes: int) -> None:
        """Record a folder another process walked whose listing digest is the stored `sig`."""
        did = self._dirs[to_db(path)]
        self._unchanged(did, sig, files, links, nbytes)

    def add_dir(self, path: str, records: Sequence[FileRecord], complete: bool = True,
                sig: bytes | None = None) -> None:
        """Record one folder as the walk saw it (records: ``core.scan.walk.FileRecord``s, or plain
        tuples of their fields as the workers send them).

        With complete=False (a file root, or the listing broke off) files missing from
        `records` are kept rather than treated as vanished. `sig`: the listing's digest,
        when the caller has it already.
        """
        key = to_db(path)
        did = self._known_dir(key)
        if complete and sig is None:
            sig = listing_signature(records)
        elif not complete:
            sig = None
        if did is not None and sig is not None and sig == self._signatures.get(did):
            nfiles, nbytes = _totals(records)
            self._unchanged(did, sig, nfiles, len(records) - nfiles, nbytes)
            return
        self.modified = True
        counts = self.counts
        counts.dirs += 1
        cut = len(path) if path.endswith(os.sep) else len(path) + 1
        if did is None:
            rows = [self._new_row(r, r[0][cut:]) for r in records]       # r[0]: the path
            self._new_dirs.append((key, sig, rows, _totals(records)))
            self._pending += len(rows) + 1
        else:
            if complete:
                nfiles, nbytes = _totals(records)
                self._seen_dirs.append((self.root_id, self.gen, sig, nfiles, nbytes, did))
            else:       # a partial look changes rows the stored listing digest does not cover
                self._partial_dirs.append((self.gen, did))
            self._merge(did, records, cut, complete)
        if self._pending >= self.batch_rows:
            self.flush()

    def _new_row(self, r: FileRecord, name: str) -> tuple:
        """A new file's row without its dir_id (counted as new)."""
        _path, size, mtime_ns, inode, dev, nlink, is_link, ctime_ns = r
        counts = self.counts
        if is_link:
            counts.links += 1
        else:
            counts.files += 1
            counts.bytes += size
        counts.new += 1
        ext, cat = self.classify(name)
        return (to_db(name), size, mtime_ns, inode, dev, nlink, ext, cat, is_link, self.gen, ctime_ns)

    def _unchanged(self, did: int, sig: bytes, files: int, links: int, nbytes: int) -> None:
        self._seen_dirs.append((self.root_id, self.gen, sig, files, nbytes, did))
        counts = self.counts
        counts.dirs += 1
        counts.files += files
        counts.links += links
        counts.bytes += nbytes
        counts.unchanged += files + links
        self._pending += 1
        if self._pending >= self.batch_rows:
            self.flush()

    def _merge(self, did: int, records: Sequence[FileRecord], cut: int, complete: bool) -> None:
        stored = {name: rest for name, *rest in self.conn.execute(
            f"SELECT name, {STORED_STATE} FROM files WHERE dir_id=?", (did,))}
        counts, gen = self.counts, self.gen
        for r in records:
            path, size, mtime_ns, inode, dev, nlink, is_link, ctime_ns = r
            name = path[cut:]
            old = stored.pop(to_db(name), None)
            if old is None:
                self._inserts.append((did, *self._new_row(r, name)))
                continue
            if is_link:
                counts.links += 1
            else:
                counts.files += 1
                counts.bytes += size
            fid, old_nlink = old[0], old[5]
            if not hashes_hold(old, size, mtime_ns, inode, dev, is_link, ctime_ns):
                cat = self.classify(name)[1]
                self._content.append((size, mtime_ns, inode, dev, nlink, is_link, cat, ctime_ns, gen, fid))
                counts.changed += 1
            else:
                if old_nlink != nlink:
                    self._meta.append((dev, nlink, gen, fid))
                counts.unchanged += 1
        if complete and stored:
            self._deletes.extend((v[0],) for v in stored.values())
            counts.removed += len(stored)
        self._pending += len(records) + 1

    def flush(self) -> None:
        """Write the buffered changes in one transaction and commit."""
        with self.transaction() as cur:
            self._write(cur)
        self._reset()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        """One of this scan's write transactions, timed into ``write_seconds``. It starts at
        least YIELD_SECONDS after the scan's last one ended: a window saving a setting asks for
        the lock every 2 ms (``store.db.begin_promptly``) and would miss the moment between two
        transactions that follow each other at once."""
        wait = self.committed_at + YIELD_SECONDS - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        started = time.monotonic()
        with write_transaction(self.conn) as cur:
            yield cur
        self.committed_at = time.monotonic()
        self.write_seconds += self.committed_at - started

    def _write(self, cur: sqlite3.Cursor) -> None:
        inserts = self._inserts
        signed: list[tuple[bytes | None, int, int, int]] = []       # (signature, files, bytes, id)
        for key, sig, rows, totals in self._new_dirs:
            did = self._known_dir(key)          # a folder listed twice (overlapping file roots)
            if did is None:
                did = cur.execute("INSERT INTO dirs (root_id, path, scan_gen) VALUES (?,?,?)",
                                  (self.root_id, key, self.gen)).lastrowid
                self._dirs[key] = did
                self._signatures[did] = None
            inserts.extend((did, *row) for row in rows)
            if sig is not None:
                signed.append((sig, *totals, did))
            else:
                self._partial_dirs.append((self.gen, did))
        if self._deletes:
            cur.executemany("DELETE FROM files WHERE id=?", self._deletes)
        if self._content:
            cur.executemany(UPDATE_CONTENT, self._content)
        if self._meta:
            cur.executemany(UPDATE_META, self._meta)
        if inserts:
            cur.executemany(INSERT_FILE, inserts)
        # signatures and totals last: the files triggers clear them for folders whose rows changed above
        if self._seen_dirs:
            cur.executemany("UPDATE dirs SET root_id=?, scan_gen=?, signature=?, files=?, bytes=? WHERE id=?",
                            self._seen_dirs)
        if signed:
            cur.executemany("UPDATE dirs SET signature=?, files=?, bytes=? WHERE id=?", signed)
        if self._partial_dirs:
            cur.executemany("UPDATE dirs SET scan_gen=?, signature=NULL, files=NULL, bytes=NULL WHERE id=?",
                            self._partial_dirs)

    def finish(self, errors: Iterable[tuple[str, str]] = ()) -> ScanCounts:
        """Write what is left, drop folders of this root the scan did not see, store the errors."""
        with self.transaction() as cur:
            self._write(cur)
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
        self._reset()
        return self.counts


def hashes_hold(stored: Sequence, size: int, mtime_ns: int, inode: int, dev: int, is_link: bool,
                ctime_ns: int) -> bool:
    """Whether a stored row (STORED_STATE) still describes the file, so its hashes stay: its
    size, mtime_ns, inode, device, ctime_ns and link flag are all the same (the file's identity
    is its device and inode: another device may reuse an inode number)."""
    _id, old_size, old_mtime, old_inode, old_dev, _nlink, old_link, old_ctime = stored
    return (old_size == size and old_mtime == mtime_ns and old_inode == inode and old_dev == dev
            and old_ctime == ctime_ns and bool(old_link) == is_link)


def _totals(records: Sequence[FileRecord]) -> tuple[int, int]:
    """(regular files, their bytes) of a folder's listing: FileRecords, or plain tuples of their
    fields as the workers send them."""
    sizes = [size for _p, size, _m, _i, _d, _n, is_link, _c in records if not is_link]
    return len(sizes), sum(sizes)


# the reading side, re-exported: callers use ``index.<name>`` for both
from app.store.index_query import (  # noqa: E402
    Candidate,
    Scope,
    candidate_groups,
    count_files,
    dir_paths,
    duplicate_rows,
    store_hashes,
    store_hashes_by_path,
)

__all__ = ["INSERT_FILE", "STORED_STATE", "UPDATE_CONTENT", "UPDATE_META", "Candidate", "IndexWriter",
           "ScanCounts", "Scope", "candidate_groups", "count_files", "dir_paths", "hashes_hold",
           "duplicate_rows", "indexed_within", "is_within", "resolved", "join_path", "listing_signature",
           "root_ids_within", "store_hashes", "store_hashes_by_path", "write_transaction"]
