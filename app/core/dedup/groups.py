"""Duplicate groups: files with the same size and full hash (and, when asked, the same bytes).

Hard links of one inode are one file on disk: never counted as a duplicate of
itself, but when its content is duplicated elsewhere, every path of it is listed
in the group. Symlinks are never members. Which files get hashed, and when, is
``jobs.duplicates``' business; keep policies live in ``core.dedup.keep``.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from app.core.dedup import hashing
from app.core.scan.walk import describe_error

ErrorHandler = Callable[[str, str], None]


class DupFile(NamedTuple):
    """One path in a duplicate group (a named tuple: tens of thousands are made per run)."""

    path: str
    size: int
    mtime_ns: int
    inode: int
    dev: int
    nlink: int
    hardlinked: bool = False     # another path of this group is the same inode

    @property
    def mtime(self) -> float:
        return self.mtime_ns / 1e9


class HashedFile(NamedTuple):
    """A file whose full hash is stored, as the index lists it for grouping."""

    size: int
    full_hash: bytes
    path: str
    mtime_ns: int
    inode: int
    dev: int
    nlink: int


@dataclass(slots=True)
class DuplicateGroup:
    """Files with identical bytes; at least two distinct inodes."""

    size: int
    hash: str                    # hex blake3 of the content
    files: list[DupFile]

    @property
    def copies(self) -> int:
        """Distinct files on disk (hard links of one inode count once)."""
        return _distinct_inodes(self.files)

    @property
    def duplicate_files(self) -> int:
        """Copies beyond the first: what removing duplicates would remove."""
        return self.copies - 1

    @property
    def reclaimable(self) -> int:
        """Bytes freed by keeping one copy."""
        return self.size * (self.copies - 1)


def _distinct_inodes(files: list[DupFile]) -> int:
    for f in files:
        if f[6]:            # hardlinked: another path of the group is this inode
            return len({(f[4], f[3]) for f in files})
    return len(files)


def groups_from_hashed(rows: Iterable[HashedFile]) -> list[DuplicateGroup]:
    """Groups from HashedFile rows, those of one (size, hash) next to each other (sorted by
    size and hash, or by hash and size).

    For files whose full hashes are already known (a rerun); a run of rows with
    one (size, hash) is a group when it holds at least two distinct inodes.
    """
    new = tuple.__new__         # DupFile(...) without the named tuple's Python-level __new__
    groups: list[DuplicateGroup] = []
    for (size, digest), run in groupby(rows, key=itemgetter(0, 1)):
        files = [new(DupFile, (r.path, r.size, r.mtime_ns, r.inode, r.dev, r.nlink, False)) for r in run]
        if len(files) < 2:
            continue
        inodes = {(f[4], f[3]) for f in files}
        if len(inodes) < 2:
            continue                                # paths of one inode only
        if len(inodes) < len(files):                # hard links: mark the paths sharing an inode
            counts: dict[tuple[int, int], int] = {}
            for f in files:
                counts[(f[4], f[3])] = counts.get((f[4], f[3]), 0) + 1
            files = [f._replace(hardlinked=True) if counts[(f[4], f[3])] > 1 else f for f in files]
        files.sort()            # by path, its first field
        groups.append(DuplicateGroup(size, digest.hex(), files))
    return groups


def split_by_bytes(group: DuplicateGroup, on_error: ErrorHandler | None = None) -> list[DuplicateGroup]:
    """The paranoid check: `group` split into parts whose files are equal byte by byte (one path
    per inode is read); parts of a single inode are dropped."""
    parts: list[list[DupFile]] = []       # each part: one file per inode, the first is compared
    inodes: dict[tuple[int, int], list[DupFile]] = {}
    for f in group.files:
        inodes.setdefault((f.dev, f.inode), []).append(f)
    for paths in inodes.values():
        first = paths[0]
        for part in parts:
            try:
                if hashing.same_bytes(part[0].path, first.path):
                    part.append(first)
                    break
            except OSError as exc:
                if on_error is not None:
                    on_error(first.path, describe_error(exc))
                break
        else:
            parts.append([first])
    out = []
    for part in parts:
        if len(part) > 1:
            files = sorted(f for rep in part for f in inodes[(rep.dev, rep.inode)])
            out.append(DuplicateGroup(group.size, group.hash, files))
    return out


SORT_RUN = 2000       # groups sorted in one go (see sort_groups)


def sort_groups(groups: list[DuplicateGroup]) -> list[DuplicateGroup]:
    """Largest reclaimable space first, then by first path (a stable, readable order).

    One sorted() over every group holds the GIL throughout: on 28,000 groups the window's UI
    thread stood still for ~85 ms while its search thread sorted. Runs of SORT_RUN are sorted
    and then merged in Python, which lets other threads in between; the order is the same.
    """
    def key(g: DuplicateGroup) -> tuple[int, str]:
        return g.size * (1 - _distinct_inodes(g.files)), g.files[0][0]

    runs = [sorted(groups[i:i + SORT_RUN], key=key) for i in range(0, len(groups), SORT_RUN)]
    return list(heapq.merge(*runs, key=key))
