"""{year}/{month}/{day} come from a photo's EXIF date when it has one, else from the modification time."""

from __future__ import annotations

import datetime as dt
import os
import struct

from app.core.organize.templates import Fields, Template, render
from app.core.scan.exif import date_of, photo_date


def tiff(date: bytes, order: str = "<", original: bool = True) -> bytes:
    """A minimal TIFF block: IFD0 with an Exif IFD pointer (or DateTime), Exif IFD with DateTimeOriginal."""
    e = order
    head = (b"II" if e == "<" else b"MM") + struct.pack(e + "HI", 42, 8)
    if original:
        ifd0 = struct.pack(e + "H", 1) + struct.pack(e + "HHII", 0x8769, 4, 1, 26) + struct.pack(e + "I", 0)
        exif = struct.pack(e + "H", 1) + struct.pack(e + "HHII", 0x9003, 2, 20, 44) + struct.pack(e + "I", 0)
        return head + ifd0 + exif + date + b"\x00"
    ifd0 = struct.pack(e + "H", 1) + struct.pack(e + "HHII", 0x0132, 2, 20, 26) + struct.pack(e + "I", 0)
    return head + ifd0 + date + b"\x00"


def jpeg(block: bytes) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    app1 = b"\xff\xe1" + struct.pack(">H", 2 + 6 + len(block)) + b"Exif\x00\x00" + block
    return b"\xff\xd8" + app0 + app1 + b"\xff\xda\x00\x02" + b"\x00" * 64 + b"\xff\xd9"


def test_jpeg_and_tiff_dates(tmp_path):
    shot = tmp_path / "IMG_1.JPG"
    shot.write_bytes(jpeg(tiff(b"2019:07:14 10:11:12")))
    assert photo_date(str(shot)) == dt.datetime(2019, 7, 14, 10, 11, 12)
    big_endian = tmp_path / "b.jpeg"
    big_endian.write_bytes(jpeg(tiff(b"2018:01:02 03:04:05", order=">", original=False)))
    assert photo_date(str(big_endian)) == dt.datetime(2018, 1, 2, 3, 4, 5)
    raw = tmp_path / "scan.tif"
    raw.write_bytes(tiff(b"2017:12:31 23:59:59"))
    assert photo_date(str(raw)) == dt.datetime(2017, 12, 31, 23, 59, 59)


def test_template_uses_photo_date_and_falls_back_to_mtime(tmp_path):
    shot = tmp_path / "IMG_1.jpg"
    shot.write_bytes(jpeg(tiff(b"2019:07:14 10:11:12")))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(jpeg(b"garbage that is not TIFF"))
    zeros = tmp_path / "zeros.jpg"
    zeros.write_bytes(jpeg(tiff(b"0000:00:00 00:00:00")))
    mtime = dt.datetime(2021, 3, 4, 12, 0).timestamp()
    for p in (shot, broken, zeros):
        os.utime(p, (mtime, mtime))
    t = Template.parse("{year}/{month}/{day}")
    got = [render(t, Fields(str(p), 1, int(mtime * 1e9), date_of=date_of), "/d")
           for p in (shot, broken, zeros)]
    assert got == ["/d/2019/07/14", "/d/2021/03/04", "/d/2021/03/04"]
    assert photo_date(str(tmp_path / "missing.jpg")) is None
