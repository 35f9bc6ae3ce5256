"""Rescans walked by two processes: a forked helper walks some subtrees while this one walks the rest.

A rescan's cost is mostly one ``lstat`` per file (the only way to notice a
change), and threads do not help there (the GIL; measured slower). So, when the
index already knows the tree, the scan forks a helper that walks whole subtrees
chosen from the stored folders, computes each folder's listing signature and
tells whether it matches the stored one; the main process walks the rest, then
records the helper's folders through the same ``IndexWriter`` (one writer, one
transaction order). The helper touches no database connection (it compares
against the writer's signatures, copied by the fork) and leaves through
``os._exit``. If it fails, the main process walks its subtrees itself.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.progress import Progress
from app.core.walk import walk_dirs
from app.jobs import hash_helper
from app.store.index import IndexWriter, listing_blob, listing_signature

_BATCH = 64             # folders per message
MIN_FRONTIER = 8        # subtrees to choose from (deeper folders are split until there are this many)


def plan(root: str, dir_paths: list, share: float) -> list[str]:
    """Subtrees (folder paths below `root`) holding about `share` of the stored folders."""
    sep = os.sep
    top = root.rstrip(sep) or sep
    prefix = top if top == sep else top + sep
    weight: dict[str, int] = {}         # folder -> stored folders in its subtree (itself included)
    children: dict[str, list[str]] = {}
    for path in dir_paths:
        if path.__class__ is not str or not path.startswith(prefix):
            continue                    # names stored as bytes stay with the main walk
        parent, acc = top, "" if top == sep else top
        for part in path[len(prefix):].split(sep):
            acc = acc + sep + part
            if acc not in weight:
                weight[acc] = 0
                children.setdefault(parent, []).append(acc)
            weight[acc] += 1
            parent = acc
    frontier = list(children.get(top, ()))
    total = sum(weight[c] for c in frontier)
    while len(frontier) < MIN_FRONTIER:
        expandable = [p for p in frontier if children.get(p)]
        if not expandable:
            break
        biggest = max(expandable, key=weight.__getitem__)
        frontier.remove(biggest)
        frontier.extend(children[biggest])
    chosen, load, goal = [], 0, share * total
    for path in sorted(frontier, key=lambda p: (-weight[p], p)):
        if load + weight[path] <= goal:
            chosen.append(path)
            load += weight[path]
    return sorted(chosen)


@dataclass
class SplitWalk:
    """A forked walker of `subtrees`; ``merge`` records what it found."""

    subtrees: list[str]
    pid: int
    fd: int
    merged: dict[str, tuple[int, int]] = field(default_factory=dict)    # path -> (dev, inode)

    @classmethod
    def start(cls, writer: IndexWriter, root: str, *, known_files: int, min_files: int,
              exclude: tuple[str, ...] | list[str], include_hidden: bool, share: float = 0.5
              ) -> SplitWalk | None:
        """Fork a helper walking about `share` of the tree, or None when not worth it or not possible."""
        if known_files < min_files or not hash_helper.can_fork():
            return None
        subtrees = plan(root, list(writer.stored_dir_paths()), share)
        if not subtrees:
            return None
        r, w = os.pipe()
        pid = os.fork()
        if pid:
            os.close(w)
            return cls(subtrees, pid, r)
        os.close(r)
        hash_helper.run_child(lambda: _child(writer, subtrees, exclude, include_hidden, w))
        raise AssertionError("unreachable")

    def merge(self, writer: IndexWriter, seen: set[tuple[int, int]], on_error: Callable[[str, str], None],
              progress: Progress, exclude: tuple[str, ...] | list[str], include_hidden: bool) -> None:
        """Record the helper's folders (after the main walk); walk its subtrees here if it failed.

        A folder the main walk already entered under another path (a bind mount) is skipped
        with everything below it, as a single walk would.
        """
        sep = os.sep
        skipped: list[str] = []
        complete = False
        try:
            with os.fdopen(self.fd, "rb") as fh:
                self.fd = -1
                while True:
                    try:
                        batch = pickle.load(fh)       # noqa: S301 - our own forked child wrote it
                    except EOFError:
                        break
                    if batch is None:
                        complete = True
                        break
                    progress.check()
                    for kind, item in batch:
                        if kind == "E":
                            on_error(*item)
                            continue
                        path, dev, ino, blob, is_complete, sig, counts = item
                        if (dev, ino) in seen or any(path.startswith(p) for p in skipped):
                            skipped.append(path + sep)
                            continue
                        seen.add((dev, ino))
                        self.merged[path] = (dev, ino)
                        if sig is None or not writer.add_known(path, sig, *counts):
                            writer.add_dir(path, pickle.loads(blob), is_complete, blob)  # noqa: S301
                        progress.advance(counts[0] + counts[1], counts[2])
        finally:
            self.stop()
        if not complete:                # the helper failed: walk its part here, minus what it sent
            seen.difference_update(self.merged.values())
            for listing in walk_dirs(self.subtrees, exclude=exclude, include_hidden=include_hidden,
                                     on_error=on_error, progress=progress, seen=seen, subtrees=True):
                if listing.path not in self.merged:
                    writer.add_dir(listing.path, listing.files, listing.complete)

    def stop(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.pid:
            try:
                os.kill(self.pid, 9)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = 0


def _child(writer: IndexWriter, subtrees: list[str], exclude: tuple[str, ...] | list[str],
           include_hidden: bool, w: int) -> None:
    out = os.fdopen(w, "wb", buffering=1 << 16)
    batch: list[tuple] = []

    def on_error(path: str, reason: str) -> None:
        batch.append(("E", (path, reason)))

    for listing in walk_dirs(subtrees, exclude=exclude, include_hidden=include_hidden, on_error=on_error,
                             subtrees=True):
        files = listing.files
        blob = listing_blob(files)
        links = sum(1 for r in files if r[6])
        counts = (len(files) - links, links, sum(r[1] for r in files if not r[6]))
        sig = None
        if listing.complete:
            sig = listing_signature(files, blob)
            if writer.signature_of(listing.path) != sig:
                sig = None              # changed or new: the main process needs the records
        batch.append(("D", (listing.path, listing.dev, listing.inode, blob, listing.complete, sig, counts)))
        if len(batch) >= _BATCH:
            pickle.dump(batch, out, pickle.HIGHEST_PROTOCOL)
            batch = []
    pickle.dump(batch, out, pickle.HIGHEST_PROTOCOL)
    pickle.dump(None, out, pickle.HIGHEST_PROTOCOL)
    out.flush()
