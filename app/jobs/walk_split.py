"""Rescans walked by two processes sharing the subtrees of the tree as the index knows it.

A rescan's cost is mostly one ``lstat`` per file (the only way to notice a
change), and threads do not help there (the GIL; measured slower). So, when the
index already knows the tree, the scan cuts it into subtrees (from the stored
folders) and forks a helper. Both processes claim subtrees one at a time from a
pipe holding their numbers (a one-byte read is atomic), so a helper that gets
little CPU on a busy machine simply walks less. The helper computes each
folder's listing signature and reports whether it matches the stored one (the
records only when not); the main process records the helper's folders through
the same ``IndexWriter`` as it goes. The helper touches no database connection
(it compares against the writer's signatures, copied by the fork) and leaves
through ``os._exit``. If it fails, the main process walks what it did not report.
"""

from __future__ import annotations

import os
import pickle
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.progress import Progress
from app.core.walk import walk_dirs
from app.jobs import hash_helper
from app.store.index import IndexWriter, listing_blob, listing_signature

MIN_SUBTREES = 32       # cut the tree into at least this many pieces where it can be
MAX_SUBTREES = 255      # subtree numbers are single bytes
_LEN = struct.Struct("<I")
_PIPE_SIZE = 1 << 20

ErrorHandler = Callable[[str, str], None]


def plan(root: str, dir_paths: list) -> list[str]:
    """Subtrees (disjoint folder paths below `root`) to share out, largest first (by stored folders)."""
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
    # split the biggest pieces until there are enough and none holds much more than its share
    while frontier:
        biggest = max(frontier, key=weight.__getitem__)
        kids = children.get(biggest)
        if not kids or len(frontier) - 1 + len(kids) > MAX_SUBTREES or (
                len(frontier) >= MIN_SUBTREES and weight[biggest] <= total / MIN_SUBTREES):
            break
        frontier.remove(biggest)
        frontier.extend(kids)
    return sorted(frontier, key=lambda p: (-weight[p], p))


def _claim(tokens: int, subtrees: list[str]) -> str | None:
    got = os.read(tokens, 1)
    return subtrees[got[0]] if got else None


@dataclass
class SplitWalk:
    """A forked helper sharing the subtrees; ``poll`` and ``finish`` record what it found."""

    subtrees: list[str]
    pid: int
    fd: int                             # the helper's reports (non-blocking)
    tokens: int                         # subtree numbers still to claim
    buf: bytearray = field(default_factory=bytearray)
    reported: set[str] = field(default_factory=set)         # subtrees the helper finished
    merged: dict[str, tuple[int, int]] = field(default_factory=dict)    # folder -> (dev, inode)
    skipped: list[str] = field(default_factory=list)
    walked_here: set[str] = field(default_factory=set)     # subtrees this process walked
    done: bool = False                  # nothing more will come from the helper
    ended: bool = False                 # ... because it reported everything

    @classmethod
    def start(cls, writer: IndexWriter, root: str, *, known_files: int, min_files: int,
              exclude: tuple[str, ...] | list[str], include_hidden: bool) -> SplitWalk | None:
        """Fork the helper, or None when the tree is too small, cannot be cut, or fork is unavailable."""
        if known_files < min_files or not hash_helper.can_fork():
            return None
        subtrees = plan(root, list(writer.stored_dir_paths()))
        if len(subtrees) < 2:
            return None
        r_tok, w_tok = os.pipe()
        os.write(w_tok, bytes(range(len(subtrees))))
        os.close(w_tok)                 # an empty pipe then reads as end of file: nothing left
        r, w = os.pipe()
        hash_helper.grow_pipe(w, _PIPE_SIZE)
        pid = os.fork()
        if pid:
            os.close(w)
            os.set_blocking(r, False)
            return cls(subtrees, pid, r, r_tok)
        os.close(r)
        hash_helper.run_child(lambda: _child(writer, subtrees, r_tok, exclude, include_hidden, w))
        raise AssertionError("unreachable")

    @property
    def prune(self) -> frozenset[str]:
        """Folders the main walk of the root must not enter (they are shared out)."""
        return frozenset(self.subtrees)

    def claim(self) -> str | None:
        """The next subtree for this process to walk, or None when all are taken."""
        return _claim(self.tokens, self.subtrees)

    def poll(self, writer: IndexWriter, seen: set[tuple[int, int]], on_error: ErrorHandler,
             progress: Progress, block: bool = False) -> None:
        """Record the folders the helper reported so far (waiting for its end when `block`)."""
        while not self.done:
            try:
                chunk = os.read(self.fd, 1 << 20)
            except BlockingIOError:
                if not block:
                    return
                os.set_blocking(self.fd, True)
                continue
            if not chunk:               # the helper is gone (failed, or killed)
                self.done = True
                break
            self.buf += chunk
            self._take(writer, seen, on_error, progress)

    def _take(self, writer: IndexWriter, seen: set[tuple[int, int]], on_error: ErrorHandler,
              progress: Progress) -> None:
        buf, pos, sep = self.buf, 0, os.sep
        while len(buf) - pos >= _LEN.size:
            (length,) = _LEN.unpack_from(buf, pos)
            end = pos + _LEN.size + length
            if end > len(buf):
                break
            batch = pickle.loads(buf[pos + _LEN.size:end])    # noqa: S301 - our own forked child
            pos = end
            for kind, item in batch:
                if kind == "E":
                    on_error(*item)
                elif kind == "S":
                    self.reported.add(item)
                elif kind == "Z":
                    self.done = self.ended = True
                else:
                    path, dev, ino, blob, complete, sig, counts = item
                    if (dev, ino) in seen or any(path.startswith(p) for p in self.skipped):
                        self.skipped.append(path + sep)     # entered under another path (a bind mount)
                        continue
                    seen.add((dev, ino))
                    self.merged[path] = (dev, ino)
                    if blob is None:
                        if writer.add_known(path, sig, *counts):
                            progress.advance(counts[0] + counts[1], counts[2])
                            continue
                        blob = _relist(path)            # the stored signature moved on meanwhile
                        if blob is None:
                            continue
                    writer.add_dir(path, pickle.loads(blob), complete, blob)    # noqa: S301
                    progress.advance(counts[0] + counts[1], counts[2])
        del buf[:pos]

    def finish(self, writer: IndexWriter, seen: set[tuple[int, int]], on_error: ErrorHandler,
               progress: Progress, exclude: tuple[str, ...] | list[str], include_hidden: bool) -> None:
        """Walk the subtrees still unclaimed here, then record the rest of the helper's report.

        If the helper failed, the subtrees it claimed and did not finish are walked here
        (minus the folders it did report).
        """
        try:
            while (subtree := self.claim()) is not None:
                self._walk_here([subtree], writer, seen, on_error, progress, exclude, include_hidden)
            self.poll(writer, seen, on_error, progress, block=True)
        finally:
            complete = self.ended and bool(self.pid) and self._reap()
            self.stop()
        if not complete:
            left = [s for s in self.subtrees if s not in self.reported and s not in self.walked_here]
            seen.difference_update(self.merged.values())
            self._walk_here(left, writer, seen, on_error, progress, exclude, include_hidden, skip=self.merged)

    def _walk_here(self, subtrees: list[str], writer: IndexWriter, seen: set[tuple[int, int]],
                   on_error: ErrorHandler, progress: Progress, exclude: tuple[str, ...] | list[str],
                   include_hidden: bool, skip: dict | None = None) -> None:
        for listing in walk_dirs(subtrees, exclude=exclude, include_hidden=include_hidden,
                                 on_error=on_error, progress=progress, seen=seen, subtrees=True, plain=True):
            if skip is None or listing.path not in skip:
                writer.add_dir(listing.path, listing.files, listing.complete)
            if skip is None:
                self.poll(writer, seen, on_error, progress)
        self.walked_here.update(subtrees)

    def _reap(self) -> bool:
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return os.waitstatus_to_exitcode(status) == 0

    def stop(self) -> None:
        hash_helper.stop_child(self, "fd", "tokens")


def _relist(path: str) -> bytes | None:
    for listing in walk_dirs([path], subtrees=True, prune=_Everything(), plain=True):
        return listing_blob(listing.files)
    return None


class _Everything:
    """A `prune` that holds every folder: list one folder without entering any below it."""

    def __contains__(self, _item: object) -> bool:
        return True


def _child(writer: IndexWriter, subtrees: list[str], tokens: int, exclude: tuple[str, ...] | list[str],
           include_hidden: bool, w: int) -> None:
    batch: list[tuple] = []

    def send() -> None:
        data = pickle.dumps(batch, pickle.HIGHEST_PROTOCOL)
        hash_helper.write_all(w, _LEN.pack(len(data)) + data)
        batch.clear()

    def on_error(path: str, reason: str) -> None:
        batch.append(("E", (path, reason)))

    while (subtree := _claim(tokens, subtrees)) is not None:
        for listing in walk_dirs([subtree], exclude=exclude, include_hidden=include_hidden,
                                 on_error=on_error, subtrees=True, plain=True):
            files = listing.files
            blob = listing_blob(files)
            links = sum(1 for r in files if r[6])
            counts = (len(files) - links, links, sum(r[1] for r in files if not r[6]))
            sig = listing_signature(files, blob) if listing.complete else None
            unchanged = sig is not None and writer.signature_of(listing.path) == sig
            batch.append(("D", (listing.path, listing.dev, listing.inode, None if unchanged else blob,
                                listing.complete, sig, counts)))
            if len(batch) >= 64:
                send()
        batch.append(("S", subtree))
        send()
    batch.append(("Z", None))
    send()
