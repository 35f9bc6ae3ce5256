"""Duplicate-finding job: scan (incrementally), then confirm size groups from the index by hashing."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.core.categories import category_for
from app.core.dedup import Candidate, DuplicateGroup, confirm_size_group, groups_from_hashed, sort_groups
from app.core.progress import Progress
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
                    include_hidden: bool = True, paranoid: bool = False) -> DuplicateResult:
    """Scan `roots`, then group files with identical bytes among them.

    Empty files are never duplicates; symlinks are never members; hard links of
    one inode count as one file. New hashes are stored in the index for the next run.
    """
    started = time.monotonic()
    scanned = scan(db, roots, progress=progress, exclude=exclude, include_hidden=include_hidden)
    result = DuplicateResult([], scanned, scanned.counts.files, errors=list(scanned.errors))

    def on_error(path: str, reason: str) -> None:
        result.errors.append((path, reason))
        progress.error(path, reason)

    read_raw, write_raw = db.raw(), db.raw()
    reader, writer = read_raw.driver_connection, write_raw.driver_connection
    pending: list[tuple] = []

    def on_hashed(c: Candidate, head: bytes | None) -> None:
        cat = category_for(c.path, head) if head else None
        pending.append((c.partial, c.full, cat, c.key))
        result.hashed_files += 1

    groups: list[DuplicateGroup] = []
    try:
        root_ids = index.root_ids_within(reader, scanned.roots)
        stored = None if paranoid or not root_ids else index.stored_duplicates(reader, root_ids, min_size,
                                                                               max_size)
        if stored is not None:          # nothing left to hash (an unchanged tree): group in one pass
            progress.stage("compare", total=len(stored))
            groups = groups_from_hashed(stored)
            progress.advance(len(stored))
        elif root_ids:
            n, _ = index.candidate_totals(reader, root_ids, min_size, max_size)
            # counted in files: partial hashes make the bytes actually read unknowable up front
            progress.stage("compare", total=n)
            for members in index.iter_size_groups(reader, root_ids, Candidate, min_size, max_size):
                groups.extend(confirm_size_group(members, on_hashed=on_hashed, on_error=on_error,
                                                 paranoid=paranoid, progress=progress))
                progress.advance(len(members))
                if len(pending) >= HASH_BATCH:
                    index.store_hashes(writer, pending)
                    pending.clear()
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
    result.elapsed = time.monotonic() - started
    return result
