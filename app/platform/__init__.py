"""Everything that differs between Windows, macOS and Linux, behind one small interface per
concern, so the rest of the app runs one code path on every OS.

Concerns (one module each):

* ``trash``: which system trash applies (our freedesktop.org implementation in ``core.ops.trash``
  needs a numeric user id; elsewhere send2trash), the user id, and handing a file to send2trash.
* ``autostart``: start at login: an XDG .desktop file (Linux), a LaunchAgent (macOS), the HKCU
  Run registry value (Windows).
* ``open_files``: "does some process still have this file open for writing?" (Linux reads
  /proc; elsewhere the caller's settle time has to do).
* ``rename``: an atomic rename that never replaces its target (renameat2, renamex_np, Windows'
  own rename).
* ``filelock``: an exclusive lock on a lock file that the OS drops when the process dies
  (flock, msvcrt.locking).
* ``desktop``: the command that shows a file selected in the file manager.
* ``cpus``: how many CPUs this process may use (the worker pools are sized by it).
* ``filestat``: a listed file's lstat with its identity (inode, device, link count).

Nothing else in ``app/`` may call a Unix- or Windows-only function (tests/test_portability.py),
and this package imports nothing of the project outside itself.
"""
