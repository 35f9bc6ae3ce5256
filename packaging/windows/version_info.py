"""The Windows version resource of FileOrganizerPro.exe (Explorer's Details tab, Inno Setup).

build.spec writes ``version_text(project_version())`` to a file and passes it to EXE(version=...);
PyInstaller reads that VSVersionInfo text on Windows. installer.iss then reads ProductVersion
back from the built exe, so the version still comes from pyproject.toml only.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from version import numeric_version  # noqa: E402

COMPANY = "FileOrganizer Pro contributors"
PRODUCT = "FileOrganizer Pro"
DESCRIPTION = "FileOrganizer Pro: scan, deduplicate, organize and watch folders"


def version_text(version: str, exe_name: str = "FileOrganizerPro.exe") -> str:
    """PyInstaller's VSVersionInfo text for one executable."""
    numbers = numeric_version(version)
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": DESCRIPTION,
        "FileVersion": version,
        "InternalName": exe_name.removesuffix(".exe"),
        "LegalCopyright": f"Copyright (c) {COMPANY}. MIT License.",
        "OriginalFilename": exe_name,
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    table = ",\n".join(f"          StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""# UTF-8
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers},
    prodvers={numbers},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '040904B0',
        [
{table}
        ])
    ]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""
