"""Duplicate grouping: files of one size -> partial hash -> full hash (-> bytes).

Hard links of one inode are one file on disk: the inode is hashed once and
never counted as a duplicate of itself, but when its content is duplicated
elsewhere, every path of it is listed in the group. Callers pass regular
files only (symlinks are never members). Keep policies live in ``core.keep``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from app.core import hashing
from app.core.progress import Progress
from app.core.walk import FileRecord, describe_error

ErrorHandler = Callable[[str, str], None]


@dataclass(slots=True)
class Candidate:
    """A file that shares its size with another; hashes filled in as the stages run."""

    key: int            # the caller's id (the index row id)
    path: str
    size: int
    mtime_ns: int
    inode: int
    dev: int
    nlink: int
    partial: bytes | None = None
    full: bytes | None = None


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


HashedCallback = Callable[[Candidate, "bytes | None"], None]


def _by_inode(members: Iterable[Candidate]) -> dict[tuple[int, int], list[Candidate]]:
    inodes: dict[tuple[int, int], list[Candidate]] = {}
    for c in members:
        inodes.setdefault((c.dev, c.inode), []).append(c)
    return inodes


def _representative(paths: list[Candidate]) -> Candidate:
    for c in paths:
        if c.full is not None:
            return c
    for c in paths:
        if c.partial is not None:
            return c
    return paths[0]


def confirm_size_group(members: list[Candidate], *, on_hashed: HashedCallback | None = None,
                       on_error: ErrorHandler | None = None, paranoid: bool = False,
                       progress: Progress | None = None) -> list[DuplicateGroup]:
    """Split files of one size into groups of identical content.

    Stored hashes on a Candidate are trusted (the index keeps them only while
    size, mtime and inode are unchanged). Each newly hashed path is passed to
    ``on_hashed(candidate, head)`` (head: its first bytes when read, else None)
    so the caller can store the hashes. Unreadable files go to on_error and
    drop out.
    """
    if not paranoid and all(c.full is not None for c in members):
        return _group_by_stored_hash(members)       # a rerun: everything is known already
    inodes = _by_inode(members)
    if len(inodes) < 2:
        return []
    reps = {key: _representative(paths) for key, paths in inodes.items()}

    def hashed(key: tuple[int, int], head: bytes | None) -> None:
        rep = reps[key]
        for c in inodes[key]:
            if c is not rep:
                c.partial, c.full = rep.partial, rep.full
            if on_hashed is not None:
                on_hashed(c, head)

    def failed(key: tuple[int, int], exc: OSError) -> None:
        if on_error is not None:
            on_error(reps[key].path, describe_error(exc) if not isinstance(exc, hashing.ChangedError)
                     else "changed since scan")
        del reps[key]

    # stage 1: partial hash (whole content for small files)
    for key, rep in list(reps.items()):
        if rep.partial is None:
            if progress is not None:
                progress.check()
            try:
                rep.partial, full, head = hashing.partial_hash(rep.path, rep.size)
            except OSError as exc:
                failed(key, exc)
                continue
            if full is not None:
                rep.full = full
            hashed(key, head)
            if progress is not None:
                progress.advance(0, min(rep.size, hashing.SMALL))
    buckets: dict[bytes, list[tuple[int, int]]] = defaultdict(list)
    for key, rep in reps.items():
        buckets[rep.partial].append(key)

    groups: list[DuplicateGroup] = []
    for keys in buckets.values():
        if len(keys) < 2:
            continue
        # stage 2: full hash
        by_full: dict[bytes, list[tuple[int, int]]] = defaultdict(list)
        for key in keys:
            rep = reps.get(key)
            if rep is None:
                continue
            if rep.full is None:
                if progress is not None:
                    progress.check()
                try:
                    rep.full = hashing.full_hash(rep.path, rep.size)
                except OSError as exc:
                    failed(key, exc)
                    continue
                hashed(key, None)
                if progress is not None:
                    progress.advance(0, rep.size)
            by_full[rep.full].append(key)
        for digest, same in by_full.items():
            if len(same) < 2:
                continue
            for part in (_split_by_bytes(same, reps, on_error) if paranoid else [same]):
                if len(part) >= 2:
                    groups.append(_make_group(digest, part, inodes))
    return groups


def _group_by_stored_hash(members: list[Candidate]) -> list[DuplicateGroup]:
    by_full: dict[bytes, list[Candidate]] = {}
    for c in members:
        by_full.setdefault(c.full, []).append(c)        # type: ignore[arg-type]
    groups = []
    for digest, same in by_full.items():
        if len(same) > 1:
            inodes = _by_inode(same)
            if len(inodes) > 1:
                groups.append(_make_group(digest, list(inodes), inodes))
    return groups


def groups_from_hashed(rows: Iterable[tuple]) -> list[DuplicateGroup]:
    """Groups from ``(size, full_hash, path, mtime_ns, inode, dev, nlink)`` rows, those of one
    (size, hash) next to each other (sorted by size and hash, or by hash and size).

    For files whose full hashes are already known (a rerun); a run of rows with
    one (size, hash) is a group when it holds at least two distinct inodes.
    """
    return groups_from_runs([list(run) for _, run in groupby(rows, key=itemgetter(0, 1))])


def groups_from_runs(runs: Iterable[list[tuple]]) -> list[DuplicateGroup]:
    """Groups from runs of ``(size, full_hash, path, mtime_ns, inode, dev, nlink)`` rows, each run
    one (size, hash) with one row per path: a group where it holds two distinct inodes or more."""
    new = tuple.__new__         # DupFile(...) without the named tuple's Python-level __new__
    return groups_from_content(((run[0][0], run[0][1]),
                                [new(DupFile, (r[2], r[0], r[3], r[4], r[5], r[6], False)) for r in run])
                               for run in runs if len(run) > 1)


def groups_from_content(paths: Iterable[tuple[tuple[int, bytes], list[DupFile]]]) -> list[DuplicateGroup]:
    """Groups from ``((size, full hash), paths)`` pairs, one per content, the paths DupFiles not
    marked ``hardlinked`` yet: a group where two distinct inodes or more share one content
    (the lists are sorted in place)."""
    groups: list[DuplicateGroup] = []
    for (size, digest), files in paths:
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


def _split_by_bytes(keys: list[tuple[int, int]], reps: dict[tuple[int, int], Candidate],
                    on_error: ErrorHandler | None) -> list[list[tuple[int, int]]]:
    """Partition inodes whose hashes agree by a byte-by-byte comparison."""
    parts: list[list[tuple[int, int]]] = []
    for key in keys:
        path = reps[key].path
        for part in parts:
            try:
                if hashing.same_bytes(reps[part[0]].path, path):
                    part.append(key)
                    break
            except OSError as exc:
                if on_error is not None:
                    on_error(path, describe_error(exc))
                break
        else:
            parts.append([key])
    return parts


def _make_group(digest: bytes, keys: list[tuple[int, int]],
                inodes: dict[tuple[int, int], list[Candidate]]) -> DuplicateGroup:
    files: list[DupFile] = []
    for key in keys:
        paths = inodes[key]
        linked = len(paths) > 1
        files.extend(DupFile(c.path, c.size, c.mtime_ns, c.inode, c.dev, c.nlink, linked) for c in paths)
    files.sort(key=lambda f: f.path)
    return DuplicateGroup(files[0].size, digest.hex(), files)


def sort_groups(groups: list[DuplicateGroup]) -> list[DuplicateGroup]:
    """Largest reclaimable space first, then by first path (a stable, readable order)."""
    return sorted(groups, key=lambda g: (g.size * (1 - _distinct_inodes(g.files)), g.files[0][0]))


def duplicates_in(records: Iterable[FileRecord], *, min_size: int = 1, max_size: int | None = None,
                  paranoid: bool = False, on_error: ErrorHandler | None = None,
                  progress: Progress | None = None) -> list[DuplicateGroup]:
    """Duplicate groups among in-memory records (no index); symlinks are ignored."""
    by_size: dict[int, list[Candidate]] = defaultdict(list)
    lo = max(1, min_size)
    for i, r in enumerate(records):
        if r.is_link or r.size < lo or (max_size is not None and r.size > max_size):
            continue
        by_size[r.size].append(Candidate(i, r.path, r.size, r.mtime_ns, r.inode, r.dev, r.nlink))
    groups: list[DuplicateGroup] = []
    for members in by_size.values():
        if len(members) > 1:
            groups.extend(confirm_size_group(members, on_error=on_error, paranoid=paranoid,
                                             progress=progress))
    return sort_groups(groups)
