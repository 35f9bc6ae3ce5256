"""The app icon: one SVG source, rendered to every size the platforms want, outputs committed."""

from __future__ import annotations

import struct
import subprocess
import sys

from tests.packaging.pkg_helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import render_icons  # noqa: E402

ICONS = ROOT / "resources" / "icons"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC
    return struct.unpack(">II", data[16:24])


def read_ico(data: bytes) -> dict[int, bytes]:
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    images = {}
    for i in range(count):
        w, h, _, _, planes, bpp, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * i: 22 + 16 * i])
        assert w == h and (planes, bpp) == (1, 32)
        images[w or 256] = data[offset: offset + length]
    return images


def read_icns(data: bytes) -> dict[bytes, bytes]:
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    elements, pos = {}, 8
    while pos < len(data):
        kind, length = data[pos: pos + 4], struct.unpack(">I", data[pos + 4: pos + 8])[0]
        elements[kind] = data[pos + 8: pos + length]
        pos += length
    return elements


def test_committed_hicolor_pngs_have_their_sizes():
    for size in render_icons.HICOLOR_SIZES:
        data = (ICONS / "hicolor" / f"{size}x{size}" / "apps" / "fileorganizer-pro.png").read_bytes()
        assert png_size(data) == (size, size)
    assert (ICONS / "hicolor" / "scalable" / "apps" / "fileorganizer-pro.svg").read_bytes() == \
        (ROOT / "resources" / "icon.svg").read_bytes()


def test_committed_ico_holds_png_images_16_to_256():
    images = read_ico((ICONS / "fileorganizer-pro.ico").read_bytes())
    assert sorted(images) == sorted(render_icons.ICO_SIZES)
    for size, png in images.items():
        assert png_size(png) == (size, size)


def test_committed_icns_holds_every_retina_size():
    elements = read_icns((ICONS / "fileorganizer-pro.icns").read_bytes())
    for kind, size in render_icons.ICNS_TYPES:
        assert png_size(elements[kind]) == (size, size), kind


def test_render_script_writes_every_file(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "render_icons.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    committed = sorted(p.relative_to(ICONS) for p in ICONS.rglob("fileorganizer-pro.*"))
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("fileorganizer-pro.*"))
    assert written == committed
    big = (tmp_path / "hicolor" / "512x512" / "apps" / "fileorganizer-pro.png").read_bytes()
    assert png_size(big) == (512, 512) and len(big) > 5000          # a drawing, not an empty canvas
