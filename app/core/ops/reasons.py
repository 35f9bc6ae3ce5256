"""Clear, per-file reasons for operations that did not happen."""

from __future__ import annotations

import errno

_MESSAGES = {
    errno.ENOSPC: "the destination disk is full",
    errno.EROFS: "the destination is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EEXIST: "a different file already exists at the destination; nothing overwritten",
    errno.ENOENT: "file or folder not found",
    errno.ENAMETOOLONG: "the name or path is too long",
    errno.EXDEV: "source and destination are on different devices",
    errno.EBUSY: "the file is in use",
    errno.ETXTBSY: "the file is in use",
    errno.EISDIR: "is a folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EIO: "input/output error",
    errno.EDQUOT: "disk quota exceeded",
}


class Skip(Exception):
    """An operation is not performed on purpose (changed, vanished, already done...)."""


def describe(exc: BaseException) -> str:
    """A short message for the user, naming the file the error was about when it is not the source."""
    if isinstance(exc, OSError):
        text = _MESSAGES.get(exc.errno or -1) or exc.strerror or str(exc)
        if exc.errno is None and exc.args:
            text = str(exc.args[0])
        names = [n for n in (exc.filename, exc.filename2) if n]
        return f"{text} ({', '.join(map(str, names))})" if names else text
    return str(exc) or exc.__class__.__name__
