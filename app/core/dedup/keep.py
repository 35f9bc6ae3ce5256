"""Keep policies: which copy of a duplicate group stays.

A policy is a priority list of criteria, e.g. ``first-root,oldest``: the first
criterion decides, the next ones break ties, and the path itself is the final
tie-break so the choice is always deterministic.

* ``oldest`` / ``newest``: modification time.
* ``shortest-path`` / ``longest-path``: length of the full path.
* ``first-root``: the file under the earliest folder given on the command line wins
  (the "reference folder").
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Protocol

POLICIES = ("oldest", "newest", "shortest-path", "longest-path", "first-root")
DEFAULT_POLICY = ("oldest",)


class KeepCandidate(Protocol):
    path: str
    mtime_ns: int


def parse_policy(text: str | Sequence[str]) -> tuple[str, ...]:
    """'first-root,oldest' (or a list of names) -> validated criteria; ValueError names the bad one."""
    items = text.split(",") if isinstance(text, str) else list(text)
    names = tuple(p.strip().lower() for p in items if p.strip())
    if not names:
        raise ValueError("empty keep policy")
    for name in names:
        if name not in POLICIES:
            raise ValueError(f"unknown keep policy {name!r} (choose from {', '.join(POLICIES)})")
    return names


def _root_index(roots: Sequence[str]) -> Callable[[str], int]:
    # A root may be spelled through a symlink while scanned paths use its real path: try both.
    prefixes = [{os.path.join(os.path.abspath(r), ""), os.path.join(os.path.realpath(r), "")}
                for r in roots]

    def index(path: str) -> int:
        full = os.path.join(os.path.abspath(path), "")
        for i, spellings in enumerate(prefixes):
            if any(full.startswith(prefix) for prefix in spellings):
                return i
        return len(prefixes)

    return index


def sort_key(policy: Sequence[str], roots: Sequence[str] = ()) -> Callable[[KeepCandidate], tuple]:
    """A key function: the file to keep sorts first."""
    root_index = _root_index(roots)
    parts: list[Callable[[KeepCandidate], object]] = []
    for name in policy:
        if name == "oldest":
            parts.append(lambda f: f.mtime_ns)
        elif name == "newest":
            parts.append(lambda f: -f.mtime_ns)
        elif name == "shortest-path":
            parts.append(lambda f: len(f.path))
        elif name == "longest-path":
            parts.append(lambda f: -len(f.path))
        elif name == "first-root":
            parts.append(lambda f: root_index(f.path))
        else:
            raise ValueError(f"unknown keep policy {name!r}")
    return lambda f: (*(p(f) for p in parts), f.path)


def choose_keep(files: Sequence[KeepCandidate], policy: Sequence[str],
                roots: Sequence[str] = ()) -> KeepCandidate:
    """The file of a group that the policy keeps."""
    if not files:
        raise ValueError("empty group")
    return min(files, key=sort_key(policy, roots))
