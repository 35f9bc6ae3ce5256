"""The date a photo was taken, from the EXIF block of JPEG and TIFF files (no dependency).

Reads at most the first 128 KiB; returns None for anything unexpected, so the caller
falls back to the modification time. Only DateTimeOriginal (or IFD0 DateTime) is read.
"""

from __future__ import annotations

import datetime as _dt
import struct

READ_LIMIT = 128 * 1024
PHOTO_EXTENSIONS = frozenset((".jpg", ".jpeg", ".jpe", ".tif", ".tiff"))
_EXIF_IFD, _DATETIME, _DATETIME_ORIGINAL = 0x8769, 0x0132, 0x9003


def _tiff_date(buf: bytes, base: int) -> _dt.datetime | None:
    order = buf[base:base + 2]
    if order not in (b"II", b"MM"):
        return None
    e = "<" if order == b"II" else ">"

    def ifd(offset: int) -> dict[int, tuple[int, int, int]]:
        start = base + offset
        (count,) = struct.unpack_from(e + "H", buf, start)
        out = {}
        for i in range(min(count, 512)):
            tag, typ, n, value = struct.unpack_from(e + "HHII", buf, start + 2 + 12 * i)
            out[tag] = (typ, n, value)
        return out

    def text(entry: tuple[int, int, int]) -> _dt.datetime | None:
        typ, n, offset = entry
        if typ != 2 or n < 19:
            return None
        raw = buf[base + offset: base + offset + 19].decode("ascii", "replace")
        try:
            return _dt.datetime.strptime(raw, "%Y:%m:%d %H:%M:%S")
        except ValueError:
            return None

    (magic, first) = struct.unpack_from(e + "HI", buf, base + 2)
    if magic != 42:
        return None
    ifd0 = ifd(first)
    if _EXIF_IFD in ifd0:
        exif = ifd(ifd0[_EXIF_IFD][2])
        if _DATETIME_ORIGINAL in exif and (found := text(exif[_DATETIME_ORIGINAL])):
            return found
    return text(ifd0[_DATETIME]) if _DATETIME in ifd0 else None


def photo_date(path: str) -> _dt.datetime | None:
    """When the photo was taken (local time as the camera wrote it), or None."""
    try:
        with open(path, "rb") as f:
            buf = f.read(READ_LIMIT)
    except OSError:
        return None
    try:
        if buf[:2] in (b"II", b"MM"):
            return _tiff_date(buf, 0)
        if buf[:2] != b"\xff\xd8":
            return None
        pos = 2
        while pos + 4 <= len(buf) and buf[pos] == 0xFF:
            marker = buf[pos + 1]
            (length,) = struct.unpack_from(">H", buf, pos + 2)
            if marker == 0xE1 and buf[pos + 4:pos + 10] == b"Exif\x00\x00":
                return _tiff_date(buf, pos + 10)
            if marker == 0xDA:          # image data starts: no EXIF before it
                return None
            pos += 2 + length
    except (struct.error, IndexError, KeyError):
        return None
    return None


def date_of(path: str, mtime_ns: int) -> _dt.datetime:
    """The photo date for JPEG/TIFF files that carry one, else the modification time."""
    dot = path.rfind(".")
    if dot > 0 and path[dot:].lower() in PHOTO_EXTENSIONS:
        taken = photo_date(path)
        if taken is not None:
            return taken
    return _dt.datetime.fromtimestamp(mtime_ns / 1e9)
