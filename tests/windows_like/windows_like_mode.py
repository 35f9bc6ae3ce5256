"""What the Windows-like test mode takes away from a Linux Python process.

* The project's own code (app/ and tests/, any file of this checkout outside .venv) no longer
  finds the ``os`` functions Windows has no counterpart for (fork, pread, getuid, ...): an
  unguarded call fails here as it would on Windows, and ``hasattr(os, "getuid")`` is False.
  The standard library and installed packages still see them: they run their Linux branch here
  (sys.platform is unchanged) where on Windows they would run their Windows branch, so taking
  the functions from them would test nothing of ours. The names are removed from ``os`` and a
  module ``__getattr__`` hands them back by caller, so every other ``os`` lookup stays fast.
* ``multiprocessing`` offers only the ``spawn`` start method, as on Windows.
* ``os.getuid`` being gone makes ``app.platform.trash`` choose send2trash over the freedesktop
  trash, and send2trash resolves to the stand-in package in this folder.

Modules (fcntl, pwd, ctypes, ...) are not blocked: ``app.platform`` runs its Linux branch and
needs them, and tests/test_portability.py already keeps them out of the rest of app/.
Idempotent: conftest.py applies it too when pytest was started without this folder on
PYTHONPATH.
"""

from __future__ import annotations

import os
import sys

REMOVED_OS = (
    "fork", "forkpty", "openpty", "register_at_fork", "pread", "pwrite", "preadv", "pwritev",
    "readv", "writev", "sendfile", "copy_file_range", "splice", "posix_fadvise", "posix_fallocate",
    "posix_spawn", "posix_spawnp", "geteuid", "getuid", "getgid", "getegid", "getgroups",
    "getgrouplist", "getresuid", "getresgid", "setuid", "seteuid", "setgid", "setegid",
    "setgroups", "setreuid", "setregid", "setresuid", "setresgid", "initgroups", "getpgid",
    "getpgrp", "setpgid", "setpgrp", "getsid", "setsid", "killpg", "tcgetpgrp", "tcsetpgrp",
    "ctermid", "sched_getaffinity", "sched_setaffinity", "getpriority", "setpriority", "nice",
    "chown", "lchown", "fchown", "fchmod", "chroot", "fchdir", "mkfifo", "mknod", "statvfs",
    "fstatvfs", "sync", "fdatasync", "getloadavg", "uname", "wait3", "wait4", "waitid",
    "getxattr", "setxattr", "listxattr", "removexattr", "memfd_create", "eventfd", "pidfd_open",
)

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep
_NOT_OURS = (os.path.join(_ROOT, ".venv") + os.sep, os.path.dirname(os.path.abspath(__file__)) + os.sep)
_hidden: dict[str, object] = {}


def is_project_file(filename: str) -> bool:
    """True for a source file of this checkout (app/, tests/, bench/ ...), not of .venv."""
    filename = os.path.abspath(filename)           # a module found through "" has a relative name
    return filename.startswith(_ROOT) and not filename.startswith(_NOT_OURS)


def _os_getattr(name: str):
    """``os.<name>`` for a name this mode removed: there for libraries, missing for our code."""
    if name in _hidden:
        frame = sys._getframe(1)
        if not is_project_file(frame.f_code.co_filename):
            return _hidden[name]
    raise AttributeError(f"module 'os' has no attribute {name!r}")


def apply() -> None:
    """Make this process Windows-like (see the module docstring). Safe to call twice."""
    for name in REMOVED_OS:
        if name in vars(os):
            _hidden.setdefault(name, vars(os)[name])
            delattr(os, name)
    if getattr(os, "__getattr__", None) is not _os_getattr:
        os.__getattr__ = _os_getattr
    import multiprocessing
    from multiprocessing import context

    for method in ("fork", "forkserver"):
        context._concrete_contexts.pop(method, None)
    multiprocessing.set_start_method("spawn", force=True)
