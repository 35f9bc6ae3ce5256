"""Scan job: walk folders and bring the index up to date (incrementally).

Each folder's listing goes to the index writer, which writes a batch at a time in
short transactions (see ``store.index``); a cancelled scan keeps every batch it wrote.
With a worker pool, this thread lists the top folder of a tree and the workers walk the
rest in pieces (``core.scan.walk.walk_subtrees``, see PIECE_FILES) while this thread
writes: a folder whose listing digest is the stored one comes back without its records,
so an unchanged tree costs this thread almost nothing. On a tree nobody indexed yet, the
workers write the rows themselves and this thread copies them in (``store.index_stage``).
``listings`` lets the duplicate finder look at each folder's records as they are found (to
start hashing early).
"""

from __future__ import annotations

import bisect
import concurrent.futures as cf
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from app.core.progress import Cancelled, Progress
from app.core.scan.categories import cached_classifier
from app.core.scan.walk import FileRecord, walk_dirs
from app.store import bulk_indexes, categories_repo, index, index_stage
from app.store.db import Database
from app.store.index import IndexWriter, ScanCounts
from app.store.index_stage import StagedWalk

if TYPE_CHECKING:
    from app.jobs.workers import WorkerPool


class ListingSink(Protocol):
    """Looks at each folder's records as the scan finds them (the duplicate finder's early
    hashing); `wants_records` False lets the workers keep them (see store.index_stage)."""

    wants_records: bool

    def add(self, records: Sequence[FileRecord]) -> None: ...


# This thread lists the top folder of a tree; its subfolders are dealt into PIECES_PER_WORKER
# pieces per worker. A worker walks a piece until it has seen PIECE_FILES entries and returns
# the folders it did not reach, which are dealt out again. So, whatever the tree's shape, the
# workers stay evenly busy and a piece's records (held in memory until this thread has written
# them: the workers list faster than the index is written) stay a small part of the tree; at
# most IN_FLIGHT_PER_WORKER pieces per worker are out at a time.
PIECES_PER_WORKER = 4
PIECE_FILES = 10_000
IN_FLIGHT_PER_WORKER = 2


@dataclass
class ScanResult:
    """Summary of one scan of one or more roots."""

    roots: list[str]
    counts: ScanCounts = field(default_factory=ScanCounts)
    errors: list[tuple[str, str]] = field(default_factory=list)
    missing_roots: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    changed: bool = True        # False: no file row, folder or root of the index changed
    write_seconds: float = 0.0  # of `elapsed`, the time spent writing the index

    @property
    def files(self) -> int:
        return self.counts.files


def classifier(db: Database) -> Callable[[str], tuple[str, str]]:
    """``categories.classify`` by `db`'s custom categories (``categories.cached_classifier``).

    One per scan (or refresh): the category map may change between scans.
    """
    categories_repo.activate(db)
    return cached_classifier()


def normalize_roots(roots: Sequence[str]) -> list[str]:
    """Absolute, symlink-free roots, each once, none inside another.

    A root reached through a symbolic link is the folder it points at, so ``a`` and a link
    to ``a`` are one root and every file is listed once. Missing paths are kept as given.
    """
    unique = list(dict.fromkeys(index.resolved(roots)))
    folders = [o for o in unique if os.path.isdir(o)]
    return [r for r in unique
            if not (os.path.exists(r) and any(o != r and index.is_within(r, o) for o in folders))]


def scan(db: Database, roots: Sequence[str], *, progress: Progress, exclude: Sequence[str] = (),
         include_hidden: bool = True, listings: ListingSink | None = None,
         pool: WorkerPool | None = None) -> ScanResult:
    """Walk `roots` (folders or files) and update the index: new, changed and vanished files;
    stored hashes kept while a file is unchanged. With `pool`, its workers walk most of it.

    Missing roots are listed in ``missing_roots`` (and as errors); the others are scanned.
    Raises Cancelled when progress.cancel() was called (the batches already written stay).
    """
    started = time.monotonic()
    result = ScanResult(normalize_roots(roots))
    for root in result.roots:
        if not os.path.exists(root):
            result.missing_roots.append(root)
            result.errors.append((root, "does not exist"))
            progress.error(root, "does not exist")
    present = [r for r in result.roots if r not in result.missing_roots]
    custom = categories_repo.activate(db)      # the workers classify by it too
    classify_name = cached_classifier()
    conn = db.raw()
    try:
        # what the last scan saw gives this one an ETA; a root never scanned has none
        known_files = index.count_files(index.Scope.of(conn, present)) if present else 0
        conn.commit()
        progress.stage("scan", total=known_files or None)
        result.changed = False
        with bulk_indexes.for_scan(conn) as indexes:
            for root in present:
                _scan_root(conn, root, result, classify_name, custom, indexes, progress=progress,
                           exclude=exclude, include_hidden=include_hidden, listings=listings, pool=pool)
    finally:
        conn.close()
    result.elapsed = time.monotonic() - started
    return result


def _scan_root(conn, root: str, result: ScanResult, classify_name: Callable[[str], tuple[str, str]],
               custom: dict[str, str], indexes: bulk_indexes.BulkIndexes, *,
               progress: Progress, exclude: Sequence[str], include_hidden: bool,
               listings: ListingSink | None, pool: WorkerPool | None) -> None:
    """Walk one root into the index and add what it found to `result`."""
    errors: list[tuple[str, str]] = []

    def on_error(path: str, reason: str) -> None:
        errors.append((path, reason))
        progress.error(path, reason)

    writer = IndexWriter(conn, root, classify_name)

    def record(path: str, files: Sequence[FileRecord], complete: bool, sig: bytes | None = None) -> None:
        writer.add_dir(path, files, complete, sig)
        indexes.written(result.counts.new + writer.counts.new)
        if listings is not None and files:
            listings.add(files)

    def record_staged(seen: StagedWalk) -> None:
        index_stage.copy_staged(writer, seen, progress)
        indexes.written(result.counts.new + writer.counts.new)
        for files in seen.records:
            if listings is not None and files:
                listings.add(files)

    try:
        if pool is None or not os.path.isdir(root):
            for listing in walk_dirs([root], exclude=exclude, include_hidden=include_hidden,
                                     on_error=on_error, progress=progress):
                record(listing.path, listing.files, listing.complete)
        else:
            staging = _Staging(record_staged, custom, listings) if writer.fresh else None
            _walk_with(pool, root, writer, record, staging, exclude=exclude, include_hidden=include_hidden,
                       on_error=on_error, progress=progress)
    except Cancelled:
        writer.flush()          # keep what was walked: the folders written are complete
        raise
    result.counts.add(writer.finish(errors))
    result.write_seconds += writer.write_seconds
    result.changed = result.changed or writer.modified
    result.errors.extend(errors)


@dataclass
class _Staging:
    """How the workers hand in the pieces of a tree nobody indexed yet (``store.index_stage``)."""

    record: Callable[[StagedWalk], None]
    custom: dict[str, str]                  # the custom categories the workers classify by
    listings: ListingSink | None
    folder: str = ""                        # the scan's temporary folder for the staging files

    def submit(self, pool: WorkerPool, piece: list[str], exclude: Sequence[str],
               include_hidden: bool) -> cf.Future | None:
        """The piece sent to a worker to stage, or None when there is no temporary folder to
        stage in (then it goes the ordinary way)."""
        if not self.folder:
            try:
                self.folder = tempfile.mkdtemp(prefix="fileorganizer-scan-")
            except OSError:
                return None
        wanted = self.listings is not None and self.listings.wants_records
        return pool.walk_into_stage(piece, exclude, include_hidden, PIECE_FILES, self.folder, self.custom,
                                    wanted)

    def close(self, running: set[cf.Future]) -> None:
        """Remove the staging files left (of a cancelled scan): once no worker writes one."""
        if self.folder:
            cf.wait(running)
            shutil.rmtree(self.folder, ignore_errors=True)


def _walk_with(pool: WorkerPool, root: str, writer: IndexWriter, record: Callable[..., None],
               staging: _Staging | None, *, exclude: Sequence[str], include_hidden: bool,
               on_error: Callable[[str, str], None], progress: Progress) -> None:
    """List the top folder of `root` here; the workers walk the rest a piece at a time, and
    what they report is recorded as it comes (see PIECE_FILES). With `staging` (nothing of the
    tree is indexed yet), the workers write the rows and hand in a staging database instead."""
    frontier: list[str] = []
    for listing in walk_dirs([root], exclude=exclude, include_hidden=include_hidden, on_error=on_error,
                             progress=progress, deferred=frontier):
        record(listing.path, listing.files, listing.complete)
    stored = _StoredSignatures(writer.known_signatures())
    waiting = _pieces(frontier, pool.workers)
    listed: set[tuple[int, int]] = set()       # (dev, inode) of the folders walked: a bind-mount loop ends
    running: set[cf.Future] = set()
    try:
        while waiting or running:
            while waiting and len(running) < IN_FLIGHT_PER_WORKER * pool.workers:
                piece = waiting.pop()
                future = staging.submit(pool, piece, exclude, include_hidden) if staging is not None else None
                if future is None:
                    future = pool.walk(piece, exclude, include_hidden, stored.under(piece), PIECE_FILES)
                running.add(future)
            done, running = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in done:
                seen = pool.results(future)
                if isinstance(seen, StagedWalk):
                    staging.record(seen)
                else:
                    for f in seen.folders:
                        progress.check()
                        if f.files is None:
                            writer.add_known(f.path, f.signature, f.count, f.links, f.nbytes)
                        else:
                            record(f.path, f.files, f.signature is not None, f.signature)
                        progress.advance(f.count + f.links, f.nbytes)
                for path, reason in seen.errors:
                    on_error(path, reason)
                listed |= seen.listed
                waiting.extend(_pieces([path for path, dev, inode in seen.leftover
                                        if (dev, inode) not in listed], pool.workers))
    finally:
        for future in running:
            future.cancel()
        if staging is not None:
            staging.close(running)


def _pieces(folders: list[str], workers: int) -> list[list[str]]:
    """`folders` dealt into a few pieces per worker, as a stack whose next piece to pop holds
    the first folder."""
    count = min(len(folders), PIECES_PER_WORKER * workers)
    pieces = [folders[i::count] for i in range(count)]
    pieces.reverse()
    return pieces


class _StoredSignatures:
    """The stored listing digests of one root, to give each piece of work those of its subtrees."""

    def __init__(self, known: dict[str, bytes]) -> None:
        self._known = known
        self._paths = sorted(known)

    def under(self, folders: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for folder in folders:
            if folder in self._known:
                found[folder] = self._known[folder]
            prefix = folder if folder.endswith(os.sep) else folder + os.sep
            # every path that starts with `prefix` sorts between it and the prefix one character on
            lo = bisect.bisect_left(self._paths, prefix)
            hi = bisect.bisect_left(self._paths, prefix[:-1] + chr(ord(prefix[-1]) + 1), lo)
            for path in self._paths[lo:hi]:
                found[path] = self._known[path]
        return found
