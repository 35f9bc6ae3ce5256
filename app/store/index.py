"""The scanning index: write one scan's folders and files, read duplicate candidates.

Hot paths use the plain sqlite3 connection (``Database.raw()``) and
``executemany``, one transaction per batch. A rescan compares each folder's
stored rows with what the walk saw and writes only the differences; stored
hashes survive while (size, mtime_ns, inode) are unchanged. Folders not seen
by a scan of their root (vanished, now excluded or unreadable) are removed
with their files. How new rows are inserted lives in ``store.index_insert``.
"""

# SQL here is built only from fixed fragments and "?" placeholders; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import os
import pickle
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from blake3 import blake3

from app.core import leftovers
from app.store.codec import from_db, to_db
from app.store.index_insert import _INSERT_FILE, HashSource, NewRows

Classify = Callable[[str], tuple[str, str]]      # name -> (extension, category)

_UPDATE_CONTENT = ("UPDATE files SET size=?, mtime_ns=?, inode=?, dev=?, nlink=?, is_link=?, category=?, "
                   "partial_hash=NULL, full_hash=NULL, scan_gen=? WHERE id=?")
_UPDATE_META = "UPDATE files SET dev=?, nlink=?, is_link=?, scan_gen=? WHERE id=?"


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
    return blake3(listing_blob(records) if blob is None else blob).digest(length=16)


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
class IndexWriter(NewRows):
    """Writes the results of one scan of one root into the index."""

    conn: sqlite3.Connection
    root: str
    classify: Classify
    batch_size: int = 20000
    counts: ScanCounts = field(default_factory=ScanCounts)
    # False: no foreign key checks until the first commit. Every row up to then refers to the
    # root and folders this writer inserted or found in that same transaction, which holds the
    # write lock from its first statement, so no other process can delete them meanwhile
    # (~20 ms per 100,000 new rows)
    check_references: bool = True

    def __post_init__(self) -> None:
        self.modified = False       # a file row, folder or root changed (add_dir, _dir_id, finish)
        if not self.check_references and not self.conn.in_transaction:
            self.conn.execute("PRAGMA foreign_keys=OFF")
            self.conn.execute("BEGIN IMMEDIATE")        # the write lock before the root is looked up
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
        # a folder root with no folder at or below it indexed (a first scan): looking new folders
        # up by path would only miss, until a commit lets another writer in (a file root is
        # listed as its parent folder, which may be indexed)
        self._unknown_tree = (not self._dirs and os.path.isdir(self.root)
                              and not indexed_within(self.conn, [self.root]))
        self._new_dirs: list[tuple] = []    # folders of the unknown tree, for the next flush
        self._next_dir_id: int | None = None
        self._inserts: list[tuple] = []
        self._content: list[tuple] = []
        self._meta: list[tuple] = []
        self._deletes: list[tuple[int]] = []
        self._seen_dirs: list[tuple[int, int, bytes | None, int]] = []     # (root, gen, signature, id)
        self._signed_new: list[tuple[bytes | None, int]] = []    # (signature, id): folders new in this scan
        self._partial_dirs: list[tuple[int, int]] = []
        self._pending = 0
        self.errors: list[tuple[str, str]] = []
        self._listed = 0            # files listed with a blob before self._inserts[0] (their seq)
        self._in_order = True       # every file listed with a blob is a new row, in listing order

    def _dir_id(self, path: str, key: str | bytes) -> tuple[int, bool]:
        did = self._dirs.get(key)
        if did is not None:
            return did, False
        row = None if self._unknown_tree else self.conn.execute(
            "SELECT id, signature FROM dirs WHERE path=?", (key,)).fetchone()
        if row is not None:                   # indexed under another root: take it over
            self.modified = True
            did = row[0]
            self._dirs[key] = did
            self._signatures[did] = row[1]
            return did, False
        parent = self._dirs.get(to_db(os.path.dirname(path)))
        if self._unknown_tree:
            # until the first commit this transaction holds the write lock (taken in
            # __post_init__): folder ids are ours to give, and the rows go in with one
            # statement at the next flush (one INSERT each cost ~7 us)
            if self._next_dir_id is None:
                self._next_dir_id = (self.conn.execute("SELECT max(id) FROM dirs").fetchone()[0] or 0) + 1
            did = self._next_dir_id
            self._next_dir_id += 1
            self._new_dirs.append((did, self.root_id, parent, key, self.gen))
        else:
            did = self.conn.execute("INSERT INTO dirs (root_id, parent_id, path, scan_gen) VALUES (?,?,?,?)",
                                    (self.root_id, parent, key, self.gen)).lastrowid
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
            if is_new:      # inserted with this root and generation: only the signature is left
                self._signed_new.append((sig, did))
            else:
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
            names = [r[0][cut:] for r in records]
            try:                    # one check for the folder: names that are not UTF-8 are rare
                "".join(names).encode("utf-8")
                keys = names
            except UnicodeEncodeError:
                keys = [to_db(name) for name in names]
            add = self._inserts.append
            links = nbytes = 0
            for r, name, name_key in zip(records, names, keys, strict=True):
                ext, cat = classify(name)
                add((did, name_key, r[1], r[2], r[3], r[4], r[5], ext, cat, r[6], gen))
                if r[6]:
                    links += 1
                else:
                    nbytes += r[1]
            counts.links += links
            counts.files += len(records) - links
            counts.bytes += nbytes
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
        if self._new_dirs:          # before the files that refer to them
            cur.executemany("INSERT INTO dirs (id, root_id, parent_id, path, scan_gen) VALUES (?,?,?,?,?)",
                            self._new_dirs)
            self._new_dirs = []
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
        if self._signed_new:        # a quarter of the cost of the update above (no index changes)
            cur.executemany("UPDATE dirs SET signature=? WHERE id=?", self._signed_new)
        if self._partial_dirs:
            cur.executemany("UPDATE dirs SET scan_gen=? WHERE id=?", self._partial_dirs)
        if commit:
            self._commit()
        self._inserts, self._content, self._meta, self._deletes = [], [], [], []
        self._seen_dirs, self._signed_new, self._partial_dirs = [], [], []
        self._pending = 0

    def _commit(self) -> None:
        self.conn.commit()
        self._unknown_tree = False          # other writers may come in now
        if not self.check_references:       # later transactions may meet other writers' deletes
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.check_references = True

    def finish(self, errors: Iterable[tuple[str, str]] = (), hashes: HashSource | None = None) -> ScanCounts:
        """Flush (see ``flush`` for `hashes`), drop folders of this root the scan did not see,
        store the errors, all in one last transaction."""
        leftovers.let_go(self._inserts)     # the last batch: up to HOLD_ROWS rows
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
        self._commit()
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
