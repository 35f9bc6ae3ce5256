"""An atomic rename that never replaces an existing target, where the OS offers one.

Linux: renameat2(RENAME_NOREPLACE); macOS: renamex_np(RENAME_EXCL); Windows: its plain rename
already refuses an existing target. Reached through ctypes, since the os module has none of them.
``core.ops.fileops.rename_noreplace`` falls back to link+unlink when this says "not available".
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1      # Linux renameat2 flag
_RENAME_EXCL = 4           # macOS renamex_np flag


def _load_native_rename():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        fn = libc.renameat2
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        return lambda a, b: fn(_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_NOREPLACE)
    if sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        fn = libc.renamex_np
        fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        return lambda a, b: fn(a, b, _RENAME_EXCL)
    return None


_native_rename = None if os.name == "nt" else _load_native_rename()


def rename_exclusive(src: str, dst: str) -> bool:
    """Rename `src` to `dst` unless `dst` exists, atomically. True when done; False when this OS
    or file system has no such call (the caller falls back); OSError (FileExistsError if `dst`
    exists, EXDEV across devices) otherwise."""
    if os.name == "nt":
        os.rename(src, dst)               # Windows never replaces an existing target
        return True
    if _native_rename is None:
        return False
    if _native_rename(os.fsencode(src), os.fsencode(dst)) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), src, None, dst)
