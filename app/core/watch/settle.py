"""Settle tracking for the folder watcher: which touched files have finished arriving.

A path is touched by a file event (debounced: every new event restarts its clock) or by a scan.
It is ready once its size, mtime and identity have not changed for ``settle`` seconds, no
process we can see has it open for writing, it opens for reading and no partial download of it
sits beside it (``core.watch.finished`` holds those checks). Files the owner produced itself
(``mark_own``) are dropped while unchanged.

The state is guarded by the lock passed in (the watcher's), so events, scans and collection
are ordered by one lock.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

from app.core.watch.finished import (
    can_open_for_reading,
    has_partial_sibling,
    is_partial_name,
    open_for_writing,
)

Sig = tuple[int, int, int, int]          # size, mtime_ns, inode, dev
Ready = dict[str, list[tuple[str, Sig]]]  # folder key -> [(path, sig)], paths sorted


def sig_of(st: os.stat_result) -> Sig:
    """What has to stay the same for a file to count as settled."""
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


@dataclass
class Pending:
    """A touched file waiting to settle: `due` is when to look at it next."""

    key: str
    sig: Sig | None = None
    stable_since: float = 0.0
    due: float = 0.0


class SettleTracker:
    """Pending files with their settle clocks, what was handed on, and the owner's own results."""

    def __init__(self, lock: threading.RLock, settle: float, tick: float, ignore_hidden: bool = True) -> None:
        self.lock = lock
        self.settle, self.tick = settle, tick
        self.ignore_hidden = ignore_hidden
        self.pending: dict[str, Pending] = {}
        self.delivered: dict[str, Sig] = {}              # path -> sig when handed on
        self.own: dict[str, tuple[Sig, float]] = {}      # owner's results -> (sig, when marked)
        self.busy = False                                # a collected batch is being handed on

    # --- touching (callers hold the lock) ---------------------------------------------------------

    def touch(self, key: str, path: str, sig: Sig | None, now: float) -> bool:
        """(Re)start the settle clock of `path`; False for partial/temp names, which are ignored.

        `sig` None (an event) means "look soon"; a known sig (a scan) waits a full settle time.
        """
        if is_partial_name(os.path.basename(path), self.ignore_hidden):
            return False
        entry = self.pending.get(path)
        if entry is None:
            entry = self.pending[path] = Pending(key)
        entry.key, entry.sig, entry.stable_since = key, sig, now
        entry.due = now + (self.tick if sig is None else self.settle)
        return True

    def forget(self, path: str) -> None:
        self.pending.pop(path, None)

    def forget_folder(self, key: str) -> None:
        self.pending = {p: e for p, e in self.pending.items() if e.key != key}

    def clear(self) -> None:
        self.pending.clear()

    def seen_unchanged(self, path: str, sig: Sig) -> bool:
        """True when `path` was handed on before with this very sig."""
        return self.delivered.get(path) == sig

    # --- the owner's results ----------------------------------------------------------------------

    def mark_own(self, paths: list[str]) -> None:
        """Files the owner itself just produced: dropped (not handed on) while unchanged."""
        now = time.monotonic()
        with self.lock:
            for path in paths:
                try:
                    self.own[os.path.abspath(path)] = (sig_of(os.lstat(path)), now)
                except OSError:
                    continue

    def mark_delivered(self, items: list[tuple[str, Sig]]) -> None:
        with self.lock:
            self.delivered.update(items)

    # --- collecting -------------------------------------------------------------------------------

    def collect_ready(self) -> Ready:
        """Advance the settle clocks; return the files that are finished, by folder.

        Sets ``busy`` (under the lock that takes them out of ``pending``) when it returns any, so
        that "nothing pending and not busy" means idle; the caller clears it after handing them on.
        """
        now = time.monotonic()
        with self.lock:
            due = [(p, e) for p, e in self.pending.items() if e.due <= now]
        candidates: dict[str, tuple[Pending, Sig]] = {}
        for path, entry in due:
            try:
                st = os.lstat(path)
            except OSError:
                with self.lock:
                    self.pending.pop(path, None)
                continue
            sig = sig_of(st)
            with self.lock:
                if self.pending.get(path) is not entry:
                    continue                          # a new event replaced it meanwhile
                if not os.path.isfile(path) or os.path.islink(path):
                    self.pending.pop(path, None)
                elif entry.sig != sig:
                    entry.sig, entry.stable_since, entry.due = sig, now, now + self.settle
                elif now - entry.stable_since >= self.settle:
                    candidates[path] = (entry, sig)
                else:
                    entry.due = entry.stable_since + self.settle
        if not candidates:
            return {}
        busy = open_for_writing({(s[3], s[2]) for _, s in candidates.values()})
        ready: Ready = {}
        with self.lock:
            for path, (entry, sig) in candidates.items():
                if self.pending.get(path) is not entry:
                    continue
                own = self.own.get(path)
                if own is not None and own[0] == sig:
                    self.pending.pop(path, None)
                    continue
                if ((sig[3], sig[2]) in busy or has_partial_sibling(path)
                        or not can_open_for_reading(path)):
                    entry.due = now + self.settle          # still in use: look again later
                    continue
                self.pending.pop(path, None)
                ready.setdefault(entry.key, []).append((path, sig))
            self.busy = bool(ready)
            self._forget_old(now)
        return {k: sorted(v) for k, v in ready.items()}

    def _forget_old(self, now: float) -> None:
        if len(self.own) > 10_000:
            cutoff = now - 3600
            self.own = {p: v for p, v in self.own.items() if v[1] >= cutoff}
        if len(self.delivered) > 50_000:
            self.delivered = {p: s for p, s in self.delivered.items() if os.path.lexists(p)}
