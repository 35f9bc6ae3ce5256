"""Forked helper processes that hash for the duplicate finder while the main process works.

The fork plumbing all helpers share (``can_fork``, ``run_child``, ``stop_child``,
pipes), and ``fork_hasher``: on a run with an index, a helper confirming a share
of the size groups. The first run's ``StreamHelper`` is in ``jobs.stream_helper``,
the rescan's split walk in ``jobs.walk_split``.

POSIX only, and only from a process with no other threads (a lock held by
another thread would stay locked in the child): see ``can_fork``. A child
touches no database connection, never uses blake3's thread pool (it does not
survive a fork) and leaves through ``os._exit``. If a helper fails, the caller
does the work itself from the index.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from app.core import hashing
from app.core.categories import category_for
from app.core.dedup import Candidate, DupFile, DuplicateGroup, confirm_size_group

# Helpers are used only with at least this many files (a fork costs a few milliseconds).
# FILEORGANIZER_FORK_MIN_FILES overrides it (tests use 0 to run the helper on small trees).
FORK_MIN_FILES = 4000
FORK_MIN_BYTES = 256 * 2**20
Outcome = tuple[list[DuplicateGroup], list[tuple], list[tuple[str, str]]]


def fork_min_files() -> int:
    """The file count from which a helper process is used (FILEORGANIZER_FORK_MIN_FILES overrides)."""
    value = os.environ.get("FILEORGANIZER_FORK_MIN_FILES", "")
    return int(value) if value.strip().lstrip("-").isdigit() else FORK_MIN_FILES


def can_fork() -> bool:
    """A POSIX fork is possible and safe here: not macOS, a spare CPU, no other threads."""
    return (hasattr(os, "fork") and sys.platform != "darwin" and (os.cpu_count() or 1) > 1
            and threading.active_count() == 1)


def stop_child(helper, *fd_names: str, kill: bool = True, reap: bool = True) -> None:
    """Close `helper`'s pipe ends named `fd_names` (set to -1), then kill (unless `kill` is
    False: it is known to be finishing) and reap its child process `helper.pid` (set to 0;
    with reap=False a later call does)."""
    for name in fd_names:
        fd = getattr(helper, name)
        if fd >= 0:
            os.close(fd)
            setattr(helper, name, -1)
    if helper.pid and reap:
        if kill:
            try:
                os.kill(helper.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.waitpid(helper.pid, 0)
        helper.pid = 0


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def grow_pipe(fd: int, size: int = 1 << 20) -> None:
    """Make a pipe's buffer `size` bytes where the OS allows (Linux): the writer runs ahead longer."""
    import fcntl  # POSIX only, like everything here

    setsize = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setsize is not None:
        try:
            fcntl.fcntl(fd, setsize, size)
        except OSError:
            pass                        # the default size works, only with less overlap


def group_tuples(groups: list[DuplicateGroup]) -> list[tuple]:
    """Groups as plain tuples: cheap to pickle to the other process (``groups_from_tuples``)."""
    return [(g.size, g.hash, [(f.path, f.size, f.mtime_ns, f.inode, f.dev, f.nlink, f.hardlinked)
                              for f in g.files]) for g in groups]


def groups_from_tuples(data: list[tuple]) -> list[DuplicateGroup]:
    """The groups ``group_tuples`` gave."""
    new = tuple.__new__                 # DupFile(*f) without the named tuple's Python-level __new__
    return [DuplicateGroup(size, digest, [new(DupFile, f) for f in files]) for size, digest, files in data]


def run_child(body: Callable[[], None]) -> None:
    """Run `body` in a freshly forked child and leave through os._exit (never returns)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)     # the parent handles Ctrl+C and stops us
        hashing.THREADS_MIN = 1 << 62                     # blake3's thread pool does not survive fork
        body()
        code = 0
    finally:
        os._exit(code)


# --- confirming a share of the size groups from the index -----------------------------------------

def split_work(size_groups: list[list[Candidate]]) -> tuple[list[list[Candidate]], list[list[Candidate]]]:
    """Two shares of about equal work (per-file cost plus bytes), each in size order."""
    shares: tuple[list, list] = ([], [])
    loads = [0, 0]
    for members in sorted(size_groups, key=lambda m: -len(m) * (32768 + m[0].size)):
        i = 0 if loads[0] <= loads[1] else 1
        shares[i].append(members)
        loads[i] += len(members) * (32768 + members[0].size)
    for share in shares:
        share.sort(key=lambda m: m[0].size)
    return shares


@dataclass
class ShareHelper:
    """A helper process confirming a share of the size groups (see ``fork_hasher``)."""

    pid: int
    fd: int

    def result(self) -> Outcome | None:
        """The helper's (groups, hash rows keyed by file id, errors), or None if it failed."""
        with os.fdopen(self.fd, "rb") as fh:
            self.fd = -1
            data = fh.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if not data or os.waitstatus_to_exitcode(status) != 0:
            return None
        found, rows, errors = pickle.loads(data)       # noqa: S301 - our own forked child wrote it
        return groups_from_tuples(found), rows, errors

    def stop(self) -> None:
        stop_child(self, "fd")


def fork_hasher(size_groups: list[list[Candidate]], paranoid: bool) -> ShareHelper:
    """Confirm `size_groups` in a forked child; it sends back groups, hash rows (by file id) and errors."""
    r, w = os.pipe()
    pid = os.fork()
    if pid:
        os.close(w)
        return ShareHelper(pid, r)
    os.close(r)

    def body() -> None:
        rows: list[tuple] = []
        errors: list[tuple[str, str]] = []

        def hashed(c: Candidate, head: bytes | None) -> None:
            rows.append((c.partial, c.full, category_for(c.path, head) if head else None, c.key))

        found: list[DuplicateGroup] = []
        for members in size_groups:
            found.extend(confirm_size_group(members, on_hashed=hashed, paranoid=paranoid,
                                            on_error=lambda path, reason: errors.append((path, reason))))
        write_all(w, pickle.dumps((group_tuples(found), rows, errors), pickle.HIGHEST_PROTOCOL))

    run_child(body)
    raise AssertionError("unreachable")
