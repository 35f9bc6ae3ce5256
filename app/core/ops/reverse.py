"""Undo planning: the operations that reverse a run's done operations, last first.

The undo plan runs through ``core.ops.execute`` like any other plan, so undo is itself
journaled and crash-safe; each undo operation carries ``{"undoes": seq}`` in its
journal extra so the store can mark the original operation undone. Once it has run,
``core.ops.folder_times.restore_folder_times`` gives the folders the run changed their
modification times from before the run (moving files in and out of a folder changes them).
"""

from __future__ import annotations

import os

from app.core.ops import trash
from app.core.ops.journal_record import DONE, JournalRecord
from app.core.ops.plan import FileState, Operation, OpKind, Plan


def inverse(rec: JournalRecord) -> tuple[Operation | None, str]:
    """The operation that undoes a done record, or (None, why it cannot be undone)."""
    op, exp = rec.op, rec.op.expect
    # a moved relative symlink was re-pointed: its size (the target's spelling) changed
    back = FileState(rec.extra.get("link_size", exp.size), exp.mtime_ns, 0, 0) if exp else None
    if op.kind in (OpKind.MOVE, OpKind.RENAME, OpKind.RESTORE) and op.dst:
        if op.kind == OpKind.RESTORE:
            return None, "restored files are not put back into the trash; trash them again"
        return Operation(op.kind, op.dst, op.src, expect=back, rule="undo"), ""
    if op.kind == OpKind.COPY and op.dst:
        return Operation(OpKind.DELETE, op.dst, expect=back, rule="undo"), ""
    if op.kind == OpKind.TRASH:
        slot = rec.extra.get("trash")
        if not slot:
            return None, "moved to the system trash: restore it from the trash by hand"
        path = trash.TrashSlot.from_dict(slot).file_path
        kept = FileState(exp.size, exp.mtime_ns, exp.inode, 0) if exp else None
        return Operation(OpKind.RESTORE, path, op.src, expect=kept, rule="undo"), ""
    if op.kind in (OpKind.HARDLINK, OpKind.SYMLINK) and op.keep:
        return Operation(OpKind.UNLINK, op.src, keep=op.keep, keep_hash=op.keep_hash, expect=exp,
                         rule="undo"), ""
    if op.kind == OpKind.MKDIR:
        return Operation(OpKind.RMDIR, op.dst or op.src, rule="undo"), ""
    if op.kind == OpKind.RMDIR:
        return Operation(OpKind.MKDIR, op.src, dst=op.src, rule="undo"), ""
    if op.kind == OpKind.DELETE:
        return None, "permanently deleted; cannot be restored"
    return None, f"{op.kind.value} cannot be undone"


def undo_plan(records: list[JournalRecord],
              title: str = "") -> tuple[Plan, list[dict], list[tuple[str, str]]]:
    """Plan reversing the done records (last first), their extras, and (path, reason) left out."""
    plan = Plan(source="undo", title=title)
    extras: list[dict] = []
    problems: list[tuple[str, str]] = []
    made_dirs: list[str] = []
    for rec in sorted((r for r in records if r.state == DONE), key=lambda r: r.seq, reverse=True):
        op, why = inverse(rec)
        if op is None:
            problems.append((rec.op.src, why))
            continue
        plan.operations.append(op)
        extra = {"undoes": rec.seq}
        for key in ("mode", "owner"):         # a link's or a removed folder's, put back by undo
            if key in rec.extra:
                extra[key] = rec.extra[key]
        extras.append(extra)
        made_dirs.extend(rec.extra.get("made_dirs", []))
    for folder in sorted(set(made_dirs), key=lambda p: p.count(os.sep), reverse=True):
        plan.operations.append(Operation(OpKind.RMDIR, folder, rule="undo", note="folder created by the run"))
        extras.append({})
    return plan, extras, problems

