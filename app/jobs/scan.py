"""Scan job: walk folders and bring the index up to date (incrementally).

The walk runs in this thread; each folder's listing goes to the index writer, which
writes a batch at a time in short transactions (see ``store.index``). A cancelled
scan keeps every batch it wrote. ``on_listing`` lets the duplicate finder look at
each folder's records as they are found (to start hashing early).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from app.core.categories import classify, extension_of
from app.core.progress import Cancelled, Progress
from app.core.walk import FileRecord, walk_dirs
from app.store import categories_repo, index
from app.store.db import Database
from app.store.index import IndexWriter, ScanCounts

ListingHook = Callable[[Sequence[FileRecord]], None]


@dataclass
class ScanResult:
    """Summary of one scan of one or more roots."""

    roots: list[str]
    counts: ScanCounts = field(default_factory=ScanCounts)
    errors: list[tuple[str, str]] = field(default_factory=list)
    missing_roots: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    changed: bool = True        # False: no file row, folder or root of the index changed

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


def normalize_roots(roots: Sequence[str]) -> list[str]:
    """Absolute, symlink-free roots, each once, none inside another.

    A root reached through a symbolic link is the folder it points at, so ``a`` and a link
    to ``a`` are one root and every file is listed once. Missing paths are kept as given.
    """
    real = []
    for r in roots:
        path = os.path.abspath(r)
        real.append(os.path.realpath(path) if os.path.exists(path) else path)
    unique = list(dict.fromkeys(real))
    folders = [o for o in unique if os.path.isdir(o)]
    return [r for r in unique
            if not (os.path.exists(r) and any(o != r and index.is_within(r, o) for o in folders))]


def scan(db: Database, roots: Sequence[str], *, progress: Progress, exclude: Sequence[str] = (),
         include_hidden: bool = True, on_listing: ListingHook | None = None) -> ScanResult:
    """Walk `roots` (folders or files) and update the index: new, changed and vanished files;
    stored hashes kept while a file is unchanged.

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
    categories_repo.activate(db)      # classify by this database's custom categories
    classify_name = _cached_classify()
    conn = db.raw()
    try:
        # what the last scan saw gives this one an ETA; a root never scanned has none
        known_files = index.count_files(index.Scope.of(conn, present)) if present else 0
        conn.commit()
        progress.stage("scan", total=known_files or None)
        result.changed = False
        for root in present:
            errors: list[tuple[str, str]] = []

            def on_error(path: str, reason: str, errors: list = errors) -> None:
                errors.append((path, reason))
                progress.error(path, reason)

            writer = IndexWriter(conn, root, classify_name)
            try:
                for listing in walk_dirs([root], exclude=exclude, include_hidden=include_hidden,
                                         on_error=on_error, progress=progress):
                    writer.add_dir(listing.path, listing.files, listing.complete)
                    if on_listing is not None and listing.files:
                        on_listing(listing.files)
            except Cancelled:
                writer.flush()          # keep what was walked: the folders written are complete
                raise
            result.counts.add(writer.finish(errors))
            result.changed = result.changed or writer.modified
            result.errors.extend(errors)
    finally:
        conn.close()
    result.elapsed = time.monotonic() - started
    return result
