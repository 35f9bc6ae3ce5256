"""The first duplicate search's helper process, fed the walk's records folder by folder.

The scan feeds it every folder's records as the walk finds them; it groups them with
``core.dedup_online`` (hashing a file as soon as another inode of its size shows up)
while the main process writes the index, then reports the hashes (the main process
stores them and groups the files by full hash) and the errors, without ever waiting
for the reader. Forking and its rules: ``jobs.hash_helper``.
"""

from __future__ import annotations

import os
import pickle
import select
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.core import leftovers
from app.core.categories import category_for, sniff
from app.core.dedup import Candidate, DupFile, DuplicateGroup, groups_from_content
from app.core.dedup_online import OnlineGrouper
from app.core.progress import Progress
from app.jobs.hash_helper import groups_from_tuples, grow_pipe, run_child, stop_child, write_all

_HEADER = struct.Struct("<cI")          # frame: kind, payload length
_PIPE_SIZE = 1 << 20                    # Linux: a larger pipe lets the walk run ahead of the hashing
# seconds between the stream helper's reports once the walk is over: the parent writes each
# report's hashes as it comes, so what is left for the very end stays small
REPORT_EVERY = 0.03

# (partial, full, category or None, path[, seq, size, mtime_ns, inode, dev, nlink])
HashRow = tuple


def _read_exact(fd: int, n: int) -> bytes:
    parts, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


@dataclass
class StreamHelper:
    """A helper process grouping duplicates from records fed folder by folder."""

    pid: int
    to_child: int
    from_child: int
    outcome: tuple[list[DuplicateGroup], list[tuple[str, str]]] | None = None
    failed: bool = False
    # (size, full hash) -> the paths with that full hash: the parent groups them (see _groups)
    same_content: dict[tuple[int, bytes], list[DupFile]] = field(default_factory=dict)

    @classmethod
    def start(cls, *, min_size: int = 1, max_size: int | None = None, paranoid: bool = False) -> StreamHelper:
        """Fork the helper; feed it with ``feed``, then collect with ``finish``."""
        r_in, w_in = os.pipe()
        r_out, w_out = os.pipe()
        grow_pipe(w_in, _PIPE_SIZE)
        pid = os.fork()
        if pid:
            os.close(r_in)
            os.close(w_out)
            return cls(pid, w_in, r_out)
        os.close(w_in)
        os.close(r_out)
        run_child(lambda: _stream_main(r_in, w_out, min_size, max_size, paranoid))
        raise AssertionError("unreachable")

    def feed(self, blob: bytes) -> None:
        """Send one pickled list of ``(path, size, mtime_ns, inode, dev, nlink, is_link)`` records."""
        write_all(self.to_child, _HEADER.pack(b"L", len(blob)) + blob)

    def end_input(self) -> None:
        """No more records: the helper hashes what is left and starts reporting."""
        if self.to_child >= 0:
            os.close(self.to_child)
            self.to_child = -1

    def caught_up(self, progress: Progress, on_rows: Callable[[list[HashRow]], None]) -> bool:
        """After ``end_input``: wait for the helper's first report, then take every report
        already sent; their rows go to `on_rows`. Rows arriving later may supersede them.

        False when the helper failed (``finish`` then returns None).
        """
        self.end_input()
        progress.stage("compare")
        try:
            self._take(progress, on_rows)
            while self.outcome is None and select.select([self.from_child], [], [], 0)[0]:
                self._take(progress, on_rows)
        except (EOFError, OSError, pickle.UnpicklingError, struct.error):
            self.failed = True
            self.stop()
        return not self.failed

    def finish(self, progress: Progress, on_rows: Callable[[list[HashRow]], None]
               ) -> tuple[list[DuplicateGroup], list[tuple[str, str]]] | None:
        """End the input and wait for the groups and errors, showing the helper's progress.

        Hash rows ``(partial, full, category or None, path, seq, size, mtime_ns, inode, dev,
        nlink)`` go to `on_rows` as they come (most right away: the helper hashed them during
        the walk). None if the helper failed (rows already passed on stay valid). Raises
        Cancelled (after stopping the helper) when the progress is cancelled.
        """
        if self.to_child >= 0:
            self.end_input()
            progress.stage("compare")
        try:
            while self.outcome is None and not self.failed:
                self._take(progress, on_rows)
        except (EOFError, OSError, pickle.UnpicklingError, struct.error):
            self.failed = True
        finally:
            if self.outcome is None:
                self.stop()
            else:
                # it sent everything and is exiting: tearing down its memory takes 10-25 ms,
                # so ``stop`` reaps it later
                stop_child(self, "to_child", "from_child", reap=False)
        return None if self.failed else self.outcome

    def _take(self, progress: Progress, on_rows: Callable[[list[HashRow]], None]) -> None:
        """Read and handle one report; raises Cancelled (stopping the helper) when cancelled."""
        try:
            progress.check()
        except BaseException:
            self.stop()
            raise
        kind, length = _HEADER.unpack(_read_exact(self.from_child, _HEADER.size))
        payload = pickle.loads(_read_exact(self.from_child, length))   # noqa: S301 - our child
        if kind == b"P":
            done, total, nbytes, rows = payload
            if rows:
                self._keep_full(rows)
                on_rows(rows)
            progress.total = total
            progress.advance(done - progress.done, nbytes - progress.bytes_done)
        elif kind == b"R":
            groups, rows, errors = payload
            self._keep_full(rows)
            on_rows(rows)
            self.outcome = (self._groups() if groups is None else groups_from_tuples(groups), errors)

    def _keep_full(self, rows: list[HashRow]) -> None:
        same = self.same_content
        new = tuple.__new__         # DupFile(...) without the named tuple's Python-level __new__
        for r in rows:
            if r[1] is not None:
                key = (r[5], r[1])
                file = new(DupFile, (r[3], r[5], r[6], r[7], r[8], r[9], False))
                found = same.get(key)
                if found is None:
                    same[key] = [file]
                else:
                    found.append(file)

    def _groups(self) -> list[DuplicateGroup]:
        """The groups: paths of one (size, full hash) with at least two distinct inodes."""
        groups = groups_from_content(self.same_content.items())
        leftovers.let_go(self.same_content)
        self.same_content = {}
        return groups

    def stop(self) -> None:
        """Close the pipes and reap the helper (killing it first unless it sent its outcome)."""
        stop_child(self, "to_child", "from_child", kill=self.outcome is None)


def _stream_main(r_in: int, w_out: int, min_size: int, max_size: int | None, paranoid: bool) -> None:
    rows: list[HashRow] = []
    errors: list[tuple[str, str]] = []

    def hashed(c: Candidate, head: bytes | None) -> None:
        # None keeps the category the scan stored (by extension), which is all a head without a
        # known signature would give
        rows.append((c.partial, c.full, category_for(c.path, head) if head and sniff(head) else None, c.path,
                     c.key, c.size, c.mtime_ns, c.inode, c.dev, c.nlink))

    grouper = OnlineGrouper(min_size=min_size, max_size=max_size, paranoid=paranoid, on_hashed=hashed,
                            on_error=lambda path, reason: errors.append((path, reason)))
    buf = bytearray()
    eof = False
    os.set_blocking(r_in, False)
    while not eof:
        # wait for input only when there is no hashing to do; otherwise take what is there and hash a bit
        if not grouper.pending:
            select.select([r_in], [], [])
        while True:
            try:
                chunk = os.read(r_in, 1 << 20)
            except BlockingIOError:
                break
            if not chunk:
                eof = True
                break
            buf += chunk
        pos = 0
        while len(buf) - pos >= _HEADER.size:
            _, length = _HEADER.unpack_from(buf, pos)
            end = pos + _HEADER.size + length
            if end > len(buf):
                break
            grouper.add(pickle.loads(buf[pos + _HEADER.size:end]))   # noqa: S301 - from our parent
            pos = end
        del buf[:pos]
        grouper.run(64)
    os.close(r_in)
    # the walk is over: the parent stores the hashes found so far while the rest is hashed
    out = _Outgoing(w_out)
    total = grouper.pending
    out.send(b"P", (0, total, grouper.hashed_bytes, rows))
    rows.clear()
    done, last = 0, time.monotonic()
    while grouper.pending:
        before = grouper.pending
        grouper.run(32)
        done += max(0, before - grouper.pending)
        now = time.monotonic()
        if now - last >= REPORT_EVERY:
            last = now
            out.send(b"P", (min(done, total), total, grouper.hashed_bytes, rows))
            rows.clear()
        else:
            out.pump()
    # the parent groups the rows itself, unless the groups need a byte-by-byte look
    groups = grouper.group_tuples() if paranoid else None
    out.send(b"R", (groups, rows, errors))
    out.drain()


class _Outgoing:
    """Reports to the parent, written without blocking while there is hashing left to do:
    the parent reads them only once it has written the files it could without them."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buf = bytearray()
        grow_pipe(fd, _PIPE_SIZE)
        os.set_blocking(fd, False)

    def send(self, kind: bytes, obj: object) -> None:
        data = pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
        self.buf += _HEADER.pack(kind, len(data))
        self.buf += data
        self.pump()

    def pump(self) -> None:
        """Write what the pipe takes now."""
        while self.buf:
            try:
                n = os.write(self.fd, self.buf)
            except BlockingIOError:
                return
            del self.buf[:n]

    def drain(self) -> None:
        """Write the rest, waiting for the parent to read it."""
        os.set_blocking(self.fd, True)
        write_all(self.fd, bytes(self.buf))
        self.buf.clear()
