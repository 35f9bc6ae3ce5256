"""Fast directory walk: regular files and symlinks as FileRecords, in batches.

One tight loop over ``os.scandir``; each entry costs one ``lstat``
(``platform.filestat.entry_lstat``: the listing's own on POSIX). Symbolic links are reported
with ``is_link=True`` and never followed, so link loops cannot hang the walk;
directories are also remembered by (dev, inode), so a bind-mount loop is
visited once. Problems (unreadable folders, files vanishing mid-walk, paths too
long for the OS) go to ``on_error(path, reason)`` and the walk goes on.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import pickle
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from blake3 import blake3

from app.core.progress import Progress
from app.platform import filestat

ErrorHandler = Callable[[str, str], None]

BATCH_SIZE = 4096
_HIDDEN_ATTR = getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class FileRecord(NamedTuple):
    """One file found by the walk (a symlink has is_link=True and its own lstat values)."""

    path: str
    size: int
    mtime_ns: int
    inode: int
    dev: int
    nlink: int
    is_link: bool
    ctime_ns: int = 0       # inode change time (Windows: what os.stat reports as st_ctime)


class DirListing(NamedTuple):
    """Everything the walk learned about one folder."""

    path: str
    dev: int
    inode: int
    files: list[FileRecord]
    complete: bool = True       # False: only some of the folder's files (a file root, a read error)
    links: int = 0              # how many of `files` are symbolic links
    nbytes: int = 0             # the bytes of the regular ones


def describe_error(exc: OSError) -> str:
    """A short human reason for an OS error."""
    if exc.errno == errno.ENOENT:
        return "vanished during scan"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENAMETOOLONG:
        return "path too long"
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return exc.strerror or str(exc)


def exclude_matcher(patterns: Iterable[str]) -> Callable[[str, str], bool] | None:
    """A test `(name, path) -> bool` true when a glob matches the name or the whole path."""
    seps = "/" + os.sep if os.altsep is None else os.sep + os.altsep
    pats = [p.rstrip(seps) or p for p in patterns if p]
    if not pats:
        return None
    rx = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in pats))
    match = rx.match

    def excluded(name: str, path: str) -> bool:
        return match(name) is not None or match(path) is not None

    return excluded


def _is_hidden(name: str, st: os.stat_result | None) -> bool:
    if name.startswith("."):
        return True
    return bool(_HIDDEN_ATTR and st is not None and getattr(st, "st_file_attributes", 0) & _HIDDEN_ATTR)


def _ignore(_path: str, _reason: str) -> None:
    return None


def walk_dirs(roots: Iterable[str], *, exclude: Iterable[str] = (), include_hidden: bool = True,
              on_error: ErrorHandler | None = None, progress: Progress | None = None,
              deferred: list[str] | None = None, seen: set[tuple[int, int]] | None = None,
              subtrees: bool = False, max_files: int | None = None,
              leftover: list[tuple[str, int, int]] | None = None,
              plain: bool = False) -> Iterator[DirListing]:
    """Yield one DirListing per folder under each root (depth first, the root first).

    A root that is a file yields a listing of its parent holding just that file.
    A root that does not exist is reported through on_error. With a `deferred` list, only
    the roots are listed and their subfolders are appended to it (for other walkers).
    `seen` collects the (dev, inode) of every folder walked. With subtrees=True the roots
    are folders an earlier walk found: not followed if they are links now, skipped unless
    folders. With `max_files` and a `leftover` list, the walk stops after the folder that
    brings it to that many entries and appends the folders it has not listed yet to
    `leftover` as (path, dev, inode), dev and inode -1 where unknown. With plain=True the
    records are plain tuples of FileRecord's fields, as a worker sends them (a named tuple
    pickles through its class, several times slower).
    """
    report = on_error or _ignore
    excluded = exclude_matcher(exclude)
    seen_dirs: set[tuple[int, int]] = set() if seen is None else seen
    S_IFREG, S_IFLNK, S_IFDIR = stat.S_IFREG, stat.S_IFLNK, stat.S_IFDIR
    filtered = excluded is not None or not include_hidden
    # FileRecord(...) without the named tuple's Python-level __new__ (a third of its cost)
    new_record, record_type = tuple.__new__, tuple if plain else FileRecord
    by_fd = os.scandir in os.supports_fd
    sep = os.sep
    lstat_entry = filestat.entry_lstat
    budget = max_files
    roots = list(roots)
    for index, root in enumerate(roots):
        if budget is not None and budget <= 0:
            leftover.extend((r, -1, -1) for r in roots[index:])     # type: ignore[union-attr]
            return
        root = os.path.abspath(root)
        if subtrees:
            try:
                st = os.lstat(root)
            except FileNotFoundError:
                continue                # gone since its parent was listed
            except OSError as exc:      # e.g. a path longer than the OS allows
                report(root, describe_error(exc))
                continue
            if not stat.S_ISDIR(st.st_mode):
                continue
        else:
            try:
                st = os.stat(root)      # the root itself is followed, as the user named it
            except OSError as exc:
                report(root, "does not exist" if exc.errno == errno.ENOENT else describe_error(exc))
                continue
        if stat.S_ISREG(st.st_mode):
            rec = new_record(record_type, (root, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev,
                                           st.st_nlink, False, st.st_ctime_ns))
            parent = os.path.dirname(root)
            try:
                pst = os.stat(parent)
            except OSError as exc:
                report(parent, describe_error(exc))
                continue
            yield DirListing(parent, pst.st_dev, pst.st_ino, [rec], False, 0, rec.size)
            continue
        if not stat.S_ISDIR(st.st_mode):
            report(root, "not a folder or regular file")
            continue
        followed = "" if subtrees else root
        stack: list[tuple[str, int, int]] = [(root, st.st_dev, st.st_ino)]
        while stack:
            dpath, ddev, dino = stack.pop()
            if (ddev, dino) in seen_dirs:
                continue
            seen_dirs.add((ddev, dino))
            if progress is not None:
                progress.check()
            files: list[FileRecord] = []
            complete = True
            subdirs: list[tuple[str, int, int]] = []
            dfd = -1
            try:
                if by_fd:
                    # stat relative to the folder's descriptor: the kernel does not walk the whole
                    # path again for each entry (~25% of the walk's CPU); O_NOFOLLOW below the root
                    dfd = os.open(dpath, _DIR_FLAGS if dpath == followed else _DIR_FLAGS | _NOFOLLOW)
                    it = os.scandir(dfd)
                else:
                    it = os.scandir(dpath)
            except OSError as exc:
                if dfd >= 0:
                    os.close(dfd)
                report(dpath, describe_error(exc))
                continue
            prefix = dpath if dpath.endswith(sep) else dpath + sep
            nbytes = links = 0
            try:
                with it:
                    for entry in it:
                        path = prefix + entry.name
                        try:
                            est = lstat_entry(entry)
                        except OSError as exc:
                            report(path, describe_error(exc))
                            continue
                        if filtered:
                            name = entry.name
                            if not include_hidden and _is_hidden(name, est):
                                continue
                            if excluded is not None and excluded(name, path):
                                continue
                        kind = est.st_mode & 0o170000      # stat.S_IFMT without a call
                        if kind == S_IFREG:
                            size = est.st_size
                            nbytes += size
                            files.append(new_record(record_type, (path, size, est.st_mtime_ns,
                                                                 est.st_ino, est.st_dev, est.st_nlink,
                                                                 False, est.st_ctime_ns)))
                        elif kind == S_IFDIR:
                            subdirs.append((path, est.st_dev, est.st_ino))
                        elif kind == S_IFLNK:
                            links += 1
                            files.append(new_record(record_type, (path, est.st_size, est.st_mtime_ns,
                                                                 est.st_ino, est.st_dev, est.st_nlink,
                                                                 True, est.st_ctime_ns)))
                        # sockets, FIFOs and devices are not files a user organizes: skipped
            except OSError as exc:          # reading the folder itself failed (e.g. EIO)
                report(dpath, describe_error(exc))
                complete = False
            finally:
                if dfd >= 0:
                    os.close(dfd)
            yield DirListing(dpath, ddev, dino, files, complete, links, nbytes)
            if progress is not None and files:
                progress.advance(len(files), nbytes)
            if deferred is not None:
                deferred.extend(path for path, _, _ in subdirs)
                continue
            subdirs.reverse()           # so the stack pops them in directory order
            stack.extend(subdirs)
            if budget is not None:
                budget -= len(files) + 1
                if budget <= 0 and stack:
                    leftover.extend(reversed(stack))        # type: ignore[union-attr]
                    stack.clear()


def walk(roots: Iterable[str], *, exclude: Iterable[str] = (), include_hidden: bool = True,
         on_error: ErrorHandler | None = None, progress: Progress | None = None,
         batch_size: int = BATCH_SIZE) -> Iterator[list[FileRecord]]:
    """Yield every regular file and symlink under `roots` as lists of FileRecords.

    Symlinks are reported (is_link=True) and never followed. Errors go to
    ``on_error(path, reason)``; the walk continues.
    """
    batch: list[FileRecord] = []
    for listing in walk_dirs(roots, exclude=exclude, include_hidden=include_hidden,
                             on_error=on_error, progress=progress):
        batch.extend(listing.files)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def listing_signature(records: Sequence[FileRecord]) -> bytes:
    """A digest of a folder's listing (every field of every record, in walk order): equal
    digests mean the index's rows of that folder are still right.

    The records are pickled as plain tuples: a named tuple pickles through its class, several
    times slower.
    """
    return blake3(pickle.dumps(list(map(tuple, records)), 5)).digest(length=16)


class FolderSeen(NamedTuple):
    """One folder as a subtree walker saw it (``walk_subtrees``)."""

    path: str
    signature: bytes | None             # None: the listing broke off (not complete)
    files: list[tuple] | None           # FileRecord fields; None: the signature is the one the caller knew
    count: int                          # regular files
    links: int
    nbytes: int


class SubtreeWalk(NamedTuple):
    """What ``walk_subtrees`` saw: the folders, the errors, and the folders it left for later."""

    folders: list[FolderSeen]
    errors: list[tuple[str, str]]
    listed: set[tuple[int, int]]                # (dev, inode) of every folder listed
    leftover: list[tuple[str, int, int]]        # (path, dev, inode) of the folders not reached


def walk_subtrees(paths: Sequence[str], exclude: Sequence[str], include_hidden: bool,
                  known: Mapping[str, bytes], max_files: int | None = None) -> SubtreeWalk:
    """Walk subtrees (folders another walk found) and describe every folder in them.

    A folder whose listing digest equals ``known[path]`` comes without its records: the
    caller's index has them already. With `max_files`, the walk stops once it has seen about
    that many entries and returns the folders it did not list in ``leftover``, for the
    caller to hand out again: however the tree is shaped, no piece of work grows large and
    the workers stay evenly busy. A module-level function of plain values, so that a worker
    process can run it.
    """
    errors: list[tuple[str, str]] = []
    out: list[FolderSeen] = []
    leftover: list[tuple[str, int, int]] = []
    listed: set[tuple[int, int]] = set()
    for listing in walk_dirs(paths, exclude=exclude, include_hidden=include_hidden, subtrees=True,
                             on_error=lambda p, r: errors.append((p, r)), seen=listed,
                             max_files=max_files, leftover=leftover, plain=True):
        files = listing.files
        sig = listing_signature(files) if listing.complete else None
        same = sig is not None and known.get(listing.path) == sig
        out.append(FolderSeen(listing.path, sig, None if same else files, len(files) - listing.links,
                              listing.links, listing.nbytes))
    return SubtreeWalk(out, errors, listed, leftover)
