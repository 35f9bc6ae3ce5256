"""The one path through which every change to the disk goes: journal first, act, confirm.

``execute(plan, journal, progress)`` writes the whole plan to the journal as *planned*
in one transaction before touching any file, then performs each operation and confirms
done / failed / skipped in batches (every ``batch_ops`` operations or ``batch_seconds``,
and at the end). If the process dies in between, ``core.ops.recover`` decides each
unconfirmed operation from the disk state.

Every operation re-checks its source against ``op.expect`` (size, mtime_ns, inode) and
is skipped, with the reason, if it changed. Operations that remove or replace a
duplicate (``op.keep`` set: trash, delete, hard or symbolic link, move) first verify that
the kept file exists, is not the source itself (same inode or real path) and still has
``op.keep_hash`` (full blake3), and re-hash the copy itself: an index entry can be stale
(content rewritten with the same size and mtime), and a copy whose bytes differ is never
removed. The kept file's hash is cached per run while its (size, mtime_ns, ctime_ns,
inode, dev) are unchanged. A hard link replaces a copy only when owner, group and mode
are the same as the kept file's (``plan.link_any_owner`` allows it): a link must not widen
who can read the bytes or take a file away from its owner.

Folders keep their modification times through an undo: ``prepare`` notes the time of
every folder a run will change (before anything happens, ``core.ops.folder_times``) and the
undo puts them back once it is done.

Core does not import the store: the store implements the small ``Journal`` protocol.
Undo plans come from ``core.ops.reverse``; crash recovery decisions from ``core.ops.recover``.
"""

from __future__ import annotations

import errno
import os
import stat
import time
import uuid
from dataclasses import dataclass, field

from app.core.ops import fileops, trash
from app.core.ops.folder_times import FolderTimes
from app.core.ops.journal_record import (  # noqa: F401 - its callers name the states from here too
    DONE,
    FAILED,
    PLANNED,
    SKIPPED,
    UNDONE,
    Journal,
    JournalRecord,
)
from app.core.ops.plan import Operation, OpKind, Plan
from app.core.ops.reasons import Skip, describe
from app.core.progress import Cancelled, Progress


@dataclass(slots=True)
class ExecResult:
    """Outcome of one run."""

    entry_id: int | None
    done: int = 0
    failed: int = 0
    skipped: int = 0
    bytes_done: int = 0
    cancelled: bool = False
    records: list[JournalRecord] = field(default_factory=list)

    @property
    def problems(self) -> list[tuple[str, str]]:
        """(path, reason) of every operation that did not happen."""
        return [(r.op.src, r.error or r.state) for r in self.records if r.state in (FAILED, SKIPPED)]


def _tmp_name(folder: str, run_id: str, seq: int) -> str:
    return os.path.join(folder, f".fo-{run_id[:12]}-{seq}.tmp")


class _MissingDirs:
    """Folders a run will have to create, each assigned to the first operation that needs it."""

    def __init__(self) -> None:
        self.known: dict[str, bool] = {}

    def claim(self, path: str) -> list[str]:
        missing = []
        parent = os.path.dirname(path)
        while parent and parent not in self.known:
            exists = os.path.isdir(parent)
            self.known[parent] = True            # from now on it exists (or is ours to create)
            if exists:
                break
            missing.append(parent)
            nxt = os.path.dirname(parent)
            if nxt == parent:
                break
            parent = nxt
        return missing[::-1]


def prepare(plan: Plan, run_id: str, extras: list[dict] | None = None) -> list[JournalRecord]:
    """Journal records for a plan: temporary names, trash slots and folders to create, chosen
    before acting so that recovery and undo know them even if the run dies."""
    locator = trash.TrashLocator() if trash.FREEDESKTOP else None
    dirs = _MissingDirs()
    times = FolderTimes()
    records: list[JournalRecord] = []
    for seq, op in enumerate(plan.operations):
        rec = JournalRecord(seq, op, extra=dict(extras[seq]) if extras else {})
        kind = op.kind
        if kind != OpKind.RESTORE and (folder_times := times.of(op)):
            rec.extra["dir_times"] = folder_times
        if kind in (OpKind.MOVE, OpKind.RENAME, OpKind.COPY, OpKind.RESTORE, OpKind.MKDIR) and (
                op.dst or kind == OpKind.MKDIR):
            made = dirs.claim(op.dst or op.src)
            if made:
                rec.extra["made_dirs"] = made
            if kind == OpKind.MKDIR:
                dirs.known[op.dst or op.src] = True      # created by the op itself, undone by RMDIR
        if kind in (OpKind.MOVE, OpKind.RENAME, OpKind.COPY) and op.dst:
            rec.tmp = _tmp_name(os.path.dirname(op.dst), run_id, seq)
        elif kind in (OpKind.HARDLINK, OpKind.SYMLINK, OpKind.UNLINK):
            rec.tmp = _tmp_name(os.path.dirname(op.src), run_id, seq)
        elif kind == OpKind.TRASH and locator is not None:
            try:
                dev = op.expect.dev if op.expect else None
                rec.extra["trash"] = locator.slot_for(op.src, dev, f"{run_id[:8]}-{seq}").to_dict()
            except OSError as exc:
                rec.extra["trash_error"] = describe(exc)
        if op.rule:
            rec.extra["rule"] = op.rule
        if op.note:
            rec.extra["note"] = op.note
        records.append(rec)
    return records


class _Runner:
    """Performs single operations; holds per-run caches."""

    def __init__(self, link_any_owner: bool = False) -> None:
        self.keep_hashes: dict[str, tuple[tuple[int, ...], str]] = {}
        self.dirs_ok: set[str] = set()
        self.link_any_owner = link_any_owner

    # --- checks ---------------------------------------------------------------------------
    @staticmethod
    def check_source(op: Operation) -> os.stat_result:
        try:
            st = os.lstat(op.src)
        except FileNotFoundError:
            raise Skip("no longer exists") from None
        exp = op.expect
        if exp is not None:
            changed = [name for name, ok in (
                ("size", st.st_size == exp.size), ("modification time", st.st_mtime_ns == exp.mtime_ns),
                ("inode", not exp.inode or st.st_ino == exp.inode),
                ("device", not exp.dev or st.st_dev == exp.dev)) if not ok]
            if changed:
                raise Skip(f"changed since the plan was made ({', '.join(changed)})")
        return st

    def keep_digest(self, keep: str) -> tuple[os.stat_result, str]:
        try:
            st = os.lstat(keep)
        except FileNotFoundError:
            raise Skip(f"the kept copy {keep!r} no longer exists") from None
        if not stat.S_ISREG(st.st_mode):
            raise Skip(f"the kept copy {keep!r} is not a regular file")
        key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
        cached = self.keep_hashes.get(keep)
        if cached is None or cached[0] != key:
            cached = (key, fileops.file_hash(keep))
            self.keep_hashes[keep] = cached
        return st, cached[1]

    def check_keep(self, op: Operation, src_st: os.stat_result) -> os.stat_result:
        """The kept copy exists, is another file than the source, and both still have the same
        bytes: the kept one is hashed (cached while unchanged) and the copy is re-hashed now."""
        assert op.keep
        keep_st, digest = self.keep_digest(op.keep)
        if os.path.samestat(keep_st, src_st) or os.path.realpath(op.keep) == os.path.realpath(op.src):
            raise Skip("is the kept file itself (same inode or real path); nothing to do")
        if op.keep_hash and digest != op.keep_hash:
            raise Skip("the kept copy changed since the scan (content differs); nothing removed")
        if not stat.S_ISREG(src_st.st_mode) or fileops.file_hash(op.src) != digest:
            raise Skip("content differs from the kept copy; nothing removed")
        return keep_st

    def ensure_parent(self, path: str, rec: JournalRecord) -> None:
        parent = os.path.dirname(path)
        if parent in self.dirs_ok:
            return
        made = fileops.make_parents(path)
        planned = rec.extra.setdefault("made_dirs", [])
        planned.extend(m for m in made if m not in planned)
        if not planned:
            del rec.extra["made_dirs"]
        self.dirs_ok.add(parent)

    # --- acting ---------------------------------------------------------------------------
    def run(self, rec: JournalRecord) -> None:
        op = rec.op
        try:
            getattr(self, f"do_{op.kind.value}")(rec, op)
            rec.state, rec.error = DONE, None
        except Skip as skip:
            rec.state, rec.error = SKIPPED, str(skip)
        except OSError as exc:
            rec.state, rec.error = FAILED, describe(exc)
        except Exception as exc:  # a bug must not stop the run or lose the journal
            rec.state, rec.error = FAILED, f"internal error: {exc!r}"

    def _need_dst(self, op: Operation) -> str:
        if not op.dst:
            raise Skip("the operation has no destination")
        return op.dst

    def do_move(self, rec: JournalRecord, op: Operation) -> None:
        dst = self._need_dst(op)
        st = self.check_source(op)
        if op.keep:                               # a duplicate moved out of the way
            self.check_keep(op, st)
        self.ensure_parent(dst, rec)
        fileops.move_file(op.src, dst, rec.tmp or _tmp_name(os.path.dirname(dst), "x", rec.seq), st)
        if stat.S_ISLNK(st.st_mode) and (size := os.lstat(dst).st_size) != st.st_size:
            rec.extra["link_size"] = size         # re-pointed: what undo expects to find there

    do_rename = do_move

    def do_copy(self, rec: JournalRecord, op: Operation) -> None:
        dst = self._need_dst(op)
        st = self.check_source(op)
        self.ensure_parent(dst, rec)
        fileops.copy_file(op.src, dst, rec.tmp or _tmp_name(os.path.dirname(dst), "x", rec.seq), st)

    def do_trash(self, rec: JournalRecord, op: Operation) -> None:
        st = self.check_source(op)
        if op.keep:
            self.check_keep(op, st)
        if not trash.FREEDESKTOP:
            trash.send_to_platform_trash(op.src)
            return
        if "trash" not in rec.extra:
            raise trash.TrashError(rec.extra.get("trash_error", "no usable trash for this file"))
        trash.trash_to_slot(op.src, trash.TrashSlot.from_dict(rec.extra["trash"]))

    def do_delete(self, rec: JournalRecord, op: Operation) -> None:
        st = self.check_source(op)
        if op.keep:
            self.check_keep(op, st)
        if stat.S_ISDIR(st.st_mode):
            raise Skip("is a folder; only files are deleted")
        os.unlink(op.src)

    def _link(self, rec: JournalRecord, op: Operation, symbolic: bool) -> None:
        if not op.keep:
            raise Skip("no kept file to link to")
        st = self.check_source(op)
        if not stat.S_ISREG(st.st_mode):
            raise Skip("is not a regular file")
        keep_st = self.check_keep(op, st)
        if not symbolic and keep_st.st_dev != st.st_dev:
            raise Skip("hard links only work within one device; file left in place")
        if not symbolic and not self.link_any_owner and (why := access_differs(st, keep_st)):
            raise Skip(why)
        rec.extra["mode"] = stat.S_IMODE(st.st_mode)
        rec.extra["owner"] = [st.st_uid, st.st_gid]
        fileops.replace_with_link(op.src, op.keep, rec.tmp or _tmp_name(os.path.dirname(op.src), "x",
                                                                          rec.seq), symbolic)

    def do_hardlink(self, rec: JournalRecord, op: Operation) -> None:
        self._link(rec, op, symbolic=False)

    def do_symlink(self, rec: JournalRecord, op: Operation) -> None:
        self._link(rec, op, symbolic=True)

    def do_mkdir(self, rec: JournalRecord, op: Operation) -> None:
        path = op.dst or op.src
        if os.path.isdir(path):
            raise Skip("folder already exists")
        self.ensure_parent(path, rec)
        os.mkdir(path)
        if "owner" in rec.extra:                # undo of a removed folder: as it was
            fileops.set_owner(path, *rec.extra["owner"])
        if "mode" in rec.extra:
            os.chmod(path, rec.extra["mode"])

    def do_rmdir(self, rec: JournalRecord, op: Operation) -> None:
        try:
            st = os.lstat(op.src)
            os.rmdir(op.src)
            rec.extra["mode"] = stat.S_IMODE(st.st_mode)
            rec.extra["owner"] = [st.st_uid, st.st_gid]
        except FileNotFoundError:
            raise Skip("folder no longer exists") from None
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise Skip("folder is not empty; left in place") from None
            raise

    def do_restore(self, rec: JournalRecord, op: Operation) -> None:
        dst = self._need_dst(op)
        self.check_source(op)
        self.ensure_parent(dst, rec)
        if os.path.lexists(dst):
            raise Skip("a file appeared at the original place since; not overwritten")
        trash_dir = os.path.dirname(os.path.dirname(op.src))
        slot = trash.TrashSlot(trash_dir, os.path.basename(op.src), None)
        trash.restore_slot(slot, dst)

    def do_unlink(self, rec: JournalRecord, op: Operation) -> None:
        if not op.keep or not fileops.is_link_to(op.src, op.keep):
            raise Skip("is no longer a link to the kept file; left as it is")
        _, digest = self.keep_digest(op.keep)
        if op.keep_hash and digest != op.keep_hash:
            raise Skip("the kept file changed since; its bytes are not the original ones")
        mtime = op.expect.mtime_ns if op.expect else None
        fileops.restore_from_link(op.src, op.keep, rec.tmp or _tmp_name(os.path.dirname(op.src), "x",
                                                                         rec.seq), mtime)
        if "owner" in rec.extra:
            fileops.set_owner(op.src, *rec.extra["owner"])
        if "mode" in rec.extra:
            os.chmod(op.src, rec.extra["mode"])


def access_differs(st: os.stat_result, keep_st: os.stat_result) -> str | None:
    """Why a copy with stat `st` may not become a hard link of the kept file (owner, group or
    permissions differ: the link would widen or take away access), or None if it may."""
    differ = [name for name, a, b in (
        ("owner", st.st_uid, keep_st.st_uid), ("group", st.st_gid, keep_st.st_gid),
        ("permissions", stat.S_IMODE(st.st_mode), stat.S_IMODE(keep_st.st_mode))) if a != b]
    if not differ:
        return None
    verb = "differs" if differ in (["owner"], ["group"]) else "differ"
    return (f"{_and(differ)} {verb} from the kept copy's; not linked, so nobody gains or loses "
            "access (allow it with --allow-different-owners)")


def _and(words: list[str]) -> str:
    """['owner', 'group', 'permissions'] -> 'owner, group and permissions'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def execute(plan: Plan, journal: Journal, progress: Progress | None = None, *,
            undo_of: int | None = None, extras: list[dict] | None = None,
            batch_ops: int = 500, batch_seconds: float = 0.25) -> ExecResult:
    """Run `plan` through `journal`: record everything as planned, act, confirm in batches.

    Per-file problems never stop the run; they end up as failed/skipped records with a
    reason. Cancelling (progress.cancel()) marks the rest skipped ("cancelled").
    """
    progress = progress or Progress()
    if not plan.operations:
        return ExecResult(None)
    run_id = uuid.uuid4().hex
    records = prepare(plan, run_id, extras)
    entry = journal.begin(run_id, plan.source, plan.title, undo_of)
    try:
        journal.record(entry, records)
    except BaseException:
        journal.finish(entry)       # nothing was touched: close the empty entry as failed
        raise
    result = ExecResult(entry, records=records)
    progress.stage("apply", total=len(records), bytes_total=plan.total_bytes or None)
    runner = _Runner(plan.link_any_owner)
    pending: list[JournalRecord] = []
    last = time.monotonic()
    index = 0
    try:
        for index, rec in enumerate(records):  # noqa: B007 (index used after the loop)
            progress.check()
            runner.run(rec)
            pending.append(rec)
            size = rec.op.expect.size if rec.op.expect else 0
            if rec.state == DONE:
                result.done += 1
                result.bytes_done += size
            else:
                progress.error(rec.op.src, rec.error or rec.state)
                if rec.state == FAILED:
                    result.failed += 1
                else:
                    result.skipped += 1
            progress.advance(1, size)
            now = time.monotonic()
            if len(pending) >= batch_ops or now - last >= batch_seconds:
                journal.mark(entry, pending)
                pending, last = [], now
        index = len(records)
    except Cancelled:
        result.cancelled = True
        for rec in records[index:]:
            rec.state, rec.error = SKIPPED, "cancelled"
            result.skipped += 1
        pending.extend(records[index:])
    journal.mark(entry, pending)
    journal.finish(entry)
    return result
