"""Duplicate grouping while the walk is still running: a file is hashed as soon as it has a partner.

``OnlineGrouper`` takes walk records folder by folder. A size seen once costs
nothing; when a second inode of that size arrives, both get their partial hash;
when two inodes share (size, partial hash), both get their full hash; later
arrivals are hashed on arrival. So exactly the files the staged grouping of
``core.dedup`` would hash are hashed, in the same stages, but the work can
overlap the walk (the duplicate finder does it in a helper process while the
main process writes the index). Hard links of one inode are hashed once and
never count as duplicates of each other; symlinks and sizes outside
[min_size, max_size] are ignored; empty files are never duplicates.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from app.core import hashing
from app.core.dedup import Candidate, DupFile, DuplicateGroup, _split_by_bytes, sort_groups
from app.core.walk import describe_error

ErrorHandler = Callable[[str, str], None]
# (candidate, head) for every path whose hashes became known; head: its first bytes when read, else None
HashedCallback = Callable[[Candidate, "bytes | None"], None]
HEAD_KEEP = 16          # first bytes kept per inode: enough for categories.sniff (longest signature: 14)

_PARTIAL, _FULL = 0, 1


class _SizeGroup:
    """Files of one size, once at least two paths have it."""

    __slots__ = ("inodes", "heads", "buckets", "failed")

    def __init__(self) -> None:
        self.inodes: dict[tuple[int, int], list[Candidate]] = {}    # (dev, inode) -> paths; [0] is hashed
        self.heads: dict[tuple[int, int], bytes] = {}
        self.buckets: dict[bytes, list[tuple[int, int]]] = {}       # partial hash -> inodes
        self.failed: set[tuple[int, int]] = set()


class OnlineGrouper:
    """Feed records with ``add``, do the hashing they make due with ``run``, then read ``groups()``."""

    def __init__(self, *, min_size: int = 1, max_size: int | None = None, paranoid: bool = False,
                 on_hashed: HashedCallback | None = None, on_error: ErrorHandler | None = None) -> None:
        self._lo = max(1, min_size)
        self._hi = max_size
        self._paranoid = paranoid
        self._on_hashed = on_hashed
        self._on_error = on_error
        self._sizes: dict[int, Any] = {}            # size -> (seq, first record) or a _SizeGroup
        self._work: deque[tuple[int, _SizeGroup, tuple[int, int]]] = deque()
        self.files = 0                              # records taken
        self.hashed_files = 0                       # inodes hashed (partial or full)
        self.hashed_bytes = 0

    @property
    def pending(self) -> int:
        """Hashes queued and not yet done."""
        return len(self._work)

    def add(self, records: Iterable[tuple]) -> None:
        """Take ``(path, size, mtime_ns, inode, dev, nlink, is_link)`` records (FileRecord or tuples).

        Records are numbered from 0 in the order they come, over all calls: that number is
        the ``key`` of the Candidate passed to ``on_hashed``.
        """
        sizes, lo, hi = self._sizes, self._lo, self._hi
        seq = self.files
        for r in records:
            size = r[1]
            if r[6] or size < lo or (hi is not None and size > hi):
                seq += 1
                continue
            entry = sizes.get(size)
            if entry is None:
                sizes[size] = (seq, r)
                seq += 1
                continue
            if entry.__class__ is not _SizeGroup:
                group = _SizeGroup()
                sizes[size] = group
                self._join(group, *entry)
                entry = group
            self._join(entry, seq, r)
            seq += 1
        self.files = seq

    def _join(self, g: _SizeGroup, seq: int, r: tuple) -> None:
        key = (r[4], r[3])
        c = Candidate(seq, r[0], r[1], r[2], r[3], r[4], r[5])
        paths = g.inodes.get(key)
        if paths is not None:                   # another path of a known inode (a hard link)
            paths.append(c)
            rep = paths[0]
            if rep.partial is not None:
                c.partial, c.full = rep.partial, rep.full
                self._hashed(c, g.heads.get(key))
            return
        if key in g.failed:
            return
        g.inodes[key] = [c]
        if len(g.inodes) == 2:
            for k in g.inodes:
                self._work.append((_PARTIAL, g, k))
        elif len(g.inodes) > 2:
            self._work.append((_PARTIAL, g, key))

    def _hashed(self, c: Candidate, head: bytes | None) -> None:
        if self._on_hashed is not None:
            self._on_hashed(c, head)

    def _fail(self, g: _SizeGroup, key: tuple[int, int], exc: OSError) -> None:
        paths = g.inodes.pop(key)
        g.failed.add(key)
        if self._on_error is not None:
            self._on_error(paths[0].path, "changed since scan" if isinstance(exc, hashing.ChangedError)
                           else describe_error(exc))

    def run(self, limit: int | None = None) -> int:
        """Do up to `limit` queued hashes (all when None, including those they make due); returns
        how many are still queued."""
        work = self._work
        done = 0
        while work and (limit is None or done < limit):
            stage, g, key = work.popleft()
            done += 1
            paths = g.inodes.get(key)
            if paths is None:
                continue
            rep = paths[0]
            if stage == _PARTIAL:
                try:
                    partial, full, head = hashing.partial_hash(rep.path, rep.size)
                except OSError as exc:
                    self._fail(g, key, exc)
                    continue
                self.hashed_files += 1
                self.hashed_bytes += min(rep.size, hashing.SMALL)
                head = head[:HEAD_KEEP]
                g.heads[key] = head
                for c in paths:
                    c.partial, c.full = partial, full
                    self._hashed(c, head)
                bucket = g.buckets.setdefault(partial, [])
                bucket.append(key)
                if full is None:
                    if len(bucket) == 2:
                        work.extend((_FULL, g, k) for k in bucket)
                    elif len(bucket) > 2:
                        work.append((_FULL, g, key))
            else:
                if rep.full is not None:
                    continue
                try:
                    full = hashing.full_hash(rep.path, rep.size)
                except OSError as exc:
                    self._fail(g, key, exc)
                    continue
                self.hashed_bytes += rep.size
                for c in paths:
                    c.full = full
                    self._hashed(c, None)
        return len(work)

    def groups(self) -> list[DuplicateGroup]:
        """The duplicate groups, largest reclaimable first (call after the last ``add`` and ``run()``)."""
        return sort_groups([DuplicateGroup(size, digest, [DupFile(*f) for f in files])
                            for size, digest, files in self.group_tuples()])

    def group_tuples(self) -> list[tuple[int, str, list[tuple]]]:
        """The groups as ``(size, hex digest, [DupFile fields...])`` tuples, files sorted by path,
        in no particular order: cheap to send to another process."""
        self.run()
        found: list[tuple[int, str, list[tuple]]] = []
        for g in self._sizes.values():
            if g.__class__ is not _SizeGroup:
                continue
            by_full: dict[bytes, list[tuple[int, int]]] = {}
            for key, paths in g.inodes.items():
                if paths[0].full is not None:
                    by_full.setdefault(paths[0].full, []).append(key)
            for digest, keys in by_full.items():
                if len(keys) < 2:
                    continue
                if self._paranoid:
                    parts = _split_by_bytes(keys, {k: g.inodes[k][0] for k in keys}, self._on_error)
                else:
                    parts = [keys]
                for part in parts:
                    if len(part) < 2:
                        continue
                    files = []
                    for key in part:
                        paths = g.inodes[key]
                        linked = len(paths) > 1
                        files.extend((c.path, c.size, c.mtime_ns, c.inode, c.dev, c.nlink, linked)
                                     for c in paths)
                    files.sort()
                    found.append((files[0][1], digest.hex(), files))
        return found
