"""File categories by extension, plus magic bytes when the extension says nothing or lies.

``category_for(name, head)`` uses the extension first. When the first bytes of
the file are at hand (the duplicate finder reads them anyway), a distinctive
signature overrides a missing, unknown or wrong extension; container formats
shared by several types (ZIP for .docx, OLE2 for .doc/.msi, ISO-BMFF for
.mp4/.heic) only fill in when the extension is unknown.
"""

from __future__ import annotations

import os
from collections.abc import Callable

CATEGORIES: tuple[str, ...] = (
    "documents", "images", "audio", "video", "archives", "code", "installers", "other",
)

_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "documents": (
        ".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt", ".md", ".rst", ".tex", ".xls", ".xlsx",
        ".ods", ".csv", ".tsv", ".ppt", ".pptx", ".odp", ".pages", ".numbers", ".key", ".epub",
        ".mobi", ".djvu", ".xps", ".log",
    ),
    "images": (
        ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic", ".heif",
        ".svg", ".ico", ".raw", ".cr2", ".nef", ".arw", ".dng", ".psd", ".xcf", ".avif",
    ),
    "audio": (
        ".mp3", ".flac", ".wav", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wma", ".aiff",
        ".aif", ".alac", ".mid", ".midi",
    ),
    "video": (
        ".mp4", ".mkv", ".mov", ".avi", ".wmv", ".flv", ".webm", ".m4v", ".mpg", ".mpeg",
        ".3gp", ".ts", ".vob", ".ogv",
    ),
    "archives": (
        ".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
        ".gz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".lz", ".lzma", ".cab", ".iso",
    ),
    "code": (
        ".py", ".js", ".mjs", ".ts", ".tsx", ".jsx", ".html", ".htm", ".css", ".scss", ".json",
        ".yaml", ".yml", ".toml", ".xml", ".c", ".h", ".cpp", ".hpp", ".cc", ".cs", ".java",
        ".kt", ".go", ".rs", ".rb", ".php", ".pl", ".sh", ".bash", ".zsh", ".ps1", ".bat",
        ".sql", ".swift", ".m", ".r", ".lua", ".ipynb", ".vue", ".ini", ".cfg",
    ),
    "installers": (
        ".exe", ".msi", ".msix", ".dmg", ".pkg", ".deb", ".rpm", ".appimage", ".apk", ".flatpak",
        ".snap",
    ),
}
# ".ts" is both TypeScript and MPEG transport stream; code is the likelier on a desktop.
EXTENSION_CATEGORY: dict[str, str] = {}
for _cat in reversed(CATEGORIES):
    for _ext in _EXTENSIONS.get(_cat, ()):
        EXTENSION_CATEGORY[_ext] = _cat

COMPOUND_EXTENSIONS = _COMPOUND = (".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tar.lz", ".tar.z")

# (offset, signature, category, distinctive), all at offset 0: distinctive signatures override
# a known extension; container signatures only fill in for unknown extensions.
_MAGIC: tuple[tuple[int, bytes, str, bool], ...] = (
    (0, b"%PDF-", "documents", True),
    (0, b"\x89PNG\r\n\x1a\n", "images", True),
    (0, b"\xff\xd8\xff", "images", True),
    (0, b"GIF87a", "images", True),
    (0, b"GIF89a", "images", True),
    (0, b"BM", "images", False),
    (0, b"II*\x00", "images", True),
    (0, b"MM\x00*", "images", True),
    (0, b"8BPS", "images", True),
    (0, b"fLaC", "audio", True),
    (0, b"ID3", "audio", True),
    (0, b"OggS", "audio", False),
    (0, b"MThd", "audio", True),
    (0, b"\x1aE\xdf\xa3", "video", True),
    (0, b"7z\xbc\xaf\x27\x1c", "archives", True),
    (0, b"Rar!\x1a\x07", "archives", True),
    (0, b"\x1f\x8b", "archives", True),
    (0, b"BZh", "archives", False),
    (0, b"\xfd7zXZ\x00", "archives", True),
    (0, b"\x28\xb5\x2f\xfd", "archives", True),
    (0, b"PK\x03\x04", "archives", False),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "documents", False),
    (0, b"MZ", "installers", False),
    (0, b"!<arch>\ndebian", "installers", True),
    (0, b"\xed\xab\xee\xdb", "installers", True),
    (0, b"#!", "code", False),
    (0, b"<?xml", "code", False),
    (0, b"<!DOCTYPE html", "code", False),
    (0, b"{\\rtf", "documents", True),
)


_BY_FIRST_BYTE: dict[int, list[tuple[bytes, str, bool]]] = {}
for _off, _sig, _cat, _strong in _MAGIC:
    _BY_FIRST_BYTE.setdefault(_sig[0], []).append((_sig, _cat, _strong))
_SMALL_EXT = {".gz", ".bz2", ".xz", ".zst", ".lz", ".z"}


def extension_of(name: str) -> str:
    """The lower-case extension with its dot ('.tar.gz' for compound ones); '' if none.

    A leading dot alone does not make an extension: '.bashrc' has none.
    """
    base = name.rpartition("/")[2]
    if os.sep != "/":                   # Windows: either separator
        base = base.rpartition(os.sep)[2]
    dot = base.rfind(".")
    if dot <= 0 or dot == len(base) - 1 or base[:dot].strip(".") == "":
        return ""
    ext = base[dot:].lower()
    if ext in _SMALL_EXT:
        lower = base.lower()
        for comp in _COMPOUND:
            if lower.endswith(comp) and len(lower.lstrip(".")) > len(comp):
                return comp
    return ext


def sniff(head: bytes) -> tuple[str, bool] | None:
    """(category, distinctive) from a file's first bytes, or None when nothing matches."""
    if not head:
        return None
    for sig, cat, strong in _BY_FIRST_BYTE.get(head[0], ()):
        if head.startswith(sig):
            return cat, strong
    if len(head) >= 12:
        if head[:4] == b"RIFF":
            kind = head[8:12]
            if kind == b"WAVE":
                return "audio", True
            if kind == b"WEBP":
                return "images", True
            if kind == b"AVI ":
                return "video", True
        if head[4:8] == b"ftyp":
            brand = head[8:12]
            if brand in (b"heic", b"heix", b"mif1", b"avif"):
                return "images", True
            if brand in (b"M4A ", b"M4B "):
                return "audio", True
            return "video", False
    return None


# The active extension -> category map: the built-in one with the user's custom categories laid
# over it (``use_custom``). It is replaced as a whole, never changed in place, so a scan on another
# thread sees the old map or the new one; classifying stays one dict lookup.
_active: dict[str, str] = EXTENSION_CATEGORY
_custom: frozenset[str] = frozenset()


def use_custom(mapping: dict[str, str]) -> None:
    """Make the custom categories `mapping` (extension -> custom category name) active."""
    global _active, _custom
    _active = {**EXTENSION_CATEGORY, **mapping} if mapping else EXTENSION_CATEGORY
    _custom = frozenset(mapping.values())


def active_map() -> dict[str, str]:
    """The extension -> category map in use (built-in overridden by custom categories)."""
    return _active


def custom_names() -> frozenset[str]:
    """Names of the active custom categories."""
    return _custom


def classify(name: str) -> tuple[str, str]:
    """(extension, category) of a file name, by extension only (what the scan records)."""
    ext = extension_of(name)
    return ext, _active.get(ext, "other")


def cached_classifier() -> Callable[[str], tuple[str, str]]:
    """``classify`` by the active map, cached by the name's last suffix where that alone decides
    it (a scan classifies every file name it has not seen; most share a few suffixes). One per
    scan: the map may change between scans."""
    active = _active
    by_suffix: dict[str, tuple[str, str]] = {}

    def classify_name(name: str) -> tuple[str, str]:
        dot = name.rfind(".")
        if dot > 0 and name[0] != ".":
            suffix = name[dot:]
            hit = by_suffix.get(suffix)
            if hit is not None:
                return hit
            ext = extension_of(name)
            found = ext, active.get(ext, "other")
            # only a suffix that is the extension whatever precedes it (".gz" is not: "x.tar.gz")
            if ext == suffix.lower() == extension_of("a.tar" + suffix) and len(by_suffix) < 65536:
                by_suffix[suffix] = found
            return found
        ext = extension_of(name)
        return ext, active.get(ext, "other")

    return classify_name


def category_for(name: str, head: bytes | None = None) -> str:
    """The category of a file from its name and, when given, its first bytes.

    A custom category claims its extensions outright: the first bytes do not override it.
    """
    return refine(name, sniff(head) if head else None)


def refine(name: str, found: tuple[str, bool] | None) -> str:
    """The category of a file from its name and what ``sniff`` found in its first bytes."""
    by_ext = _active.get(extension_of(name), "other")
    if found is not None and by_ext not in _custom:
        cat, strong = found
        if by_ext == "other" or (strong and cat != by_ext):
            return cat
    return by_ext
