"""Duplicate-finding job: scan (incrementally), then confirm size groups from the index by hashing."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from app.core.categories import category_for
from app.core.dedup import Candidate, DuplicateGroup, confirm_size_group, groups_from_hashed, sort_groups
from app.core.progress import Progress
from app.jobs import hash_helper, stream_helper
from app.jobs.gc_pause import gc_paused
from app.jobs.scan import ScanResult, scan
from app.store import index
from app.store.db import Database

HASH_BATCH = 20000


@dataclass
class DuplicateResult:
    """Duplicate groups (largest reclaimable first) and what it took to find them."""

    groups: list[DuplicateGroup]
    scan: ScanResult
    files_scanned: int = 0
    hashed_files: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    elapsed: float = 0.0

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


def find_duplicates(db: Database, roots: list[str], *, progress: Progress, min_size: int = 1,
                    max_size: int | None = None, exclude: tuple[str, ...] | list[str] = (),
                    include_hidden: bool = True, paranoid: bool = False,
                    fork_min_files: int | None = None) -> DuplicateResult:
    """Scan `roots`, then group files with identical bytes among them.

    Empty files are never duplicates; symlinks are never members; hard links of
    one inode count as one file. New hashes are stored in the index for the next run.
    From `fork_min_files` files on (default ``hash_helper.fork_min_files()``) a
    forked helper process hashes while this one works, where that is possible.
    """
    threshold = hash_helper.fork_min_files() if fork_min_files is None else fork_min_files
    db.wait_checkpoint()            # the last search's: its thread would rule out a helper process
    with gc_paused():
        return _find(db, roots, progress=progress, min_size=min_size, max_size=max_size, exclude=exclude,
                     include_hidden=include_hidden, paranoid=paranoid, fork_min_files=threshold)


def _find(db: Database, roots: list[str], *, progress: Progress, min_size: int, max_size: int | None,
          exclude: tuple[str, ...] | list[str], include_hidden: bool, paranoid: bool,
          fork_min_files: int) -> DuplicateResult:
    started = time.monotonic()
    feeder = None
    if _first_look(db, roots):
        feeder = _Feeder(fork_min_files, min_size, max_size, paranoid, progress)

    def stored_groups(conn) -> list[DuplicateGroup] | None:
        # while a helper walks: the groups as the index holds them, valid if the scan changes nothing
        root_ids = index.root_ids_within(conn, [os.path.abspath(r) for r in roots])
        rows = index.stored_duplicates(conn, root_ids, min_size, max_size) if root_ids else None
        return None if rows is None else groups_from_hashed(rows)

    try:
        if feeder is not None:
            # new files sharing a size are written with the hashes the helper found meanwhile
            scanned = scan(db, roots, progress=progress, exclude=exclude, include_hidden=include_hidden,
                           on_listing=feeder.feed, hashes=feeder)
        else:
            scanned = scan(db, roots, progress=progress, exclude=exclude, include_hidden=include_hidden,
                           split_min_files=fork_min_files,
                           while_walking=None if paranoid else stored_groups)
        result = DuplicateResult([], scanned, scanned.counts.files, errors=list(scanned.errors))

        def on_error(path: str, reason: str) -> None:
            result.errors.append((path, reason))
            progress.error(path, reason)

        if feeder is not None and feeder.looked_up:
            outcome = feeder.outcome
            result.hashed_files = feeder.hashed
        else:
            outcome = _stream_outcome(db, feeder, result, progress) if feeder is not None else None
        if outcome is not None:
            groups, errors = outcome
            for path, reason in errors:
                on_error(path, reason)
            result.groups = sort_groups(groups)
        elif not scanned.changed and scanned.side_result is not None:
            result.groups = sort_groups(scanned.side_result)       # an unchanged tree: nothing to hash
        else:
            _confirm_from_index(db, result, progress, on_error, min_size=min_size, max_size=max_size,
                                paranoid=paranoid, fork_min_files=fork_min_files)
    finally:
        if feeder is not None:
            feeder.stop()
    result.elapsed = time.monotonic() - started
    return result


def _first_look(db: Database, roots: list[str]) -> bool:
    """True when nothing under these folders is indexed yet: every hash must be computed anyway."""
    if not hash_helper.can_fork() or not all(os.path.isdir(r) for r in roots):
        return False
    raw = db.raw()
    try:
        return not index.indexed_within(raw.driver_connection, roots)
    finally:
        raw.close()


class _Feeder:
    """Hands the walk's records to a StreamHelper, started once `threshold` files were seen;
    then, as the scan's ``HashSource``, passes on the hashes the helper found."""

    def __init__(self, threshold: int, min_size: int, max_size: int | None, paranoid: bool,
                 progress: Progress) -> None:
        self.threshold = threshold
        self.progress = progress
        self.looked_up = False
        self.hashed = 0
        self.args = {"min_size": min_size, "max_size": max_size, "paranoid": paranoid}
        self.backlog: list[bytes] = []
        self.files = 0
        self.helper: stream_helper.StreamHelper | None = None
        self.broken = False

    def feed(self, blob: bytes, n: int) -> None:
        if self.broken:
            return
        self.files += n
        if self.helper is None:
            self.backlog.append(blob)
            if self.files < self.threshold:
                return
            self.helper = stream_helper.StreamHelper.start(**self.args)
            blobs, self.backlog = self.backlog, []
        else:
            blobs = [blob]
        try:
            for b in blobs:
                self.helper.feed(b)
        except OSError:             # the helper died: the index path does the work instead
            self.broken = True

    def finish(self, progress: Progress, on_rows) -> tuple[list, list] | None:
        """The helper's (groups, errors), or None when there was none (too few files) or it failed."""
        self.backlog = []
        if self.helper is None or self.broken:
            return None
        return self.helper.finish(progress, on_rows)

    @property
    def outcome(self) -> tuple[list, list] | None:
        """After ``later``: the helper's (groups, errors), or None (no helper, or it failed)."""
        return self.helper.outcome if self.helper is not None and not self.helper.failed else None

    # --- HashSource, for the scan's last flush ---------------------------------------------

    def walk_over(self) -> None:
        self.looked_up = True
        self.backlog = []
        if self.helper is not None and not self.broken:
            self.helper.end_input()

    def known(self) -> list[tuple]:
        rows: list[tuple] = []
        if self.helper is not None and not self.broken:
            self.helper.caught_up(self.progress, rows.extend)
        self.hashed += len(rows)
        return rows

    def later(self, on_rows) -> None:
        def counted(rows: list[tuple]) -> None:
            self.hashed += len(rows)
            on_rows(rows)

        if self.helper is not None and not self.broken:
            self.helper.finish(self.progress, counted)

    def stop(self) -> None:
        if self.helper is not None:
            self.helper.stop()


def _stream_outcome(db: Database, feeder: _Feeder, result: DuplicateResult, progress: Progress
                    ) -> tuple[list[DuplicateGroup], list[tuple[str, str]]] | None:
    """The stream helper's groups and errors (its hashes stored as they come), or None."""
    raw = db.raw()
    try:
        conn = raw.driver_connection
        store = index.hash_writer_by_path(conn, index.root_ids_within(conn, result.scan.roots))

        def on_rows(rows: list[tuple]) -> None:
            result.hashed_files += store(rows)

        return feeder.finish(progress, on_rows)
    finally:
        raw.close()


def _confirm_from_index(db: Database, result: DuplicateResult, progress: Progress, on_error, *,
                        min_size: int, max_size: int | None, paranoid: bool, fork_min_files: int) -> None:
    """Group the indexed candidates, hashing what the index does not know yet."""
    read_raw, write_raw = db.raw(), db.raw()
    reader, writer = read_raw.driver_connection, write_raw.driver_connection
    pending: list[tuple] = []

    def on_hashed(c: Candidate, head: bytes | None) -> None:
        cat = category_for(c.path, head) if head else None
        pending.append((c.partial, c.full, cat, c.key))
        result.hashed_files += 1

    groups: list[DuplicateGroup] = []
    try:
        root_ids = index.root_ids_within(reader, result.scan.roots)
        stored = None if paranoid or not root_ids else index.stored_duplicates(reader, root_ids, min_size,
                                                                               max_size)
        if stored is not None:          # nothing left to hash (an unchanged tree): group in one pass
            progress.stage("compare", total=len(stored))
            groups = groups_from_hashed(stored)
            progress.advance(len(stored))
        elif root_ids:
            n, nbytes = index.candidate_totals(reader, root_ids, min_size, max_size)
            # counted in files: partial hashes make the bytes actually read unknowable up front
            progress.stage("compare", total=n)
            size_groups = index.iter_size_groups(reader, root_ids, Candidate, min_size, max_size)
            if hash_helper.can_fork() and (n >= fork_min_files or nbytes >= hash_helper.FORK_MIN_BYTES):
                size_groups, theirs = hash_helper.split_work(list(size_groups))
                child = hash_helper.fork_hasher(theirs, paranoid)
            else:
                child = None
            try:
                for members in size_groups:
                    groups.extend(confirm_size_group(members, on_hashed=on_hashed, on_error=on_error,
                                                     paranoid=paranoid, progress=progress))
                    progress.advance(len(members))
                    if len(pending) >= HASH_BATCH:
                        index.store_hashes(writer, pending)
                        pending.clear()
                if child is not None:
                    outcome = child.result()
                    if outcome is None:         # the helper process failed: do its share here
                        for members in theirs:
                            groups.extend(confirm_size_group(members, on_hashed=on_hashed, on_error=on_error,
                                                             paranoid=paranoid, progress=progress))
                    else:
                        found, rows, errors = outcome
                        groups.extend(found)
                        pending.extend(rows)
                        result.hashed_files += len(rows)
                        for path, reason in errors:
                            on_error(path, reason)
                    progress.advance(sum(len(m) for m in theirs))
            finally:
                if child is not None:
                    child.stop()
        if pending:
            index.store_hashes(writer, pending)
            pending.clear()
    finally:
        if pending:             # cancelled: keep the work already done
            try:
                index.store_hashes(writer, pending)
            except Exception:   # noqa: BLE001 - best effort while unwinding
                writer.rollback()
        read_raw.close()
        write_raw.close()
    result.groups = sort_groups(groups)
