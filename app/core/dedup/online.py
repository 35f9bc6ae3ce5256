"""Hashing while the walk still runs: a file is due for hashing as soon as it has a partner.

The duplicate finder hashes exactly the files that share a size with another inode
(partial hash), then those that share (size, partial hash) with another inode (full
hash). On a tree nobody indexed yet every such hash must be computed, so
``EarlyHashes`` decides them while the walk is going, folder by folder, and hands the
work out at once: the hashing overlaps the walk. A size seen once costs nothing;
when a second inode of that size arrives, both become due; when two inodes share a
partial hash, both become due for the full hash; later arrivals are due on arrival.
Hard links of one inode are hashed once; symlinks and sizes outside
[min_size, max_size] are ignored; empty files are never duplicates.

It only computes hashes early: the duplicate finder still groups from the index and
hashes whatever this missed (files beyond ``limit``, errors), so a file that could not
be read here is simply tried again there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.core.dedup import hashing

# (stage, key, path, size): key numbers the hashing work; results come back by key
Work = tuple[int, int, str, int]
# what is known of an inode's content: (partial, full or None, what categories.sniff found)
Known = tuple[bytes, "bytes | None", "tuple[str, bool] | None"]


class _SizeGroup:
    """The inodes of one size, once at least two files have it."""

    __slots__ = ("inodes", "buckets")

    def __init__(self) -> None:
        self.inodes: dict[tuple[int, int], list[str]] = {}        # (dev, inode) -> its paths
        self.buckets: dict[bytes, list[tuple[int, int]]] = {}     # partial hash -> inodes


class EarlyHashes:
    """Feed walk records with ``add`` and results with ``done``; both return the work now due.

    ``known`` maps each hashed path to its (partial, full or None, sniffed type). At most `limit`
    files are taken (their paths are held in memory); later ones are left to the finder.
    """

    def __init__(self, *, min_size: int = 1, max_size: int | None = None, limit: int = 100_000) -> None:
        self._lo = max(1, min_size)
        self._hi = max_size
        self._limit = limit
        self._sizes: dict[int, Any] = {}       # size -> (path, dev, inode) of its first file, or a _SizeGroup
        self._work: dict[int, tuple[_SizeGroup, tuple[int, int], int]] = {}   # key -> (group, inode, size)
        self._next_key = 0
        self.taken = 0
        self.known: dict[str, Known] = {}

    @property
    def full(self) -> bool:
        """True once `limit` files were taken: later ones are not looked at."""
        return self.taken >= self._limit

    def add(self, records: Iterable[Any]) -> list[Work]:
        """Take ``core.scan.walk.FileRecord``s (or plain tuples of their fields); returns the
        partial hashes now due."""
        due: list[Work] = []
        sizes, lo, hi = self._sizes, self._lo, self._hi
        for path, size, _mtime, inode, dev, _nlink, is_link, _ctime in records:
            if is_link or size < lo or (hi is not None and size > hi):
                continue
            if self.taken >= self._limit:
                break
            self.taken += 1
            entry = sizes.get(size)
            if entry is None:
                sizes[size] = (path, dev, inode)
                continue
            if entry.__class__ is not _SizeGroup:
                group = _SizeGroup()
                sizes[size] = group
                self._join(group, entry[0], (entry[1], entry[2]), size, due)
                entry = group
            self._join(entry, path, (dev, inode), size, due)
        return due

    def _join(self, g: _SizeGroup, path: str, inode: tuple[int, int], size: int, due: list[Work]) -> None:
        paths = g.inodes.get(inode)
        if paths is not None:                   # another path of a known inode (a hard link)
            paths.append(path)
            known = self.known.get(paths[0])
            if known is not None:
                self.known[path] = known
            return
        g.inodes[inode] = [path]
        if len(g.inodes) == 2:
            for other in g.inodes:
                due.append(self._due(hashing.PARTIAL, g, other, size))
        elif len(g.inodes) > 2:
            due.append(self._due(hashing.PARTIAL, g, inode, size))

    def _due(self, stage: int, g: _SizeGroup, inode: tuple[int, int], size: int) -> Work:
        key = self._next_key
        self._next_key += 1
        self._work[key] = (g, inode, size)
        return (stage, key, g.inodes[inode][0], size)

    def done(self, results: Iterable[tuple]) -> list[Work]:
        """Take ``hashing.hash_batch`` results; returns the full hashes now due."""
        due: list[Work] = []
        for key, partial, full, extra in results:
            g, inode, size = self._work.pop(key)
            paths = g.inodes[inode]
            if partial is None and full is None:    # unreadable now: the finder tries again
                continue
            if partial is not None:                 # the partial stage
                known = (partial, full, extra)
                for p in paths:
                    self.known[p] = known
                if full is None:
                    bucket = g.buckets.setdefault(partial, [])
                    bucket.append(inode)
                    if len(bucket) == 2:
                        due.extend(self._due(hashing.FULL, g, i, size) for i in bucket)
                    elif len(bucket) > 2:
                        due.append(self._due(hashing.FULL, g, inode, size))
            else:                                   # the full stage
                first = self.known.get(paths[0])
                if first is not None:
                    known = (first[0], full, first[2])
                    for p in paths:
                        self.known[p] = known
        return due

    @property
    def outstanding(self) -> int:
        """Work handed out and not answered yet."""
        return len(self._work)
