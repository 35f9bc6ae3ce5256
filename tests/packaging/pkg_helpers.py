"""Paths and small readers shared by the packaging tests."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
from version import debian_version, numeric_version, project_version  # noqa: E402, F401

BUILD_CACHE = Path(os.environ.get("FILEORGANIZER_BUILD_CACHE",
                                  Path.home() / ".cache" / "fileorganizer-pro-build"))


def linux_build_possible() -> str | None:
    """Why the Linux bundle cannot be built here, or None when it can."""
    if not sys.platform.startswith("linux"):
        return "the .deb is built on Linux only"
    if not (ROOT / "app" / "__main__.py").exists():
        return "app/__main__.py (the desktop app) is not in this checkout yet"
    if not shutil.which("dpkg-deb"):
        return "dpkg-deb is missing"
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        return "pyinstaller is not installed (pip install -e '.[dev]')"
    return None


def control_field(control: str, field: str) -> list[str]:
    """The comma-separated package names of a Depends/Recommends field in a control file."""
    match = re.search(rf"^{field}:(.*(?:\n .*)*)", control, re.MULTILINE)
    if not match:
        return []
    return [re.split(r"[\s(]", item.strip())[0] for item in match.group(1).split(",") if item.strip()]


def iss_sections(text: str) -> dict[str, list[str]]:
    """An Inno Setup script as {section: [lines]}, without comments and preprocessor lines."""
    sections: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            current = header.group(1)
            sections.setdefault(current, [])
        elif current and line and not line.startswith((";", "#")):
            sections[current].append(line)
    return sections


def iss_entry(line: str) -> dict[str, str]:
    """`Name: "x"; Flags: a b` -> {"Name": "x", "Flags": "a b"} (quotes removed, "" unescaped)."""
    entry = {}
    for key, value in re.findall(r'(\w+):\s*("(?:[^"]|"")*"|[^;]*)', line):
        value = value.strip()
        if value.startswith('"') and value.endswith('"'):
            value = value[1:-1].replace('""', '"')
        entry[key] = value
    return entry
