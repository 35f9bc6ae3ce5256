"""The Windows-like test mode: ``FILEORGANIZER_TEST_WINDOWS_LIKE=1``.

Linux cannot run Windows, but it can stop offering what Windows lacks. In the mode, every Python
process of the test run (pytest itself, the CLI subprocesses, spawned workers) starts with this
folder first on PYTHONPATH, so its ``sitecustomize`` runs ``windows_like_mode.apply()``:
POSIX-only ``os`` functions are gone, ``multiprocessing`` offers only ``spawn``, and the trash is
the send2trash path (the stand-in ``send2trash`` package here plays the Recycle Bin). No product
code knows about the mode.

Tests that start Python themselves build PYTHONPATH with ``pythonpath()`` so the mode follows.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "FILEORGANIZER_TEST_WINDOWS_LIKE"
HERE = Path(__file__).resolve().parent


def enabled() -> bool:
    """True when this test run is in the Windows-like mode."""
    return os.environ.get(ENV) == "1"


def pythonpath(*entries: str | os.PathLike) -> str:
    """A PYTHONPATH value for a child Python: `entries`, behind this folder in the mode."""
    parts = ([str(HERE)] if enabled() else []) + [os.fspath(e) for e in entries]
    return os.pathsep.join(parts)


def trashed_files(data_home: str | os.PathLike) -> list[Path]:
    """The files in the system trash of a test whose XDG_DATA_HOME is `data_home`: our
    freedesktop home trash, or the stand-in Recycle Bin where send2trash does the work (the
    Windows-like mode)."""
    from app.core.ops import trash

    if trash.FREEDESKTOP:
        files = Path(data_home) / "Trash" / "files"
        return sorted(files.iterdir()) if files.exists() else []
    bin_ = Path(data_home) / "windows-like-recycle-bin"
    return sorted(f for slot in bin_.iterdir() for f in slot.iterdir()) if bin_.exists() else []
