"""Hashing while the walk runs, for a first search of a tree: the pool gets work as it arises.

``core.dedup.online.EarlyHashes`` decides which files will certainly need a hash (a file
with a partner of its size, then a partner of its partial hash); ``EarlyHashing`` sends
that work to the worker processes in batches while the walk goes on, takes the results
back, and ``store_early`` writes them to the index once the walk is done.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Iterable, Sequence

from app.core.dedup import hashing
from app.core.dedup.online import EarlyHashes, Known
from app.core.progress import Progress
from app.core.scan.categories import refine
from app.jobs.workers import BATCH_BYTES, BATCH_FILES, WorkerPool, WorkItem, batches
from app.store import index
from app.store.db import Database

STORE_ROWS = 2_000          # hash rows written per transaction: ~30 ms (an update costs more than an insert)


class EarlyHashing:
    """Sends the hashing ``EarlyHashes`` finds due during the walk to the pool, in batches."""

    def __init__(self, pool: WorkerPool, min_size: int, max_size: int | None, progress: Progress) -> None:
        self.plan = EarlyHashes(min_size=min_size, max_size=max_size)
        self.pool = pool
        self.progress = progress
        self.waiting: dict[int, list[WorkItem]] = {hashing.PARTIAL: [], hashing.FULL: []}
        self.waiting_bytes = {hashing.PARTIAL: 0, hashing.FULL: 0}
        self.in_flight: set[cf.Future] = set()

    @property
    def wants_records(self) -> bool:
        """False once the plan takes no more files: the walk need not send their records."""
        return not self.plan.full

    def add(self, records: Sequence) -> None:
        """The walk found a folder: queue what became due, send full batches, take results."""
        self._queue(self.plan.add(records))
        self._send(final=False)
        if self.in_flight:
            self._take([f for f in self.in_flight if f.done()])

    def _queue(self, due: Iterable[tuple]) -> None:
        for stage, key, path, size in due:
            self.waiting[stage].append((key, path, size))
            self.waiting_bytes[stage] += size if stage == hashing.FULL else min(size, hashing.SMALL)

    def _send(self, final: bool) -> None:
        for stage, items in self.waiting.items():
            small = len(items) < BATCH_FILES and self.waiting_bytes[stage] < BATCH_BYTES
            if not items or (small and not final):
                continue
            self.waiting_bytes[stage] = 0
            sent = 0
            for batch in batches(items, stage, partial=final):     # a small last batch waits for more
                self.in_flight.add(self.pool.hash(stage, batch))
                sent += len(batch)
            self.waiting[stage] = rest = items[sent:]
            self.waiting_bytes[stage] = sum(size if stage == hashing.FULL else min(size, hashing.SMALL)
                                            for _, _, size in rest)

    def _take(self, finished: Iterable[cf.Future]) -> int:
        """Take the results of finished batches; returns how many files they answered."""
        answered = 0
        for future in finished:
            self.in_flight.discard(future)
            results = self.pool.results(future)
            answered += len(results)
            self._queue(self.plan.done(results))
        return answered

    def finish(self) -> dict[str, Known]:
        """After the walk: wait for every due hash; returns path -> (partial, full, sniffed type).
        Progress counts the files still being hashed (the full hashes they call for add to it)."""
        self.progress.stage("compare", total=self.plan.outstanding)     # queued or being hashed
        while True:
            self._send(final=True)
            if not self.in_flight:
                return self.plan.known
            done, _ = cf.wait(self.in_flight, timeout=0.2, return_when=cf.FIRST_COMPLETED)
            self.progress.check()
            answered = self._take(done)
            self.progress.total = self.progress.done + answered + self.plan.outstanding
            self.progress.advance(answered)


def store_early(db: Database, known: dict[str, Known]) -> int:
    """Store the hashes found while walking (and the file types their first bytes show);
    returns for how many files."""
    conn = db.raw()
    try:
        return index.store_hashes_by_path(
            conn, ((partial, full, refine(path, found) if found else None, path)
                   for path, (partial, full, found) in known.items()), STORE_ROWS)
    finally:
        conn.close()
