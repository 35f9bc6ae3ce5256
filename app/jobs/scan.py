"""Scan job: walk folders and bring the index up to date (incrementally)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.core.categories import classify, extension_of
from app.core.progress import Progress
from app.core.walk import walk_dirs
from app.jobs.gc_pause import gc_paused
from app.jobs.walk_split import SplitWalk
from app.store import categories_repo, index
from app.store.db import Database
from app.store.index import IndexWriter, ScanCounts


@dataclass
class ScanResult:
    """Summary of one scan of one or more roots."""

    roots: list[str]
    counts: ScanCounts = field(default_factory=ScanCounts)
    errors: list[tuple[str, str]] = field(default_factory=list)
    missing_roots: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    changed: bool = True        # False: no file row, folder or root of the index changed
    side_result: Any = None     # what `while_walking` returned

    @property
    def files(self) -> int:
        return self.counts.files


def _cached_classify() -> Callable[[str], tuple[str, str]]:
    """``categories.classify``, cached by the name's last suffix where that alone decides it.

    One cache per scan: the category map (custom categories) may change between scans.
    """
    by_suffix: dict[str, tuple[str, str]] = {}

    def classify_name(name: str) -> tuple[str, str]:
        dot = name.rfind(".")
        if dot > 0 and name[0] != ".":
            suffix = name[dot:]
            hit = by_suffix.get(suffix)
            if hit is not None:
                return hit
            found = classify(name)
            # only a suffix that is the extension whatever precedes it (".gz" is not: "x.tar.gz")
            if found[0] == suffix.lower() == extension_of("a.tar" + suffix) and len(by_suffix) < 65536:
                by_suffix[suffix] = found
            return found
        return classify(name)

    return classify_name


def _add(total: ScanCounts, part: ScanCounts) -> None:
    for name in total.__dataclass_fields__:
        setattr(total, name, getattr(total, name) + getattr(part, name))


def _outermost(roots: list[str]) -> list[str]:
    """Roots without those inside another root of the same call (each folder is walked once)."""
    out: list[str] = []
    for root in dict.fromkeys(roots):
        inside = [r for r in roots if r != root and (root + os.sep).startswith(r.rstrip(os.sep) + os.sep)]
        if not inside:
            out.append(root)
    return out


# New files of a first dupes run held back to be written with their hashes (~40 MB of rows at most).
HOLD_ROWS = 200_000
# called with each folder's records as the walk finds them: (pickled list of record tuples, count)
ListingHook = Callable[[bytes, int], None]


def scan(db: Database, roots: list[str], *, progress: Progress, exclude: tuple[str, ...] | list[str] = (),
         include_hidden: bool = True, on_listing: ListingHook | None = None,
         split_min_files: int | None = None,
         while_walking: Callable[[sqlite3.Connection], Any] | None = None,
         hashes: index.HashSource | None = None) -> ScanResult:
    """Walk `roots` and update the index: new, changed and vanished files; hashes kept when unchanged.

    Missing roots are listed in ``missing_roots`` (and as errors); the others are scanned.
    ``on_listing(blob, n)`` receives each non-empty folder's records (``index.listing_blob``).
    With `split_min_files`, a root the index knows with at least that many files is walked by
    two processes (``walk_split``).
    ``while_walking(conn)`` runs in this process while the helper walks (one root only), on
    the scan's own connection before anything is written: it sees the index as the scan
    found it; its value is ``side_result``, to trust only when ``changed`` is False.
    With `hashes` (one root only), up to HOLD_ROWS new files are written in one transaction
    at the end, those sharing a size with the hashes `hashes` found for them (see
    ``IndexWriter.flush``); a cancelled scan then keeps nothing of them.
    Raises Cancelled when progress.cancel() was called (batches already written stay).
    """
    db.wait_checkpoint()            # a thread would rule out the split walk's helper process
    with gc_paused():
        return _scan(db, roots, progress=progress, exclude=exclude, include_hidden=include_hidden,
                     on_listing=on_listing, split_min_files=split_min_files, while_walking=while_walking,
                     hashes=hashes)


def _scan(db: Database, roots: list[str], *, progress: Progress, exclude: tuple[str, ...] | list[str],
          include_hidden: bool, on_listing: ListingHook | None, split_min_files: int | None,
          while_walking: Callable[[sqlite3.Connection], Any] | None,
          hashes: index.HashSource | None) -> ScanResult:
    started = time.monotonic()
    result = ScanResult([os.path.abspath(r) for r in roots])
    for root in dict.fromkeys(result.roots):
        if not os.path.exists(root):
            result.missing_roots.append(root)
            result.errors.append((root, "does not exist"))
            progress.error(root, "does not exist")
    present = [r for r in result.roots if r not in result.missing_roots]
    categories_repo.activate(db)      # classify by this database's custom categories
    classify_name = _cached_classify()
    raw = db.raw()
    conn = raw.driver_connection
    try:
        # what the last scan saw gives this one an ETA
        known = index.root_ids_within(conn, present)
        known_files = index.count_files(conn, known) if known else 0
        progress.stage("scan", total=known_files or None)
        outermost = _outermost(present)
        result.changed = False
        for root in outermost:
            errors: list[tuple[str, str]] = []

            def on_error(path: str, reason: str, errors: list = errors) -> None:
                errors.append((path, reason))
                progress.error(path, reason)

            hold = hashes if len(outermost) == 1 else None
            writer = IndexWriter(conn, root, classify_name, check_references=hold is None)
            if hold is not None:
                writer.batch_size = HOLD_ROWS
            split = None
            try:
                if split_min_files is not None and len(outermost) == 1 and on_listing is None:
                    split = SplitWalk.start(writer, root, known_files=known_files, min_files=split_min_files,
                                            exclude=exclude, include_hidden=include_hidden)
                if while_walking is not None and len(outermost) == 1:
                    result.side_result = while_walking(conn)
                seen: set[tuple[int, int]] = set()
                prune = split.prune if split is not None else frozenset()
                for listing in walk_dirs([root], exclude=exclude, include_hidden=include_hidden,
                                         on_error=on_error, progress=progress, seen=seen, prune=prune,
                                         plain=True):
                    if on_listing is None:
                        writer.add_dir(listing.path, listing.files, listing.complete)
                        if split is not None:
                            split.poll(writer, seen, on_error, progress)
                        continue
                    blob = index.listing_blob(listing.files)
                    writer.add_dir(listing.path, listing.files, listing.complete, blob)
                    if listing.files:
                        on_listing(blob, len(listing.files))
                if split is not None:
                    split.finish(writer, seen, on_error, progress, exclude, include_hidden)
            finally:
                if split is not None:
                    split.stop()
            if hold is None:
                counts = writer.finish(errors)
            else:
                with db.checkpoint_later(conn):     # a first search's big last commit
                    counts = writer.finish(errors, hashes=hold)
            _add(result.counts, counts)
            result.changed = result.changed or writer.modified
            result.errors.extend(errors)
    except BaseException:
        conn.rollback()
        raise
    finally:
        raw.close()
    result.elapsed = time.monotonic() - started
    return result
