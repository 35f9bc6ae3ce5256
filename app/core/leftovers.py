"""Large structures a job is done with: freed at once, or kept for the process exit to drop.

A command whose process ends right after (``app.cli.run`` leaves through ``os._exit``)
would otherwise free 100,000 rows one object at a time (~15 ms) only to hand back memory
the exit returns a moment later anyway; clang's ``-disable-free`` skips the same work.
Only what is alive at the end of a job goes here, so the peak memory does not grow.
"""

from __future__ import annotations

_kept: list[object] | None = None


def keep_until_exit() -> None:
    """From now on ``let_go`` keeps what it is given: the process ends without freeing it."""
    global _kept
    if _kept is None:
        _kept = []


def let_go(obj: object) -> None:
    """The caller is done with `obj` (and drops its own references): freed as usual, unless
    ``keep_until_exit`` was called."""
    if _kept is not None:
        _kept.append(obj)
