"""Crash recovery: decide each unconfirmed journal operation from the state of the disk.

The executor journals a whole run as *planned* before acting and confirms in batches,
so after a crash (kill -9, power loss) some operations are still *planned* although
they may have happened, or be half-way. ``recover_record`` looks at the disk and
completes or rolls back each one; it never removes the last copy of anything.
"unchanged" means size and mtime_ns equal the journaled ``expect``.

Decision table (src = source, dst = destination, tmp = journaled temporary name):

MOVE / RENAME / RESTORE
  1. tmp exists, src exists               -> remove tmp (half copy)           -> skipped
  2. src gone, dst exists, size matches   -> the move happened                -> done
  3. src gone, dst gone, tmp complete     -> rename tmp to dst                -> done
  4. src exists, dst same inode as src    -> link fallback half-way: drop src -> done
  5. src exists, dst exists, same size, mtime and hash (verified cross-device copy
     renamed into place, source not yet removed) -> remove src                -> done
     (if src cannot be removed, e.g. read-only: remove the copy instead       -> skipped)
  6. src exists, dst absent               -> not started                      -> skipped
  7. src exists, dst is a different file  -> not started, nothing overwritten -> skipped
  8. src gone, dst gone (or dst differs)  -> not ours to fix                  -> failed
  A moved symbolic link with a relative target is a new link (re-pointed, made at tmp and
  renamed into place) before the old one goes: src gone and dst a link -> done; src and dst
  links naming the same target -> remove src -> done.
  RESTORE additionally removes the .trashinfo once the file is back (row 2).
COPY
  1. tmp exists                           -> remove tmp                       -> skipped
  2. dst exists, size and mtime match     -> done
  3. otherwise                            -> skipped (not started)
TRASH (freedesktop slot journaled before acting)
  1. src gone, slot file exists           -> done
  2. src exists, slot file absent         -> remove our .trashinfo if present -> skipped
     (ours = its Path is src, or it is empty/cut short by the crash)
  3. src exists, slot file exists         -> slot used by another file        -> skipped
  4. src gone, slot file absent           -> remove our .trashinfo if present -> failed
  Platform trash (Windows/macOS): src gone -> done; src exists -> skipped.
DELETE:   src gone -> done; src exists -> skipped.
HARDLINK / SYMLINK
  1. tmp exists                           -> remove tmp (src untouched: replace is atomic)
  2. src is a link to keep                -> done
  3. src exists, not a link to keep       -> skipped
  4. src gone                             -> failed
UNLINK (undo of a link replacement)
  1. tmp exists                           -> remove tmp
  2. src is still a link to keep          -> skipped
  3. src is an independent file, size matches -> done
  4. src gone                             -> failed
MKDIR:    folder exists -> done; else skipped.
RMDIR:    folder gone -> done; else skipped.
"""

from __future__ import annotations

import os
import stat

from app.core.ops import fileops, trash
from app.core.ops.journal_record import DONE, FAILED, SKIPPED, JournalRecord
from app.core.ops.plan import OpKind

NOT_STARTED = "not run: the app stopped before this operation"


def _lstat(path: str | None) -> os.stat_result | None:
    if not path:
        return None
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _remove(path: str | None) -> None:
    if path:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def _set(rec: JournalRecord, state: str, error: str | None = None) -> JournalRecord:
    rec.state, rec.error = state, error
    return rec


def _matches(st: os.stat_result, rec: JournalRecord, check_mtime: bool = True) -> bool:
    exp = rec.op.expect
    if exp is None:
        return True
    return st.st_size == exp.size and (not check_mtime or st.st_mtime_ns == exp.mtime_ns)


def _recover_move(rec: JournalRecord) -> JournalRecord:
    op = rec.op
    src, dst, tmp = _lstat(op.src), _lstat(op.dst), _lstat(rec.tmp)
    if tmp is not None and src is not None:
        _remove(rec.tmp)
        tmp = None
    if src is None:
        if dst is not None and (_matches(dst, rec, check_mtime=False) or stat.S_ISLNK(dst.st_mode)):
            _remove(rec.tmp)
            if op.kind == OpKind.RESTORE:
                _remove(_trash_info_of(op.src))
            return _set(rec, DONE)
        if dst is None and tmp is not None and _matches(tmp, rec):
            fileops.rename_noreplace(rec.tmp, op.dst)
            return _set(rec, DONE)
        return _set(rec, FAILED, "interrupted: the file is at neither place; nothing was changed now")
    if dst is None:
        return _set(rec, SKIPPED, NOT_STARTED)
    same_link = (stat.S_ISLNK(src.st_mode) and stat.S_ISLNK(dst.st_mode) and _matches(src, rec)
                 and _link_target(op.src) == _link_target(op.dst))
    if os.path.samestat(src, dst) or same_link:
        os.unlink(op.src)
        return _set(rec, DONE)
    if (stat.S_ISREG(src.st_mode) and stat.S_ISREG(dst.st_mode) and _matches(src, rec)
            and (dst.st_size, dst.st_mtime_ns) == (src.st_size, src.st_mtime_ns)
            and fileops.file_hash(op.src) == fileops.file_hash(op.dst)):
        try:
            os.unlink(op.src)
        except OSError:             # source cannot be removed: take the copy back instead
            os.unlink(op.dst)
            return _set(rec, SKIPPED, NOT_STARTED + " (the source cannot be removed; copy taken back)")
        return _set(rec, DONE)
    return _set(rec, SKIPPED, NOT_STARTED + " (a different file is at the destination)")


def _link_target(link: str) -> str:
    """Where a symbolic link points, as an absolute path (without following further links)."""
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(link)), os.readlink(link)))


def _trash_info_of(trashed_file: str) -> str:
    trash_dir = os.path.dirname(os.path.dirname(trashed_file))
    return os.path.join(trash_dir, "info", os.path.basename(trashed_file) + ".trashinfo")


def _recover_copy(rec: JournalRecord) -> JournalRecord:
    if _lstat(rec.tmp) is not None:
        _remove(rec.tmp)
        return _set(rec, SKIPPED, NOT_STARTED + " (half copy removed)")
    dst = _lstat(rec.op.dst)
    if dst is not None and _matches(dst, rec):
        return _set(rec, DONE)
    return _set(rec, SKIPPED, NOT_STARTED)


def _recover_trash(rec: JournalRecord) -> JournalRecord:
    src = _lstat(rec.op.src)
    if "trash" not in rec.extra:
        return _set(rec, DONE) if src is None else _set(rec, SKIPPED, NOT_STARTED)
    slot = trash.TrashSlot.from_dict(rec.extra["trash"])
    in_trash = _lstat(slot.file_path) is not None
    if src is None and in_trash:
        return _set(rec, DONE)
    if not in_trash and trash.info_original(slot) in (None, os.path.abspath(rec.op.src)):
        _remove(slot.info_path)     # ours: names our file, or was cut short while being written
    if src is None:
        return _set(rec, FAILED, "interrupted: the file is neither in place nor in the trash")
    return _set(rec, SKIPPED, NOT_STARTED)


def _recover_link(rec: JournalRecord) -> JournalRecord:
    _remove(rec.tmp)
    op = rec.op
    src = _lstat(op.src)
    if src is None:
        return _set(rec, FAILED, "interrupted: the file is gone")
    linked = bool(op.keep) and fileops.is_link_to(op.src, op.keep)
    if op.kind == OpKind.UNLINK:
        if linked:
            return _set(rec, SKIPPED, NOT_STARTED)
        return _set(rec, DONE) if _matches(src, rec, check_mtime=False) else _set(
            rec, FAILED, "interrupted: the file differs from the original")
    return _set(rec, DONE) if linked else _set(rec, SKIPPED, NOT_STARTED)


def recover_record(rec: JournalRecord) -> JournalRecord:
    """Decide one unconfirmed (planned) record from the disk; completes or rolls back. Returns it."""
    kind = rec.op.kind
    try:
        if kind in (OpKind.MOVE, OpKind.RENAME, OpKind.RESTORE):
            return _recover_move(rec)
        if kind == OpKind.COPY:
            return _recover_copy(rec)
        if kind == OpKind.TRASH:
            return _recover_trash(rec)
        if kind in (OpKind.HARDLINK, OpKind.SYMLINK, OpKind.UNLINK):
            return _recover_link(rec)
        if kind == OpKind.DELETE:
            return _set(rec, DONE) if _lstat(rec.op.src) is None else _set(rec, SKIPPED, NOT_STARTED)
        if kind == OpKind.MKDIR:
            return _set(rec, DONE) if os.path.isdir(rec.op.dst or rec.op.src) else _set(
                rec, SKIPPED, NOT_STARTED)
        if kind == OpKind.RMDIR:
            return _set(rec, DONE) if _lstat(rec.op.src) is None else _set(rec, SKIPPED, NOT_STARTED)
    except OSError as exc:
        return _set(rec, FAILED, f"recovery could not finish it: {exc}")
    return _set(rec, FAILED, f"unknown operation {kind}")
