"""Safe file primitives used by the executor: nothing here ever overwrites a different file.

* ``rename_noreplace``: atomic rename that fails if the target exists (the OS call from
  ``app.platform.rename``: renameat2 RENAME_NOREPLACE on Linux, renamex_np RENAME_EXCL on
  macOS, os.rename on Windows), with a link+unlink fallback on file systems that lack it.
* ``move_file``: same device = one atomic rename; across devices = copy to a temporary
  name in the target folder, fsync, verify size and blake3 hash, rename into place,
  fsync the folder, then remove the source. Timestamps and permissions are kept.
* ``replace_with_link``: replace a file by a hard or symbolic link through a temporary
  name, so a failure leaves the original in place.
"""

from __future__ import annotations

import errno
import os
import stat

import blake3

from app.platform.rename import rename_exclusive

CHUNK = 1 << 20


class FileOpError(OSError):
    """A primitive refused to act; the message says why, for the user."""


def rename_noreplace(src: str, dst: str) -> None:
    """Rename `src` to `dst` atomically; FileExistsError if `dst` exists; OSError(EXDEV) across devices."""
    if rename_exclusive(src, dst):
        return
    # Fallback: a hard link cannot replace a target; then drop the old name.
    if not os.path.isdir(src) and not os.path.islink(src):
        try:
            os.link(src, dst, follow_symlinks=False)
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
        else:
            os.unlink(src)
            return
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, "destination exists", dst)
    os.rename(src, dst)


def file_hash(path: str) -> str:
    """Full blake3 hex digest of a file's bytes."""
    h = blake3.blake3(max_threads=1)
    with open(path, "rb", buffering=0) as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def fsync_dir(folder: str) -> None:
    """Make a rename or unlink in `folder` durable (no-op where folders cannot be opened)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def make_parents(path: str) -> list[str]:
    """Create the missing parent folders of `path`; returns those created, top-down."""
    created: list[str] = []
    parent = os.path.dirname(path)
    missing = []
    while parent and not os.path.isdir(parent):
        missing.append(parent)
        nxt = os.path.dirname(parent)
        if nxt == parent:
            break
        parent = nxt
    for folder in reversed(missing):
        try:
            os.mkdir(folder)
            created.append(folder)
        except FileExistsError:
            if not os.path.isdir(folder):
                raise
    return created


def copy_verified(src: str, tmp: str, src_stat: os.stat_result) -> str:
    """Copy `src` to the new name `tmp` (fsync, times, mode), verify size and hash; returns the hash.

    On any failure `tmp` is removed and the error raised. A symlink is copied as a symlink.
    """
    if stat.S_ISLNK(src_stat.st_mode):
        os.symlink(os.readlink(src), tmp)
        return ""
    if not stat.S_ISREG(src_stat.st_mode):
        raise FileOpError(errno.EINVAL, "only regular files and symlinks can be copied", src)
    h = blake3.blake3(max_threads=1)
    try:
        with open(src, "rb", buffering=0) as fin:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
            with open(fd, "wb", buffering=0) as fout:
                while chunk := fin.read(CHUNK):
                    h.update(chunk)
                    view = memoryview(chunk)
                    while view:
                        view = view[fout.write(view):]
                fout.flush()
                os.fsync(fout.fileno())
            after = os.fstat(fin.fileno())
        if (after.st_size, after.st_mtime_ns) != (src_stat.st_size, src_stat.st_mtime_ns):
            raise FileOpError(errno.EAGAIN, "source changed while it was being copied", src)
        digest = h.hexdigest()
        if os.path.getsize(tmp) != src_stat.st_size or file_hash(tmp) != digest:
            raise FileOpError(errno.EIO, "copy verification failed (size or hash differs)", tmp)
        os.chmod(tmp, stat.S_IMODE(src_stat.st_mode))
        os.utime(tmp, ns=(src_stat.st_atime_ns, src_stat.st_mtime_ns))
        return digest
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def set_owner(path: str, uid: int, gid: int) -> None:
    """Give `path` this owner and group if it has others (only where the OS has owners; a
    refusal, as for a user who may not give files away, is left to the caller)."""
    chown = getattr(os, "chown", None)
    if chown is None:
        return
    st = os.lstat(path)
    if (st.st_uid, st.st_gid) != (uid, gid):
        chown(path, uid, gid, follow_symlinks=False)


def _move_relative_link(src: str, dst: str, tmp: str, target: str, src_stat: os.stat_result) -> None:
    """Move the symlink `src` whose target is relative: a new link at `dst` names the same
    target from its new folder (through `tmp`, never replacing `dst`, with the old link's
    times where the OS can set a link's times), then `src` goes."""
    where = os.path.join(os.path.dirname(os.path.abspath(src)), target)
    os.symlink(os.path.relpath(where, os.path.dirname(os.path.abspath(dst))), tmp)
    try:
        os.utime(tmp, ns=(src_stat.st_atime_ns, src_stat.st_mtime_ns), follow_symlinks=False)
    except (NotImplementedError, OSError):
        pass
    try:
        rename_noreplace(tmp, dst)
    except BaseException:
        os.unlink(tmp)
        raise
    os.unlink(src)


def move_file(src: str, dst: str, tmp: str, src_stat: os.stat_result) -> bool:
    """Move `src` to `dst` without ever replacing an existing `dst`; returns True if it crossed devices.

    A symbolic link with a relative target is re-pointed so that it names the same target
    from its new folder (a plain rename would break it)."""
    if stat.S_ISLNK(src_stat.st_mode):
        target = os.readlink(src)
        if not os.path.isabs(target) and os.path.dirname(os.path.abspath(src)) != \
                os.path.dirname(os.path.abspath(dst)):
            _move_relative_link(src, dst, tmp, target, src_stat)
            return False
    try:
        rename_noreplace(src, dst)
        return False
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    copy_verified(src, tmp, src_stat)
    try:
        rename_noreplace(tmp, dst)
    except BaseException:
        os.unlink(tmp)
        raise
    fsync_dir(os.path.dirname(dst) or ".")
    try:
        os.unlink(src)
    except OSError:
        # The source cannot be removed (read-only folder...): take the verified copy back so
        # the file is not left in two places, and report the move as failed.
        os.unlink(dst)
        raise
    return True


def copy_file(src: str, dst: str, tmp: str, src_stat: os.stat_result) -> None:
    """Copy `src` to `dst` (verified, through `tmp`); never replaces an existing `dst`."""
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, "destination exists", dst)
    copy_verified(src, tmp, src_stat)
    try:
        rename_noreplace(tmp, dst)
    except BaseException:
        os.unlink(tmp)
        raise
    fsync_dir(os.path.dirname(dst) or ".")


def replace_with_link(src: str, keep: str, tmp: str, symbolic: bool) -> None:
    """Replace `src` by a hard (same device only) or symbolic link to `keep`, through `tmp`."""
    if symbolic:
        os.symlink(os.path.abspath(keep), tmp)
    else:
        os.link(keep, tmp, follow_symlinks=False)   # EXDEV across devices: src untouched
    try:
        os.replace(tmp, src)
    except BaseException:
        os.unlink(tmp)
        raise


def restore_from_link(src: str, keep: str, tmp: str, mtime_ns: int | None) -> None:
    """Replace the link at `src` by an independent copy of `keep`'s bytes (undo of a link replacement)."""
    keep_stat = os.stat(keep)
    copy_verified(keep, tmp, keep_stat)
    if mtime_ns is not None:
        os.utime(tmp, ns=(keep_stat.st_atime_ns, mtime_ns))
    try:
        os.replace(tmp, src)
    except BaseException:
        os.unlink(tmp)
        raise
    fsync_dir(os.path.dirname(src) or ".")


def is_link_to(path: str, keep: str) -> bool:
    """True if `path` is a hard link of `keep` (same inode) or a symlink resolving to it."""
    try:
        st = os.lstat(path)
        ks = os.stat(keep)
    except OSError:
        return False
    if stat.S_ISLNK(st.st_mode):
        try:
            return os.path.samestat(os.stat(path), ks)
        except OSError:
            return False
    return os.path.samestat(st, ks)
