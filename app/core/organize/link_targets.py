"""Files that symbolic links in an organized tree point at: organizing leaves them in place.

Moving a link's target breaks the link (a link to a folder breaks when the folder is
emptied and removed). ``LinkTargets`` resolves every link found by the walk once and
answers, per file, whether some link reaches it: directly, through a chain of links, or
through a link to a folder that holds it. A link that points at its own folder or above
(a loop, or the tree itself) protects nothing, or nothing could ever be organized.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence


class LinkTargets:
    """The targets, inside `roots`, of the symlinks among `records` (walk records)."""

    def __init__(self, records: Iterable[tuple], roots: Sequence[str]) -> None:
        self.files: set[str] = set()
        self.folders: list[str] = []
        # (real spelling, spelling used by the walk) of each root, longest first
        spellings = sorted(((os.path.join(os.path.realpath(r), ""), os.path.join(os.path.abspath(r), ""))
                            for r in roots), key=lambda p: len(p[0]), reverse=True)
        tops = {os.path.abspath(r) for r in roots}
        for rec in records:
            if not rec[6]:
                continue
            target = self._in_tree(os.path.realpath(rec[0]), spellings)
            if target is None or not os.path.exists(target):
                continue
            if os.path.isdir(target):
                link_home = os.path.join(os.path.dirname(rec[0]), "")
                if target in tops or link_home.startswith(os.path.join(target, "")):
                    continue              # the tree itself, or a loop: protects nothing
                self.folders.append(os.path.join(target, ""))
            else:
                self.files.add(target)

    @staticmethod
    def _in_tree(real: str, spellings: list[tuple[str, str]]) -> str | None:
        for real_root, root in spellings:
            if real.startswith(real_root) or real == real_root[:-1]:
                return root + real[len(real_root):] if real != real_root[:-1] else root[:-1]
        return None

    def __bool__(self) -> bool:
        return bool(self.files or self.folders)

    def reached(self, path: str) -> bool:
        """True if a symbolic link in the tree points at `path` or at a folder above it."""
        return path in self.files or any(path.startswith(f) for f in self.folders)
