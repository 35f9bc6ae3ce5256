"""Staged blake3 hashing for the duplicate finder: a cheap partial hash, then a full one.

* ``partial_hash`` reads the first and last ``BLOCK`` bytes. A file of at most
  ``SMALL`` bytes is read whole instead, and its full hash comes for free.
* ``full_hash`` reads the whole file; large files use blake3's own threads,
  where that pays off (measured; a thread pool over small files does not).
* ``same_bytes`` compares two files byte by byte (the paranoid check).

Plain os.open/os.lseek/os.read (on every OS): Python's buffered file objects cost
several microseconds more per file, which matters at 100,000 files.

``hash_batch`` runs one stage over many files; the duplicate finder sends such
batches to worker processes (``jobs.hash_pool``), so it takes and returns plain tuples.
"""

from __future__ import annotations

import os

from blake3 import blake3

from app.core.scan.categories import sniff
from app.core.scan.walk import describe_error

BLOCK = 4096                  # bytes hashed at each end of a file for the partial hash
SMALL = 2 * BLOCK             # files up to this size are hashed whole in the first stage
PARTIAL_LEN = 16              # bytes of digest kept for a partial hash
THREADS_MIN = 2**20           # from this size on, blake3 hashes with several threads
WHOLE_MAX = 4 * 2**20         # files up to this size are read in one call
CHUNK = 4 * 2**20
_O_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOATIME", 0)
_O_FALLBACK = os.O_RDONLY | getattr(os, "O_BINARY", 0)


class ChangedError(OSError):
    """The file's size differs from what the index says: it changed since the scan."""


def _open(path: str) -> int:
    try:
        return os.open(path, _O_FLAGS)
    except PermissionError:
        if _O_FLAGS == _O_FALLBACK:
            raise
        return os.open(path, _O_FALLBACK)     # O_NOATIME needs ownership of the file


def partial_hash(path: str, size: int) -> tuple[bytes, bytes | None, bytes]:
    """(partial digest, full digest or None, first bytes) of a file of the given size.

    The full digest is returned when the file is small enough to be read whole.
    Raises OSError (ChangedError when the file is not `size` bytes any more).
    """
    fd = _open(path)
    try:
        if size <= SMALL:
            data = os.read(fd, size + 1)
            if len(data) != size:
                raise ChangedError(0, "changed since scan", path)
            full = blake3(data).digest()
            return full[:PARTIAL_LEN], full, data[:BLOCK]
        head = os.read(fd, BLOCK)
        os.lseek(fd, size - BLOCK, os.SEEK_SET)
        tail = os.read(fd, BLOCK)
        if len(head) != BLOCK or len(tail) != BLOCK:       # shrunk; growth shows in the full hash
            raise ChangedError(0, "changed since scan", path)
        return blake3(head + tail).digest(length=PARTIAL_LEN), None, head
    finally:
        os.close(fd)


def full_hash(path: str, size: int) -> bytes:
    """The blake3 digest (32 bytes) of a whole file. Raises OSError (ChangedError on a size change).

    Files from THREADS_MIN on use blake3's own threads. Plain reads, not mmap: a file
    truncated while mapped would kill the process with SIGBUS.
    """
    fd = _open(path)
    try:
        h = blake3(max_threads=blake3.AUTO) if size >= THREADS_MIN else blake3()
        if size <= WHOLE_MAX:
            data = os.read(fd, size + 1)
            total = len(data)
            h.update(data)
        else:
            buf = bytearray(CHUNK)
            view = memoryview(buf)
            total = 0
            with open(fd, "rb", buffering=0, closefd=False) as fh:
                while n := fh.readinto(buf):
                    h.update(view[:n])
                    total += n
        if total != size:
            raise ChangedError(0, "changed since scan", path)
        return h.digest()
    finally:
        os.close(fd)


PARTIAL, FULL = 0, 1            # the stages of hash_batch


def hash_batch(stage: int, items: list[tuple[int, str, int]]) -> list[tuple]:
    """Hash ``(key, path, size)`` items at one stage; a module-level function so that worker
    processes can run it.

    Returns, per item, ``(key, partial, full or None, sniffed)`` for PARTIAL (``sniffed``: what
    ``categories.sniff`` finds in the first bytes, or None), ``(key, None, full, None)`` for
    FULL, or ``(key, None, None, reason)`` where the file could not be read (``reason`` says
    why: "changed since scan", "permission denied", ...).
    """
    out: list[tuple] = []
    for key, path, size in items:
        try:
            if stage == PARTIAL:
                partial, full, head = partial_hash(path, size)
                out.append((key, partial, full, sniff(head)))
            else:
                out.append((key, None, full_hash(path, size), None))
        except OSError as exc:
            out.append((key, None, None, describe(exc)))
    return out


def describe(exc: OSError) -> str:
    """A short reason for a file that could not be hashed."""
    return "changed since scan" if isinstance(exc, ChangedError) else describe_error(exc)


def same_bytes(a: str, b: str) -> bool:
    """True when two files hold exactly the same bytes."""
    fa, fb = _open(a), _open(b)
    try:
        while True:
            ba = os.read(fa, CHUNK)
            bb = os.read(fb, CHUNK)
            if ba != bb:
                return False
            if not ba:
                return True
    finally:
        os.close(fa)
        os.close(fb)
