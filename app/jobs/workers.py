"""Worker processes that walk and hash for the scanner and the duplicate finder, on every OS.

Walking and hashing are CPU work in Python around system calls, so threads would queue
on the GIL: the work goes to processes started with ``spawn`` (what Windows and macOS
use anyway; no ``fork``, so it is safe from a GUI thread). There are as many workers as
the process may use CPUs (bounded by MAX_WORKERS). They are started at the beginning
of a job, so their start-up overlaps its first steps; the desktop app keeps one pool
for its lifetime (``shared_pool``), a command makes one per job.

Hashing is sent in batches of up to a thousand files or a few MiB (``batches``), walking
in whole subtrees (``core.scan.walk.walk_subtrees``): per-file messages would cost more than
small files take to hash.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from app.core.dedup import hashing
from app.core.scan import walk
from app.platform.cpus import usable_cpus
from app.store import index_stage

MAX_WORKERS = 8
BATCH_FILES = 1024              # files per batch ...
BATCH_BYTES = 16 * 2**20        # ... or about this many bytes read, whichever comes first

WorkItem = tuple[int, str, int]     # (key, path, size)


class WorkerPool:
    """A pool of worker processes: ``hash`` a batch or ``walk`` subtrees, get a future."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, min(workers or usable_cpus(), MAX_WORKERS))
        self._executor: cf.ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self) -> WorkerPool:
        """Start the workers (~0.1 s each; done by the first piece of work sent)."""
        with self._lock:
            if self._executor is None:
                self._executor = cf.ProcessPoolExecutor(self.workers,
                                                        mp_context=multiprocessing.get_context("spawn"))
                for _ in range(self.workers):          # one no-op each: starts every worker
                    self._executor.submit(hashing.hash_batch, hashing.PARTIAL, [])
        return self

    def hash(self, stage: int, items: list[WorkItem]) -> cf.Future:
        """Hash `items` at `stage` (``hashing.PARTIAL`` or ``FULL``) in a worker; read the
        outcome with ``results``."""
        return self._submit(hashing.hash_batch, stage, items)

    def walk(self, paths: list[str], exclude: Sequence[str], include_hidden: bool,
             known: Mapping[str, bytes], max_files: int | None = None) -> cf.Future:
        """Walk these subtrees in a worker (``core.scan.walk.walk_subtrees``); read with ``results``."""
        return self._submit(walk.walk_subtrees, list(paths), list(exclude), include_hidden, dict(known),
                            max_files)

    def walk_into_stage(self, paths: list[str], exclude: Sequence[str], include_hidden: bool,
                        max_files: int | None, stage_dir: str, custom: Mapping[str, str],
                        with_records: bool) -> cf.Future:
        """Walk subtrees nobody indexed yet in a worker, which writes their rows into a staging
        database in `stage_dir` (``store.index_stage.walk_into_stage``); read with ``results``."""
        return self._submit(index_stage.walk_into_stage, list(paths), list(exclude), include_hidden,
                            max_files, stage_dir, dict(custom), with_records)

    def _submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future:
        """`fn(*args)` in a worker; done here at once when no worker can start. The future keeps
        the work, so ``results`` can do it again if its worker dies."""
        try:
            self.start()
            assert self._executor is not None
            future = self._executor.submit(fn, *args)
        except (cf.BrokenExecutor, OSError, RuntimeError):
            future = cf.Future()
            future.set_result(fn(*args))
        future.work = (fn, args)        # type: ignore[attr-defined]
        return future

    @staticmethod
    def results(future: cf.Future) -> Any:
        """The results of submitted work. If its worker died (killed, out of memory), the work
        is done again in this process: a lost worker costs time, never results."""
        try:
            return future.result()
        except cf.BrokenExecutor:
            fn, args = future.work                      # type: ignore[attr-defined]
            return fn(*args)

    def close(self) -> None:
        """Stop the workers (queued batches are dropped)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def batches(items: Iterable[WorkItem], stage: int, *, partial: bool = True) -> Iterator[list[WorkItem]]:
    """Split work items into batches of at most BATCH_FILES files or about BATCH_BYTES bytes read;
    the last, smaller batch only with `partial`."""
    batch: list[WorkItem] = []
    nbytes = 0
    for item in items:
        batch.append(item)
        nbytes += item[2] if stage == hashing.FULL else min(item[2], hashing.SMALL)
        if len(batch) >= BATCH_FILES or nbytes >= BATCH_BYTES:
            yield batch
            batch, nbytes = [], 0
    if batch and partial:
        yield batch


_shared: WorkerPool | None = None


def shared_pool() -> WorkerPool:
    """The long-lived pool of the desktop app (started on first use, closed by ``close_shared``)."""
    global _shared
    if _shared is None:
        _shared = WorkerPool()
    return _shared


def close_shared() -> None:
    """Stop the desktop app's pool (at exit)."""
    global _shared
    if _shared is not None:
        _shared.close()
        _shared = None
