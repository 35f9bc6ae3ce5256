"""Acting on duplicates: groups + keep policy + action -> Plan -> execute (journaled, undoable).

For each group the keep policy picks one file; every other path whose file is not the
kept one (other inode and other real path) gets the action. Paths that are the same
file as the kept one (hard links of its inode, other spellings of its path) are left
alone: removing them would remove the kept copy. Each operation carries the scan-time
state (skipped if the file changed since) and the kept file with its full hash, which
the executor re-checks right before acting: both files are hashed again, for every action
that removes or replaces the copy (trash, delete, hard or symbolic link, move), so a stale
index entry never costs a file. Hard links join only files with the same owner, group and
permissions unless the plan allows it (``allow_different_owners``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.core.dedup.keep import choose_keep
from app.core.ops.execute import ExecResult
from app.core.ops.plan import FileState, Operation, OpKind, Plan
from app.core.progress import Progress
from app.jobs.refresh import execute_plan
from app.store.db import Database
from app.store.journal import JournalStore

ACTIONS = {"trash": OpKind.TRASH, "hardlink": OpKind.HARDLINK, "symlink": OpKind.SYMLINK,
           "move": OpKind.MOVE, "delete": OpKind.DELETE}


@dataclass(slots=True)
class ActionPlan:
    """The plan plus what it means for the user."""

    plan: Plan
    kept: list[str] = field(default_factory=list)
    files: int = 0
    bytes: int = 0


def _under_root(path: str, roots: Sequence[str]) -> tuple[str, str]:
    full = os.path.abspath(path)
    for root in roots:
        for r in (os.path.abspath(root), os.path.realpath(root)):
            if full.startswith(os.path.join(r, "")):
                return os.path.basename(r.rstrip(os.sep)) or "root", os.path.relpath(full, r)
    return "", os.path.basename(full)


def _free_name(path: str, taken: set[str]) -> str:
    """`path`, or `name (n).ext` if it exists or is already planned."""
    if path not in taken and not os.path.lexists(path):
        return path
    stem, ext = os.path.splitext(path)
    n = 1
    while True:
        candidate = f"{stem} ({n}){ext}"
        if candidate not in taken and not os.path.lexists(candidate):
            return candidate
        n += 1


def plan_actions(groups: Sequence, action: str, policy: Sequence[str], roots: Sequence[str] = (),
                 to: str | None = None, allow_different_owners: bool = False) -> ActionPlan:
    """Build the plan. `groups`: objects with .hash and .files (each .path .size .mtime_ns .inode .dev).

    `allow_different_owners`: hard-link copies even when their owner, group or permissions
    differ from the kept file's (by default those are skipped and reported by the executor).
    """
    kind = ACTIONS[action]
    if kind == OpKind.MOVE and not to:
        raise ValueError("--action move needs --to DIR")
    out = ActionPlan(Plan(source="duplicates", title=f"duplicates: {action}",
                          link_any_owner=allow_different_owners))
    taken: set[str] = set()
    target_root = os.path.abspath(to) if to else None
    for group in groups:
        files = list(group.files)
        if len({(f.dev, f.inode) for f in files}) < 2:
            continue
        keep = choose_keep(files, policy, roots)
        keep_real = os.path.realpath(keep.path)
        out.kept.append(keep.path)
        for f in files:
            if (f.dev, f.inode) == (keep.dev, keep.inode) or os.path.realpath(f.path) == keep_real:
                continue                      # the kept file itself under another name
            if target_root and os.path.realpath(f.path).startswith(os.path.join(target_root, "")):
                continue                      # already in the destination folder
            dst = None
            if kind == OpKind.MOVE:
                assert target_root is not None
                root_name, rel = _under_root(f.path, roots)
                dst = _free_name(os.path.join(target_root, root_name, rel), taken)
                taken.add(dst)
            out.plan.operations.append(Operation(
                kind, f.path, dst, expect=FileState(f.size, f.mtime_ns, f.inode, f.dev),
                keep=keep.path, keep_hash=group.hash, rule=",".join(policy)))
            out.files += 1
            out.bytes += f.size
    return out


def act_on_duplicates(db: Database, plan: Plan, progress: Progress | None = None) -> ExecResult:
    """Execute a duplicates plan through the journal; the index follows what it did."""
    return execute_plan(db, plan, JournalStore(db), progress)
