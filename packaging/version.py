"""The project's version, read from pyproject.toml: the one place it is written.

build.spec, packaging/linux/build_deb.sh, the Windows version resource (and through it the Inno
Setup script) and the macOS Info.plist all take it from here; a test checks that
app.__version__ agrees.

    python3 packaging/version.py   # prints it
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def project_version(root: Path = ROOT) -> str:
    """The [project] version in pyproject.toml."""
    with open(root / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """The four numbers Windows version resources want: 1.2.3rc1 -> (1, 2, 3, 0)."""
    release = re.match(r"\d+(\.\d+)*", version)
    numbers = [int(n) for n in release.group(0).split(".")[:3]] if release else []
    return tuple(numbers + [0] * (4 - len(numbers)))  # type: ignore[return-value]


def debian_version(version: str) -> str:
    """Debian's spelling of a PEP 440 version: pre-releases sort before the release (1.0rc1 -> 1.0~rc1)."""
    return re.sub(r"\.?(a|b|rc|dev)(\d*)", r"~\1\2", version.split("+")[0])


if __name__ == "__main__":
    value = project_version()
    sys.stdout.write((debian_version(value) if sys.argv[1:] == ["--debian"] else value) + "\n")
