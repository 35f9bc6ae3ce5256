"""Duplicate-finding job: scan (incrementally), then confirm size groups from the index by hashing."""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.core import hashing
from app.core.categories import category_for
from app.core.dedup import Candidate, DuplicateGroup, confirm_size_group, groups_from_hashed, sort_groups
from app.core.progress import Progress
from app.jobs.scan import ScanResult, gc_paused, scan
from app.store import index
from app.store.db import Database

HASH_BATCH = 20000
# A second process hashes part of the candidates when there is this much work and a free core.
# Measured on the 100k corpus (2 cores): the split saves about a third of the compare stage.
FORK_MIN_FILES = 4000
FORK_MIN_BYTES = 256 * 2**20


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
    with gc_paused():
        return _find(db, roots, progress=progress, min_size=min_size, max_size=max_size, exclude=exclude,
                     include_hidden=include_hidden, paranoid=paranoid)


def _find(db: Database, roots: list[str], *, progress: Progress, min_size: int, max_size: int | None,
          exclude: tuple[str, ...] | list[str], include_hidden: bool, paranoid: bool) -> DuplicateResult:
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
            n, nbytes = index.candidate_totals(reader, root_ids, min_size, max_size)
            # counted in files: partial hashes make the bytes actually read unknowable up front
            progress.stage("compare", total=n)
            size_groups = index.iter_size_groups(reader, root_ids, Candidate, min_size, max_size)
            if _can_fork(n, nbytes):
                size_groups, theirs = _split(list(size_groups))
                child = _fork_hasher(theirs, paranoid)
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
    result.elapsed = time.monotonic() - started
    return result


# --- a second hashing process ---------------------------------------------------------------

def _can_fork(files: int, nbytes: int) -> bool:
    """Worth and safe to hash in a forked helper: a POSIX fork, a spare CPU, no other threads.

    A process with other threads (the GUI) is not forked: a lock held by another
    thread would stay locked in the child. macOS frameworks do not survive fork.
    """
    return (hasattr(os, "fork") and sys.platform != "darwin" and (os.cpu_count() or 1) > 1
            and threading.active_count() == 1 and (files >= FORK_MIN_FILES or nbytes >= FORK_MIN_BYTES))


def _split(size_groups: list[list[Candidate]]) -> tuple[list[list[Candidate]], list[list[Candidate]]]:
    """Two shares of about equal work (per-file cost plus bytes), each in size order."""
    shares: tuple[list, list] = ([], [])
    loads = [0, 0]
    for members in sorted(size_groups, key=lambda m: -len(m) * (32768 + m[0].size)):
        i = 0 if loads[0] <= loads[1] else 1
        shares[i].append(members)
        loads[i] += len(members) * (32768 + members[0].size)
    for share in shares:
        share.sort(key=lambda m: m[0].size)
    return shares


@dataclass
class _Helper:
    pid: int
    fd: int

    def result(self) -> tuple[list[DuplicateGroup], list[tuple], list[tuple[str, str]]] | None:
        """The helper's (groups, hash rows, errors), or None if it failed."""
        with os.fdopen(self.fd, "rb") as fh:
            self.fd = -1
            data = fh.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if not data or os.waitstatus_to_exitcode(status) != 0:
            return None
        return pickle.loads(data)       # noqa: S301 - our own forked child wrote it

    def stop(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = 0


def _fork_hasher(size_groups: list[list[Candidate]], paranoid: bool) -> _Helper:
    """Confirm `size_groups` in a forked child; it sends back groups, hash rows and errors.

    The child touches no database connection and leaves through os._exit.
    """
    r, w = os.pipe()
    pid = os.fork()
    if pid:
        os.close(w)
        return _Helper(pid, r)
    code = 1
    try:
        os.close(r)
        hashing.THREADS_MIN = 1 << 62       # blake3's thread pool does not survive a fork
        rows: list[tuple] = []
        errors: list[tuple[str, str]] = []

        def hashed(c: Candidate, head: bytes | None) -> None:
            rows.append((c.partial, c.full, category_for(c.path, head) if head else None, c.key))

        add_error: Callable[[str, str], None] = lambda path, reason: errors.append((path, reason))  # noqa: E731
        found = []
        for members in size_groups:
            found.extend(confirm_size_group(members, on_hashed=hashed, on_error=add_error,
                                            paranoid=paranoid))
        data = pickle.dumps((found, rows, errors), pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(w, view):]
        code = 0
    finally:
        os._exit(code)
