"""Duplicate-finding job: scan, hash what the index does not know yet, group from the index.

The data flow, the same on every OS:

1. **walk -> index** (``jobs.scan``): folders are listed and written in short transactions.
   On a tree nobody indexed yet every needed hash is new, so the walk's records also go to
   ``jobs.early_hashing``, which hands hashing work to the worker processes (``jobs.workers``)
   as soon as a file has a partner: the hashing overlaps the walk.
2. **size groups -> partial hash -> full hash** (``_hash_pending``): the hashes found early
   are stored first; then SQLite lists the files in scope that share a size and still need
   a hash (normally none after a first look; on a rescan, the new and changed files), the
   pool computes them one size-group chunk at a time, and they are stored in short
   transactions. An unchanged tree has nothing pending: a rerun reads no file.
3. **groups** (``_groups``): files whose stored full hash another inode in scope shares,
   split byte by byte with ``paranoid``.
"""

from __future__ import annotations

import concurrent.futures as cf
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from app.core.dedup import hashing
from app.core.dedup.groups import DuplicateGroup, groups_from_hashed, sort_groups, split_by_bytes
from app.core.progress import Progress
from app.core.scan.categories import refine
from app.jobs.early_hashing import STORE_ROWS, EarlyHashing, store_early
from app.jobs.scan import ScanResult, normalize_roots, scan
from app.jobs.workers import WorkerPool, batches
from app.store import index
from app.store.db import Database

CHUNK_FILES = 20_000        # candidate files held in memory at once while hashing

ErrorHandler = Callable[[str, str], None]


@dataclass
class DuplicateResult:
    """Duplicate groups (largest reclaimable first) and what it took to find them."""

    groups: list[DuplicateGroup]
    scan: ScanResult
    files_scanned: int = 0
    hashed_files: int = 0       # files whose hashes were computed by this run
    errors: list[tuple[str, str]] = field(default_factory=list)
    elapsed: float = 0.0
    # seconds per stage: "walk" (walk and index writes, hashing overlapping it; "insert" is the
    # part of it spent writing the index), "hash" (hashes still due after the walk, stored),
    # "group" (groups from the stored hashes)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def duplicate_files(self) -> int:
        return sum(g.duplicate_files for g in self.groups)

    @property
    def reclaimable_bytes(self) -> int:
        return sum(g.reclaimable for g in self.groups)

    def summary(self) -> dict:
        """The summary block of the JSON output."""
        return {"files_scanned": self.files_scanned, "groups": len(self.groups),
                "duplicate_files": self.duplicate_files, "reclaimable_bytes": self.reclaimable_bytes,
                "errors": len(self.errors)}


def find_duplicates(db: Database, roots: Sequence[str], *, progress: Progress, min_size: int = 1,
                    max_size: int | None = None, exclude: Sequence[str] = (),
                    include_hidden: bool = True, paranoid: bool = False,
                    pool: WorkerPool | None = None) -> DuplicateResult:
    """Scan `roots` (folders or files, nested or not, through symlinks or not), then group
    the files with identical bytes among them.

    Empty files are never duplicates; symlinks are never members; hard links of one inode
    count as one file. New hashes are stored in the index for the next run. `pool`: the
    hashing processes to use (the desktop app keeps one); by default one for this call.
    """
    started = time.monotonic()
    own_pool = pool is None
    pool = pool or WorkerPool()
    reader = cf.ThreadPoolExecutor(1, thread_name_prefix="stored-groups")
    stored: cf.Future | None = None
    try:
        if _first_look(db, roots):
            early = EarlyHashing(pool, min_size, max_size, progress)
        else:
            # the groups as the index holds them, read while the workers walk: what a rescan
            # that changes nothing ends with (most reruns), so it need not wait for them after
            early, stored = None, reader.submit(_groups, db, normalize_roots(roots), Progress(), _ignore,
                                                min_size=min_size, max_size=max_size, paranoid=False)
        scanned = scan(db, roots, progress=progress, exclude=exclude, include_hidden=include_hidden,
                       listings=early, pool=pool)
        result = DuplicateResult([], scanned, scanned.counts.files, errors=list(scanned.errors))
        walked = time.monotonic()
        result.timings["walk"] = walked - started
        result.timings["insert"] = scanned.write_seconds

        def on_error(path: str, reason: str) -> None:
            result.errors.append((path, reason))
            progress.error(path, reason)

        present = [r for r in scanned.roots if r not in scanned.missing_roots]
        if early is not None:
            result.hashed_files = store_early(db, early.finish())
        if present:
            result.hashed_files += _hash_pending(db, present, pool, progress, on_error,
                                                 min_size=min_size, max_size=max_size)
        hashed = time.monotonic()
        result.timings["hash"] = hashed - walked
        unchanged = stored is not None and not scanned.changed and result.hashed_files == 0
        if unchanged and not paranoid and not scanned.missing_roots:
            result.groups = stored.result()
        elif present:
            result.groups = _groups(db, present, progress, on_error, min_size=min_size, max_size=max_size,
                                    paranoid=paranoid)
        result.timings["group"] = time.monotonic() - hashed
    finally:
        reader.shutdown(wait=True, cancel_futures=True)
        if own_pool:
            pool.close()
    result.elapsed = time.monotonic() - started
    return result


def _ignore(_path: str, _reason: str) -> None:
    return None


def _first_look(db: Database, roots: Sequence[str]) -> bool:
    """True when nothing under these roots is indexed yet: every hash must be computed anyway."""
    conn = db.raw()
    try:
        return not index.indexed_within(conn, normalize_roots(roots))
    finally:
        conn.close()


class _Member:
    """A candidate file in a size group; ``partial``/``full``/``found`` (its sniffed type)
    filled in as known."""

    __slots__ = ("id", "path", "size", "inode", "partial", "full", "found", "stored")

    def __init__(self, row: index.Candidate) -> None:
        self.id, self.path, self.size = row.id, row.path, row.size
        self.inode = (row.dev, row.inode)
        self.partial, self.full = row.partial_hash, row.full_hash
        self.found: tuple[str, bool] | None = None
        self.stored = (self.partial, self.full)


def _hash_pending(db: Database, roots: list[str], pool: WorkerPool, progress: Progress,
                  on_error: ErrorHandler, *, min_size: int, max_size: int | None) -> int:
    """Compute and store the hashes still due for files in scope; returns how many files got one."""
    reader, writer = db.raw(), db.raw()
    stored = 0
    try:
        scope = index.Scope.of(reader, roots)
        reader.commit()
        progress.stage("compare", total=None)
        chunk: list[list[_Member]] = []
        held = 0
        for rows in index.candidate_groups(scope, min_size, max_size, pending_only=True):
            chunk.append([_Member(r) for r in rows])
            held += len(rows)
            if held >= CHUNK_FILES:
                stored += _hash_chunk(chunk, pool, progress, on_error, writer)
                chunk, held = [], 0
        if chunk:
            stored += _hash_chunk(chunk, pool, progress, on_error, writer)
    finally:
        reader.rollback()
        reader.close()
        writer.close()
    return stored


def _hash_chunk(groups: list[list[_Member]], pool: WorkerPool, progress: Progress, on_error: ErrorHandler,
                writer) -> int:
    """Partial, then full hashes for the inodes of these size groups that need them; stored."""
    inodes = []                 # per size group: (dev, inode) -> its members
    for members in groups:
        by_inode: dict[tuple[int, int], list[_Member]] = {}
        for m in members:
            by_inode.setdefault(m.inode, []).append(m)
        if len(by_inode) > 1:
            inodes.append(by_inode)
    reps = [_representative(paths) for by_inode in inodes for paths in by_inode.values()]
    failed = _run(pool, hashing.PARTIAL, [r for r in reps if r.partial is None], progress, on_error)
    full_due = []
    for by_inode in inodes:
        buckets: dict[bytes, list[_Member]] = {}
        for paths in by_inode.values():
            rep = paths[0]
            if rep.id not in failed and rep.partial is not None:
                buckets.setdefault(rep.partial, []).append(rep)
        full_due.extend(r for same in buckets.values() if len(same) > 1 for r in same if r.full is None)
    _run(pool, hashing.FULL, full_due, progress, on_error)
    rows = []
    for by_inode in inodes:
        for paths in by_inode.values():
            rep = paths[0]
            for m in paths:
                m.partial, m.full, m.found = rep.partial, rep.full, rep.found
                if (m.partial, m.full) != m.stored and m.partial is not None:
                    cat = refine(m.path, m.found) if m.found else None
                    rows.append((m.partial, m.full, cat, m.id))
    index.store_hashes(writer, rows, STORE_ROWS)
    return len(rows)


def _representative(paths: list[_Member]) -> _Member:
    """The member whose hashes stand for its inode, moved to the front of `paths`: one with
    stored hashes if there is one."""
    for i, m in enumerate(paths):
        if m.partial is not None:
            paths.insert(0, paths.pop(i))
            return m
    return paths[0]


def _run(pool: WorkerPool, stage: int, members: list[_Member], progress: Progress,
         on_error: ErrorHandler) -> set[int]:
    """Hash `members` at `stage` in the pool; returns the ids of those that could not be read."""
    if not members:
        return set()
    by_id = {m.id: m for m in members}
    futures = [pool.hash(stage, batch)
               for batch in batches(((m.id, m.path, m.size) for m in members), stage)]
    failed: set[int] = set()
    try:
        for future in cf.as_completed(futures):
            progress.check()
            results = pool.results(future)
            for key, partial, full, extra in results:
                m = by_id[key]
                if partial is None and full is None:
                    failed.add(key)
                    on_error(m.path, extra)
                elif stage == hashing.PARTIAL:
                    m.partial, m.full, m.found = partial, full, extra
                else:
                    m.full = full
            progress.advance(len(results))
    finally:
        for future in futures:
            future.cancel()
    return failed


def _groups(db: Database, roots: list[str], progress: Progress, on_error: ErrorHandler, *, min_size: int,
            max_size: int | None, paranoid: bool) -> list[DuplicateGroup]:
    """The duplicate groups in scope, from the stored full hashes."""
    conn = db.raw()
    try:
        scope = index.Scope.of(conn, roots)
        rows = index.duplicate_rows(scope, min_size, max_size)
    finally:
        conn.rollback()
        conn.close()
    groups = groups_from_hashed(rows)
    if paranoid:
        progress.stage("verify", total=len(groups))
        checked = []
        for g in groups:
            progress.check()
            checked.extend(split_by_bytes(g, on_error))
            progress.advance(1)
        groups = checked
    return sort_groups(groups)

