"""The system trash, in a way that undo can reverse.

On Linux (and other freedesktop systems) this is our own implementation of the
freedesktop.org Trash specification 1.0, so we know exactly where each file went:
the home trash ($XDG_DATA_HOME/Trash) for files on the home trash's device, else the
trash at the top of the file's mount ($topdir/.Trash/$uid when that folder is a valid
sticky admin trash, otherwise $topdir/.Trash-$uid). A slot (the name under files/ and
info/) is chosen before acting, so the journal records it before the file moves.

On Windows and macOS the platform's trash is used through send2trash; the app cannot
see where the file went, so undo tells the user to restore it from the trash by hand.
Which one applies, and the user id, come from ``app.platform.trash``.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from urllib.parse import quote, unquote

from app.core.ops.fileops import rename_noreplace
from app.platform.trash import FREEDESKTOP, send_to_system_trash, user_id

__all__ = ["FREEDESKTOP", "TrashError", "TrashLocator", "TrashSlot", "home_trash", "info_original",
           "restore_slot", "send_to_platform_trash", "trash_to_slot"]
NAME_MAX = 255


class TrashError(OSError):
    """The file cannot be put in a trash (no usable trash on its device)."""


@dataclass(frozen=True, slots=True)
class TrashSlot:
    """Where a file goes in a freedesktop trash."""

    trash_dir: str      # the folder holding files/ and info/
    name: str           # name under files/ (info/<name>.trashinfo)
    topdir: str | None  # mount top for a per-device trash (Path= is relative to it), None for home

    @property
    def file_path(self) -> str:
        return os.path.join(self.trash_dir, "files", self.name)

    @property
    def info_path(self) -> str:
        return os.path.join(self.trash_dir, "info", self.name + ".trashinfo")

    def to_dict(self) -> dict:
        return {"trash_dir": self.trash_dir, "name": self.name, "topdir": self.topdir}

    @classmethod
    def from_dict(cls, d: dict) -> TrashSlot:
        return cls(d["trash_dir"], d["name"], d.get("topdir"))


def home_trash() -> str:
    """The user's home trash folder."""
    data = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(data, "Trash")


def _existing_dev(path: str) -> int:
    while True:
        try:
            return os.lstat(path).st_dev
        except FileNotFoundError:
            parent = os.path.dirname(path)
            if parent == path:
                raise
            path = parent


def mount_top(path: str) -> str:
    """The top folder of the mount holding `path`."""
    path = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    while not os.path.ismount(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def _usable_dir(path: str, uid: int) -> bool:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == uid


def _ensure_trash_dirs(trash_dir: str) -> None:
    if not os.path.isdir(trash_dir):
        os.makedirs(trash_dir, mode=0o700, exist_ok=True)
        os.chmod(trash_dir, 0o700)         # the spec: private to the user, whatever the umask
    for sub in ("files", "info"):
        os.makedirs(os.path.join(trash_dir, sub), mode=0o700, exist_ok=True)


class TrashLocator:
    """Finds the trash folder for each device, caching per device; creates it when needed."""

    def __init__(self) -> None:
        self._by_dev: dict[int, tuple[str, str | None]] = {}
        self._claimed: set[str] = set()
        self.uid = user_id()

    def trash_for(self, path: str, dev: int | None = None) -> tuple[str, str | None]:
        """(trash_dir, topdir or None for the home trash) for a file."""
        if dev is None or dev == 0:
            dev = os.lstat(path).st_dev
        if dev in self._by_dev:
            return self._by_dev[dev]
        home = home_trash()
        if _existing_dev(home) == dev:
            if os.path.lexists(home) and not os.path.isdir(home):
                raise TrashError(f"the trash folder {home} is not a folder")
            found: tuple[str, str | None] = (home, None)
        else:
            top = mount_top(path)
            admin = os.path.join(top, ".Trash")
            try:
                ast = os.lstat(admin)
                admin_ok = stat.S_ISDIR(ast.st_mode) and bool(ast.st_mode & stat.S_ISVTX)
            except FileNotFoundError:
                admin_ok = False
            user_trash = os.path.join(top, f".Trash-{self.uid}")
            if admin_ok:
                found = (os.path.join(admin, str(self.uid)), top)
            else:
                found = (user_trash, top)
            if os.path.lexists(found[0]) and not _usable_dir(found[0], self.uid):
                raise TrashError(f"trash folder {found[0]} is not a folder owned by this user")
        self._by_dev[dev] = found
        return found

    def slot_for(self, path: str, dev: int | None, unique: str) -> TrashSlot:
        """Choose the trash slot for `path`: its own name if free, else the name plus `unique`."""
        trash_dir, top = self.trash_for(path, dev)
        base = os.path.basename(path.rstrip(os.sep)) or "file"
        name = base
        files, info = os.path.join(trash_dir, "files"), os.path.join(trash_dir, "info")
        if (os.path.join(trash_dir, name) in self._claimed or os.path.lexists(os.path.join(files, name))
                or os.path.lexists(os.path.join(info, name + ".trashinfo"))):
            raw = os.fsencode(base)
            suffix = os.fsencode(f".{unique}")
            room = NAME_MAX - len(".trashinfo") - len(suffix)
            name = os.fsdecode(raw[:room] + suffix)
        self._claimed.add(os.path.join(trash_dir, name))
        return TrashSlot(trash_dir, name, top)


def _info_text(original: str, slot: TrashSlot) -> bytes:
    shown = os.path.relpath(original, slot.topdir) if slot.topdir else os.path.abspath(original)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    return (b"[Trash Info]\nPath=" + quote(os.fsencode(shown), safe="/").encode("ascii")
            + b"\nDeletionDate=" + stamp.encode("ascii") + b"\n")


def info_original(slot: TrashSlot) -> str | None:
    """The original path recorded in a slot's .trashinfo, or None if there is none."""
    try:
        with open(slot.info_path, "rb") as f:
            for line in f.read().splitlines():
                if line.startswith(b"Path="):
                    path = os.fsdecode(unquote(line[5:].decode("ascii"), encoding="utf-8",
                                               errors="surrogateescape").encode("utf-8", "surrogateescape"))
                    return os.path.join(slot.topdir, path) if slot.topdir else path
    except (OSError, UnicodeDecodeError):
        return None
    return None


def trash_to_slot(path: str, slot: TrashSlot) -> None:
    """Move `path` into the freedesktop trash slot: info file first (exclusive), then the rename."""
    _ensure_trash_dirs(slot.trash_dir)
    fd = os.open(slot.info_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, _info_text(path, slot))
    finally:
        os.close(fd)
    # No fsync: nothing is copied, the rename keeps the bytes where they are, and undo finds the
    # file by its journaled slot even if a power loss dropped the info file.
    try:
        rename_noreplace(path, slot.file_path)
    except BaseException:
        os.unlink(slot.info_path)
        raise


def restore_slot(slot: TrashSlot, original: str) -> None:
    """Put a trashed file back at `original` (never over an existing file), then drop its info."""
    rename_noreplace(slot.file_path, original)
    try:
        os.unlink(slot.info_path)
    except FileNotFoundError:
        pass


def send_to_platform_trash(path: str) -> None:
    """Windows/macOS: hand the file to the system trash (location unknown to us)."""
    send_to_system_trash(path)
