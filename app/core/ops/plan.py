"""A plan: the list of file operations a job wants, computed without touching the disk.

The organizer, the duplicate finder and the watcher all produce Plans; only
``core.ops.execute`` carries them out (through the journal). An Operation records
what its source looked like when it was planned, so the executor can skip a
file that changed in between.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class OpKind(StrEnum):
    MOVE = "move"              # src -> dst (rename on one device, copy+verify+remove across)
    COPY = "copy"              # src -> dst
    RENAME = "rename"          # src -> dst in the same folder
    TRASH = "trash"            # src -> system trash
    HARDLINK = "hardlink"      # replace src by a hard link to `keep`
    SYMLINK = "symlink"        # replace src by a symbolic link to `keep`
    DELETE = "delete"          # permanent removal: only when the user asked for it explicitly
    MKDIR = "mkdir"            # create folder dst
    RMDIR = "rmdir"            # remove empty folder src
    RESTORE = "restore"        # undo of trash: put trashed file src back at dst
    UNLINK = "unlink"          # undo of a link replacement: src becomes a copy of `keep` again


@dataclass(frozen=True, slots=True)
class FileState:
    """What a file looked like when the plan was made."""

    size: int
    mtime_ns: int
    inode: int
    dev: int = 0

    @classmethod
    def of(cls, path: str) -> FileState:
        """Read the current state of `path` (not following a final symlink)."""
        st = os.lstat(path)
        return cls(st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


@dataclass(slots=True)
class Operation:
    """One step of a plan."""

    kind: OpKind
    src: str
    dst: str | None = None
    expect: FileState | None = None     # source state at planning time; None = do not check
    keep: str | None = None             # duplicates: the copy that is kept
    keep_hash: str | None = None        # duplicates: full hash the kept copy must still have
    rule: str | None = None             # the rule or policy that produced it (for display)
    note: str = ""                      # e.g. conflict outcome: "renamed to x (1).txt"

    def to_dict(self) -> dict:
        """A JSON-friendly form (used by --format json and by the journal)."""
        d = asdict(self)
        d["kind"] = str(self.kind)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Operation:
        expect = d.get("expect")
        return cls(
            kind=OpKind(d["kind"]), src=d["src"], dst=d.get("dst"),
            expect=FileState(**expect) if expect else None,
            keep=d.get("keep"), keep_hash=d.get("keep_hash"),
            rule=d.get("rule"), note=d.get("note", ""),
        )


@dataclass(slots=True)
class Plan:
    """Operations of one run, shown to the user before anything happens."""

    source: str                          # "duplicates", "organizer", "watcher", ...
    operations: list[Operation] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (path, reason) known at planning
    title: str = ""
    link_any_owner: bool = False         # hard-link copies whose owner, group or mode differ

    @property
    def total_bytes(self) -> int:
        return sum(op.expect.size for op in self.operations if op.expect)

    def __len__(self) -> int:
        return len(self.operations)
